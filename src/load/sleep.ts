// The one waiting primitive of the load stage. The runner waits only through a SleepUntil,
// so unit tests inject a virtual-time one and run exactly; production uses real time.
import type { Clock, EpochMs } from '../types.js';

/** Resolves at `at` on `clock` (or at once when it has passed), or early when `signal` aborts. Never rejects. */
export type SleepUntil = (at: EpochMs, clock: Clock, signal?: AbortSignal) => Promise<void>;

/**
 * How long before the deadline the timer hands over to setImmediate polling. Node timers
 * fire ~0.7 ms late on average and several ms late at p99 (whole-ms libuv timers, loop
 * latency, and the OS waking a sleeping thread on a busy machine); polling the last stretch
 * keeps the thread awake and sends on time. The sleep alone, 100 waits/s on a shared 2-core
 * machine: timer only, slip p50 0.7 ms / p99 1.9–7.5 ms; margin 1 ms, p99 0.2–1.2 ms. The
 * whole client at 200 req/s against the simulator on the same 2 cores (bench in
 * docs/load.md, A/B in one session): margin 1 ms, p99 under 2 ms in 3 of 14 runs (1.5–2.8);
 * 2 ms, in 6 of 10 (0.7–2.1); 3 ms, in 4 of 4 (1.2–2.0). Polling costs about margin × rate
 * of a core (40 % at 200 req/s with 2 ms; 1 % at 5 req/s), so 2 ms, not 3.
 */
export const DEFAULT_POLL_MARGIN_MS = 2;

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
