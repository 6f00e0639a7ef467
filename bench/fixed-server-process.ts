// A child process for bench/client-accuracy.ts: the simulator's fixed-schedule bench server
// (src/sim/fixed-schedule.ts) with its send log kept in memory and stamped in the PARENT's
// time base. Separate processes each compute their own performance.timeOrigin from the wall
// clock (they can disagree by a millisecond), but CLOCK_MONOTONIC (process.hrtime) is shared
// by every process on the machine, so the parent passes its offset and this server's clock is
// exactly the parent's `performance.timeOrigin + performance.now()`.
//
// IPC: it sends {type:'listening', url} once up; answers {type:'now'} with its clock reading
// (the parent checks the time bases agree); {type:'collect'} with its send log (then cleared);
// {type:'close'} closes the server and exits. It exits on its own when the parent goes away.

import { sharedMonotonicClock } from '../src/client/thread-clock.js';
import { startSim } from '../src/sim/server.js';

interface Options {
  timeBaseOffsetMs: number;
  fixedTtftMs: number;
  fixedIntervalMs: number;
}

type Message = { type: 'now' } | { type: 'collect' } | { type: 'close' };

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
  const clock = sharedMonotonicClock(opts.timeBaseOffsetMs);
  const sim = await startSim({ mode: 'fixed-schedule', clock, keepSendLog: true, fixedTtftMs: opts.fixedTtftMs, fixedIntervalMs: opts.fixedIntervalMs });
  process.on('message', (m: Message) => {
    if (m.type === 'now') process.send?.({ type: 'now', now: clock.now() });
    else if (m.type === 'collect') process.send?.({ type: 'log', entries: sim.sendLog.splice(0) });
    else if (m.type === 'close') void sim.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'listening', url: sim.url });
}

void main();
