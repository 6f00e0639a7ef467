// Drives one scenario: warmup, then the measured requests on an open loop (each on an
// absolute schedule: start + offset, optionally capped at `concurrency` in flight) or a
// closed loop (`concurrency` workers, each sending its next request when the last one
// finished, after an optional think time). It stops at `requests` or after `duration_s` of
// sending, then waits for the requests in flight. All waiting goes through an injected
// SleepUntil, so tests run in virtual time.
import { setMaxListeners } from 'node:events';
import { InputError } from '../errors.js';
import type { ScenarioConfig } from '../config/schema.js';
import type { ClientHealth, Clock, EpochMs, RequestRecord, RequestSpec } from '../types.js';
import { completionTime } from '../metrics/window.js';
import { scenarioArrivals } from './arrivals.js';
import { assessClientHealth, startEventLoopMonitor, summarizeSlips, type StartEventLoopMonitor } from './client-health.js';
import { InFlightRequests, type Finished, type SendFn } from './in-flight.js';
import { sleepUntilRealTime, type SleepUntil } from './sleep.js';
import { Slots } from './slots.js';

export type { SendFn } from './in-flight.js';

/** The measured requests: a list, or a builder of request i (undefined: no more) for runs bound by duration. */
export type SpecSource = readonly RequestSpec[] | ((index: number) => RequestSpec | undefined);

export interface ProgressReport {
  done: number;
  errors: number;
  inFlight: number;
  /** Seconds since the measured phase started. */
  elapsedS: number;
  /** Requests finished per second over the last progress interval. */
  currentRate: number;
}

export interface RunScenarioOptions {
  scenario: ScenarioConfig;
  warmup: RequestSpec[];
  measured: SpecSource;
  send: SendFn;
  clock: Clock;
  seed: number;
  /** Whole-run limit: stop scheduling, abort in-flight requests, mark them cancelled. */
  deadlineAt?: EpochMs;
  signal?: AbortSignal;
  onProgress?: (p: ProgressReport) => void;
  progressIntervalMs?: number;
  /** The waiting primitive; real time unless a test injects virtual time. */
  sleepUntil?: SleepUntil;
  startEventLoopMonitor?: StartEventLoopMonitor;
  /** After a stop, how long requests may take to come back before they are abandoned (ms). */
  abortGraceMs?: number;
}

export interface ScenarioRun {
  records: RequestRecord[];
  window: { startMs: EpochMs; endMs: EpochMs };
  clientHealth: ClientHealth;
  warmup: { sent: number; failed: number };
}

const DEFAULT_PROGRESS_INTERVAL_MS = 5000;
const DEFAULT_ABORT_GRACE_MS = 2000;

interface Measured {
  index: number;
  finished: Finished;
  /** When the request was free to go: its scheduled time, or when a slot freed up (open loop). */
  readyAt: EpochMs | null;
}

export async function runScenario(opts: RunScenarioOptions): Promise<ScenarioRun> {
  const { clock, scenario } = opts;
  const sleep = opts.sleepUntil ?? sleepUntilRealTime;
  const stop = new AbortController();
  const done = new AbortController(); // ends the helper loops when the scenario is over
  // Every request in flight listens to the stop signal: more than Node's default of 10 is normal.
  setMaxListeners(0, stop.signal, done.signal);
  let stopMessage = 'the run was cancelled';
  const stopWith = (message: string): void => {
    if (stop.signal.aborted) return;
    stopMessage = message;
    stop.abort(new Error(message));
  };
  const onCallerAbort = (): void => stopWith('the run was cancelled');
  if (opts.signal?.aborted) onCallerAbort();
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const inFlight = new InFlightRequests(opts.send, clock, stop.signal, () => stopMessage);
  if (opts.deadlineAt !== undefined) {
    const deadlineAt = opts.deadlineAt;
    void sleep(deadlineAt, clock, done.signal).then(() => {
      if (!done.signal.aborted) stopWith('the run reached its time limit (max_duration_s)');
    });
  }
  // After a stop, give in-flight requests a grace period to come back, then abandon them.
  const onStop = (): void => {
    const graceEnd = clock.now() + (opts.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS);
    void sleep(graceEnd, clock, done.signal).then(() => inFlight.abandonAll());
  };
  if (stop.signal.aborted) onStop();
  else stop.signal.addEventListener('abort', onStop, { once: true });

  try {
    const warmup = await runWarmup(opts.warmup, inFlight, stop.signal);
    const monitor = (opts.startEventLoopMonitor ?? startEventLoopMonitor)();
    const startedAt = clock.now();
    const results: Measured[] = [];
    const progress = startProgress(opts, results, inFlight, startedAt, sleep, done.signal);
    const ctx: LoopContext = { opts, inFlight, stop: stop.signal, sleep, startedAt, results };
    if (scenario.load.type === 'concurrency') await runClosedLoop(ctx);
    else await runOpenLoop(ctx);
    const eventLoopDelayMs = monitor.stop();
    progress.emit();

    results.sort((a, b) => a.index - b.index);
    const slips = results.filter((m) => m.readyAt !== null).map((m) => m.finished.record.sentAt - (m.readyAt as number));
    return {
      records: results.map((m) => m.finished.record),
      window: measurementWindow(
        results.map((m) => m.finished.record),
        results.reduce((t, m) => Math.max(t, m.finished.completedAt), -Infinity),
        startedAt,
      ),
      clientHealth: assessClientHealth(summarizeSlips(slips), eventLoopDelayMs, {
        queued: results.filter((m) => m.finished.record.queuedForConnection === true).length,
        requests: results.length,
      }),
      warmup,
    };
  } finally {
    done.abort();
    opts.signal?.removeEventListener('abort', onCallerAbort);
  }
}

