// The one waiting primitive of the load stage. The runner waits only through a SleepUntil,
// so unit tests inject a virtual-time one and run exactly; production uses real time.
import type { Clock, EpochMs } from '../types.js';

/** Resolves at `at` on `clock` (or at once when it has passed), or early when `signal` aborts. Never rejects. */
export type SleepUntil = (at: EpochMs, clock: Clock, signal?: AbortSignal) => Promise<void>;

/**
 * How long before the deadline the timer hands over to setImmediate polling. Node timers
 * fire ~0.7 ms late on average and several ms late at p99 (whole-ms libuv timers plus loop
 * latency); polling the last stretch sends on time. Measured at 100 waits/s on a shared
 * 2-core machine: timer only, slip p50 0.7 ms / p99 1.9–7.5 ms; margin 1 ms, p50 0.01 ms /
 * p99 0.2–1.2 ms at ~9 % CPU; margin 2 ms, the same slip at ~18 % CPU. So 1 ms.
 */
export const DEFAULT_POLL_MARGIN_MS = 1;

/** Node's longest timer (2^31 − 1 ms); longer waits are taken in steps rather than overflowing to 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A real-time SleepUntil: setTimeout until `marginMs` before `at`, then setImmediate polling. */
export function createRealTimeSleep(marginMs: number = DEFAULT_POLL_MARGIN_MS): SleepUntil {
  return (at, clock, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        clearImmediate(immediate);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const step = (): void => {
        timer = undefined;
        immediate = undefined;
        const remaining = at - clock.now();
        if (remaining <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        } else if (remaining > marginMs) {
          timer = setTimeout(step, Math.min(remaining - marginMs, MAX_TIMER_MS));
        } else {
          immediate = setImmediate(step);
        }
      };
      step();
    });
}

export const sleepUntilRealTime: SleepUntil = createRealTimeSleep();
