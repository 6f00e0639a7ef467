// The Contracts' time base in worker threads. A worker's own performance.timeOrigin is not
// guaranteed to be the main thread's, but every thread of a process reads the same monotonic
// clock (process.hrtime, libuv's uv_hrtime, which performance.now() is also built on). So the
// main thread measures once how its time base relates to that shared clock, and each worker
// reads the shared clock and adds that offset: its timestamps are the main thread's
// `performance.timeOrigin + performance.now()`, not an estimate of it.

import type { Clock, EpochMs } from '../types.js';

function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * The main thread's time base minus the shared monotonic clock (ms). Read in the main
 * thread. Of a few bracketed readings it keeps the tightest, so the offset is exact to well
 * under a microsecond.
 */
export function mainTimeBaseOffset(samples = 16): number {
  let bestGap = Infinity;
  let offset = 0;
  for (let i = 0; i < samples; i++) {
    const before = hrtimeMs();
    const epoch = performance.timeOrigin + performance.now();
    const after = hrtimeMs();
    if (after - before < bestGap) {
      bestGap = after - before;
      offset = epoch - (before + after) / 2;
    }
  }
  return offset;
}

/** A clock in the main thread's time base, for a worker thread given `mainTimeBaseOffset()`. */
export function sharedMonotonicClock(offsetMs: number): Clock {
  return { now: (): EpochMs => offsetMs + hrtimeMs() };
}