interface LoopContext {
  opts: RunScenarioOptions;
  inFlight: InFlightRequests;
  stop: AbortSignal;
  sleep: SleepUntil;
  startedAt: EpochMs;
  results: Measured[];
}

async function runWarmup(specs: readonly RequestSpec[], inFlight: InFlightRequests, stop: AbortSignal): Promise<ScenarioRun['warmup']> {
  let sent = 0;
  let failed = 0;
  // One at a time: the warmup only has to wake the server (first-request compilation,
  // cold caches), not load it.
  for (const spec of specs) {
    if (stop.aborted) break;
    const { record } = await inFlight.start(spec, null);
    sent++;
    if (record.status !== 'ok') failed++;
  }
  return { sent, failed };
}

function specAt(source: SpecSource, index: number): RequestSpec | undefined {
  return typeof source === 'function' ? source(index) : source[index];
}

/** When sending must stop: `duration_s` after the start (no limit without it). */
function sendingEndsAt(ctx: LoopContext): EpochMs {
  const duration = ctx.opts.scenario.load.duration_s;
  return duration === undefined ? Infinity : ctx.startedAt + duration * 1000;
}

async function runOpenLoop(ctx: LoopContext): Promise<void> {
  const { opts, inFlight, stop, sleep, startedAt, results } = ctx;
  const { load } = opts.scenario;
  // The config requires a rate for open loops, except a trace replay, whose requests carry their own arrival times.
  const offsets = scenarioArrivals(opts.scenario, opts.seed);
  const slots = load.concurrency !== undefined ? new Slots(load.concurrency) : null;
  const limit = load.requests ?? Infinity;
  const endsAt = sendingEndsAt(ctx);
  const running: Promise<void>[] = [];

  for (let i = 0; i < limit; i++) {
    const spec = specAt(opts.measured, i);
    if (spec === undefined) break;
    // A trace's own timestamps win over generated arrivals.
    const offset = spec.arrivalOffsetMs ?? offsets?.next().value;
    if (offset === undefined) throw new InputError(`scenario '${opts.scenario.name}': request ${spec.id} has no arrival time and load.rate is not set`);
    const scheduledAt = startedAt + offset;
    if (scheduledAt >= endsAt) break;
    await sleep(scheduledAt, opts.clock, stop);
    if (stop.aborted) break;
    let readyAt = scheduledAt;
    if (slots && !slots.tryAcquire()) {
      // Sent late when a slot frees; scheduledAt stays the plan, so the wait shows in
      // latency-from-schedule (vLLM's --max-concurrency semantics).
      if (!(await slots.acquire(stop))) break;
      readyAt = opts.clock.now();
      if (readyAt >= endsAt) {
        slots.release();
        break;
      }
    }
    running.push(
      inFlight.start(spec, scheduledAt).then((finished) => {
        slots?.release();
        results.push({ index: i, finished, readyAt });
      }),
    );
  }
  await Promise.all(running);
}

