// Drives a BatchEngine in real time: each step ends at an absolute deadline (start + modelled
// duration), so timer lateness never accumulates across steps. Tokens go to the sink the
// moment their step ends; the HTTP server writes them out from there.

import { BatchEngine, type TokenSink } from './batch-engine.js';
import type { EngineParams } from './engine-params.js';
import type { Clock } from '../types.js';

/**
 * Up to this lag behind a deadline (a busy machine delaying timers), the next steps keep their
 * absolute deadlines and catch up, so per-request TPOT stays what the model says. Beyond it
 * (the event loop was blocked), the next step starts from now instead of replaying the
 * backlog as a burst of instant steps.
 */
const MAX_LAG_MS = 100;

/** setTimeout fires ~1 ms late; wake this much early and finish the wait with setImmediate. */
const EARLY_WAKE_MS = 1.5;

export class RealtimeEngine {
  readonly engine: BatchEngine;
  private stepScheduled = false;
  private cancelWait: (() => void) | null = null;
  private stopped = false;

  constructor(
    params: EngineParams,
    private readonly clock: Clock,
    private readonly sink: TokenSink,
  ) {
    this.engine = new BatchEngine(params);
  }

  /** A request arrived now. An idle engine starts a step at once (after this turn of the event loop, so simultaneous arrivals share it). */
  submit(key: number, inputTokens: number, outputTokens: number): void {
    if (this.stopped) throw new Error('the simulated engine is stopped');
    this.engine.add(key, inputTokens, outputTokens);
    if (!this.stepScheduled) {
      this.stepScheduled = true;
      const start = this.clock.now();
      const handle = setImmediate(() => this.runStep(start));
      this.cancelWait = () => clearImmediate(handle);
    }
  }

  /** The client went away: drop its sequence. */
  abort(key: number): void {
    this.engine.abort(key);
  }

  /** Cancels the pending step; the engine accepts nothing more. */
  stop(): void {
    this.stopped = true;
    this.cancelWait?.();
    this.cancelWait = null;
  }

  private runStep(start: number): void {
    this.cancelWait = null;
    const duration = this.engine.planStep();
    if (duration === null) {
      this.stepScheduled = false;
      return;
    }
    const deadline = start + duration;
    this.cancelWait = waitUntil(this.clock, deadline, () => {
      this.cancelWait = null;
      this.engine.completeStep(this.sink);
      if (this.stopped) return;
      if (!this.engine.hasWork()) {
        this.stepScheduled = false;
        return;
      }
      const now = this.clock.now();
      this.runStep(now - deadline > MAX_LAG_MS ? now : deadline);
    });
  }
}

/**
 * Calls `fn` as soon as clock.now() >= deadline: a timer for the bulk of the wait, then
 * setImmediate polling for the last ~1.5 ms. Also fires once the same span has passed on the
 * process's monotonic clock, so a clock that does not advance (a test's fake) cannot hang it.
 * Returns a cancel function.
 */
export function waitUntil(clock: Clock, deadline: number, fn: () => void): () => void {
  const realDeadline = performance.now() + (deadline - clock.now());
  let timeout: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  const check = (first: boolean): void => {
    timeout = null;
    immediate = null;
    const remaining = Math.min(deadline - clock.now(), realDeadline - performance.now());
    if (remaining <= 0 && !first) {
      fn();
    } else if (remaining > EARLY_WAKE_MS) {
      timeout = setTimeout(check, remaining - EARLY_WAKE_MS, false);
    } else {
      // Also when already due on the first check: never call fn synchronously, so a run of
      // overdue steps cannot grow the stack.
      immediate = setImmediate(check, false);
    }
  };
  check(true);
  return () => {
    if (timeout) clearTimeout(timeout);
    if (immediate) clearImmediate(immediate);
  };
}
