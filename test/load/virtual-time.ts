// Virtual time for runner tests: a Clock and a SleepUntil whose timers fire only when the
// test driver advances time, so schedules can be asserted exactly.
import { scenarioSchema } from '../../src/config/schema.js';
import { runScenario, type RunScenarioOptions } from '../../src/load/runner.js';
import type { SleepUntil } from '../../src/load/sleep.js';
import type { Clock, EpochMs, RequestRecord, RequestSpec } from '../../src/types.js';

interface Timer {
  at: EpochMs;
  seq: number;
  fire: () => void;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualTime implements Clock {
  private current: EpochMs;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start: EpochMs = 1_700_000_000_000) {
    this.current = start;
  }

  now(): EpochMs {
    return this.current;
  }

  /** Moves time forward at once, as synchronous work on a real CPU would. */
  advance(ms: number): void {
    this.current += ms;
  }

  readonly sleepUntil: SleepUntil = (at, _clock, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || at <= this.current) {
        resolve();
        return;
      }
      const timer: Timer = {
        at,
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });

  /** Runs `work` to completion, jumping time from one timer to the next whenever everything waits. */
  async run<T>(work: Promise<T>, maxSteps = 1_000_000): Promise<T> {
    let finished = false;
    work.then(
      () => (finished = true),
      () => (finished = true),
    );
    for (let step = 0; step < maxSteps; step++) {
      await settle();
      if (finished) return work;
      if (this.timers.length === 0) throw new Error('virtual time: nothing scheduled but the work has not finished');
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift() as Timer;
      this.current = next.at;
      next.fire();
    }
    throw new Error('virtual time: too many steps');
  }
}

export interface FakeServerOptions {
  /** Time to first token (ms) for a spec. */
  ttftMs?: (spec: RequestSpec) => number;
  /** Time between output chunks (ms). */
  gapMs?: number;
  /** Output tokens (one per chunk). */
  outputTokens?: (spec: RequestSpec) => number;
  /** Requests that fail with an HTTP 500 after `ttftMs`. */
  fails?: (spec: RequestSpec) => boolean;
}

/** A send function answering in virtual time, like a streaming server would; it logs each call. */
export function fakeSend(vt: VirtualTime, options: FakeServerOptions = {}) {
  const calls: Array<{ id: string; sentAt: EpochMs; scheduledAt: EpochMs | null }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (spec: RequestSpec, scheduledAt: EpochMs | null, signal: AbortSignal): Promise<RequestRecord> => {
    const sentAt = vt.now();
    calls.push({ id: spec.id, sentAt, scheduledAt });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const ttft = options.ttftMs?.(spec) ?? 50;
      const out = options.outputTokens?.(spec) ?? 4;
      const gap = options.gapMs ?? 10;
      const base = { id: spec.id, scenario: spec.scenario, scheduledAt, sentAt, tokenSource: 'usage' as const };
      await vt.sleepUntil(sentAt + ttft, vt, signal);
      if (signal.aborted) {
        return { ...base, status: 'cancelled', error: { kind: 'cancelled', message: 'aborted' }, ttftMs: null, e2eMs: null, streamEndMs: null, inputTokens: null, outputTokens: null, chunkOffsetsMs: [] };
      }
      if (options.fails?.(spec)) {
        return { ...base, status: 'error', error: { kind: 'http_status', httpStatus: 500, message: 'HTTP 500' }, ttftMs: null, e2eMs: null, streamEndMs: ttft, inputTokens: null, outputTokens: null, chunkOffsetsMs: [] };
      }
      const chunkOffsetsMs = Array.from({ length: out }, (_, k) => ttft + k * gap);
      const last = chunkOffsetsMs[out - 1];
      await vt.sleepUntil(sentAt + last + 1, vt, signal);
      if (signal.aborted) {
        return { ...base, status: 'cancelled', error: { kind: 'cancelled', message: 'aborted' }, ttftMs: ttft, e2eMs: null, streamEndMs: null, inputTokens: spec.inputTokens, outputTokens: null, chunkOffsetsMs };
      }
      return { ...base, status: 'ok', error: null, ttftMs: ttft, e2eMs: last, streamEndMs: last + 1, inputTokens: spec.inputTokens, outputTokens: out, chunkOffsetsMs };
    } finally {
      inFlight--;
    }
  };
  return { send, calls, maxInFlight: () => maxInFlight };
}

/** The virtual epoch runner tests start at. */
export const T0 = 1_700_000_000_000;

/** Send offsets from T0. */
export const sentOffsets = (calls: Array<{ sentAt: number }>): number[] => calls.map((c) => c.sentAt - T0);

/**
 * A scenario with `load` (warmup 0 unless given) over `measured`, against the fake server in
 * virtual time; `run(over)` drives runScenario to its end with a quiet event-loop monitor.
 */
export function setupVirtualRun(load: Record<string, unknown>, measured: RequestSpec[], server: FakeServerOptions = {}) {
  const vt = new VirtualTime(T0);
  const fake = fakeSend(vt, server);
  const scenario = scenarioSchema.parse({ name: 's', load: { warmup: 0, ...load } });
  const run = (over: Partial<RunScenarioOptions> = {}) =>
    vt.run(
      runScenario({
        scenario,
        warmup: [],
        measured,
        send: fake.send,
        clock: vt,
        seed: 7,
        sleepUntil: vt.sleepUntil,
        startEventLoopMonitor: () => ({ stop: () => ({ p50: 0, p99: 0, max: 0 }) }),
        ...over,
      }),
    );
  return { vt, fake, run };
}
