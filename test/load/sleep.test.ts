import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createRealTimeSleep, sleepUntilRealTime } from '../../src/load/sleep.js';
import type { Clock } from '../../src/types.js';

describe('real-time sleepUntil', () => {
  it('never wakes before the deadline', async () => {
    for (const wait of [0, 0.3, 1.5, 7]) {
      const at = systemClock.now() + wait;
      await sleepUntilRealTime(at, systemClock);
      expect(systemClock.now()).toBeGreaterThanOrEqual(at);
    }
  });

  it('returns at once for a time in the past and when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const start = systemClock.now();
    await sleepUntilRealTime(start - 1000, systemClock);
    await sleepUntilRealTime(start + 60_000, systemClock, controller.signal);
    expect(systemClock.now() - start).toBeLessThan(1000);
  });

  it('wakes early when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    const start = systemClock.now();
    await sleepUntilRealTime(start + 60_000, systemClock, controller.signal);
    expect(systemClock.now() - start).toBeLessThan(1000);
  });

  it('takes waits beyond the longest Node timer in steps instead of spinning', async () => {
    // A clock stuck at 0 and a deadline 60 days away: an overflowing timer would fire
    // every millisecond and read the clock each time; a capped one waits quietly.
    let readings = 0;
    const stuck: Clock = { now: () => (readings++, 0) };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await createRealTimeSleep(1)(60 * 86_400_000, stuck, controller.signal);
    expect(readings).toBe(1);
  });
});