async function runClosedLoop(ctx: LoopContext): Promise<void> {
  const { opts, inFlight, stop, results } = ctx;
  const limit = opts.scenario.load.requests ?? Infinity;
  const workers = opts.scenario.load.concurrency as number; // required by the schema for closed loops
  const endsAt = sendingEndsAt(ctx);
  let next = 0;
  let exhausted = false;

  const thinkMs = opts.scenario.load.think_time_ms ?? 0;
  const rampMs = (opts.scenario.load.ramp_up_s ?? 0) * 1000;

  const worker = async (user: number): Promise<void> => {
    // Ramp-up: user k joins at k/users of the ramp (k6's ramping users, linearly).
    if (rampMs > 0 && user > 0) await ctx.sleep(ctx.startedAt + (user * rampMs) / workers, opts.clock, stop);
    while (!stop.aborted && !exhausted && next < limit && opts.clock.now() < endsAt) {
      const index = next++;
      const spec = specAt(opts.measured, index);
      if (spec === undefined) {
        exhausted = true;
        return;
      }
      const finished = await inFlight.start(spec, null);
      results.push({ index, finished, readyAt: null });
      if (thinkMs > 0) await ctx.sleep(opts.clock.now() + thinkMs, opts.clock, stop);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, user) => worker(user)));
}

/**
 * The measurement window: the steady part of the run, from the first measured response
 * (before it the pipeline is still filling: nothing can have completed yet) to the last
 * measured send (after it the offered load stops and the drain tail begins: requests still
 * in flight finish under a falling load). Work is counted in it half-open, (start, end], so
 * completions, tokens and goodput per second over it are unbiased in a steady state; warmup
 * is never in it. A run with no steady phase (a burst, or so few requests that under half of
 * the successful ones completed inside that span) keeps the whole span instead, first send
 * to last completion, so its throughput is still defined (docs/load.md).
 */
export function measurementWindow(records: readonly RequestRecord[], lastCompletion: EpochMs, startedAt: EpochMs): ScenarioRun['window'] {
  if (records.length === 0) return { startMs: startedAt, endMs: startedAt };
  let firstSend = Infinity;
  let lastSend = -Infinity;
  let firstDone = Infinity;
  const done: number[] = [];
  for (const r of records) {
    firstSend = Math.min(firstSend, r.sentAt);
    lastSend = Math.max(lastSend, r.sentAt);
    if (r.status === 'ok') {
      const t = completionTime(r);
      if (t !== null) {
        done.push(t);
        firstDone = Math.min(firstDone, t);
      }
    } else if (r.status !== 'cancelled') {
      // A failure is a response too (issue 9): early 429s or refusals must not push the window
      // past them, or a run that fails at first would look as healthy as one that never did.
      firstDone = Math.min(firstDone, failureEnd(r));
    }
  }
  const full = { startMs: firstSend, endMs: Math.max(lastSend, lastCompletion) };
  if (!(firstDone < lastSend)) return full;
  const inside = done.filter((t) => t > firstDone && t <= lastSend).length;
  return inside * 2 >= done.length ? { startMs: firstDone, endMs: lastSend } : full;
}

/** When a failed request ended, as far as its record tells: its last byte seen, at least its send. */
function failureEnd(r: RequestRecord): EpochMs {
  const lastChunk = r.chunkOffsetsMs.length > 0 ? r.chunkOffsetsMs[r.chunkOffsetsMs.length - 1] : 0;
  return r.sentAt + Math.max(0, r.headersMs ?? 0, r.e2eMs ?? 0, r.streamEndMs ?? 0, lastChunk);
}

function startProgress(
  opts: RunScenarioOptions,
  results: readonly Measured[],
  inFlight: InFlightRequests,
  startedAt: EpochMs,
  sleep: SleepUntil,
  done: AbortSignal,
): { emit(): void } {
  const interval = opts.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  let lastAt = startedAt;
  let lastDone = 0;
  const emit = (): void => {
    if (!opts.onProgress) return;
    const now = opts.clock.now();
    const doneCount = results.length;
    const errors = results.filter((m) => m.finished.record.status !== 'ok').length;
    const spanS = (now - lastAt) / 1000;
    opts.onProgress({
      done: doneCount,
      errors,
      inFlight: inFlight.count,
      elapsedS: (now - startedAt) / 1000,
      currentRate: spanS > 0 ? (doneCount - lastDone) / spanS : 0,
    });
    lastAt = now;
    lastDone = doneCount;
  };
  if (opts.onProgress) {
    void (async () => {
      for (let at = startedAt + interval; ; at += interval) {
        await sleep(at, opts.clock, done);
        if (done.aborted) return;
        emit();
      }
    })();
  }
  return { emit };
}
