// A pool of worker threads, each with its own event loop and LlmClient, for loads one event
// loop cannot time exactly (thousands of streams: parsing and timers on one thread make
// every chunk's timestamp late by the time spent on the others). It has LlmClient's API, so
// the runner's SendFn stays `(spec, scheduledAt, signal) => sender.send(…)`.
//
// Records come back whole and already in the main thread's time base (thread-clock.ts).
// Each request goes to the worker with the fewest in flight, so with `connections` split
// evenly no worker ever needs more sockets than its share.
//
// The worker's code is this very module, re-entered: `new Worker(<this file>)` with
// workerData marking the role, and the bootstrap at the bottom. That holds in every form the
// code runs in — TypeScript under tsx (the worker gets the tsx loader), tsc output, and the
// ncc bundle (one file: the worker loads the whole bundle, whose entry points only act on
// the main thread).

import { failedRecord } from './record.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import type { Clock, RequestError, RequestRecord, RequestSpec } from '../types.js';
import { LlmClient } from './client.js';
import type { ClientOptions, SendOptions } from './client.js';
import { mainTimeBaseOffset } from './thread-clock.js';
import { CLIENT_WORKER_ROLE, isClientWorkerData } from './worker-protocol.js';
import type { ClientWorkerData, FromWorker, ToWorker } from './worker-protocol.js';
import { serveClientWorker } from './worker-serve.js';

/** What the runner needs of a client: LlmClient and ClientWorkerPool both are one. */
export interface RequestSender {
  /** Never rejects: failures are records. */
  send(spec: RequestSpec, opts: SendOptions): Promise<RequestRecord>;
  close(): Promise<void>;
}

export interface WorkerPoolOptions extends Omit<ClientOptions, 'clock'> {
  /** Worker threads, ≥ 1. */
  workers: number;
  /** How long a worker may take to start (ms). */
  startTimeoutMs?: number;
}

/** How long close() waits for a worker to finish before terminating it. */
const CLOSE_TIMEOUT_MS = 10_000;
const DEFAULT_START_TIMEOUT_MS = 30_000;

interface Pending {
  spec: RequestSpec;
  scheduledAt: RequestRecord['scheduledAt'];
  resolve: (record: RequestRecord) => void;
  detach: () => void;
  postedAt: number;
}

class WorkerHandle {
  readonly pending = new Map<number, Pending>();
  private closedWaiters: Array<() => void> = [];
  exited = false;

  constructor(
    readonly worker: Worker,
    private readonly fail: (handle: WorkerHandle, why: string) => void,
  ) {
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (err) => this.fail(this, `the client worker thread failed: ${err.message}`));
    worker.on('exit', (code) => {
      this.exited = true;
      this.fail(this, `the client worker thread exited (code ${code})`);
      for (const wake of this.closedWaiters.splice(0)) wake();
    });
  }

  post(message: ToWorker): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  whenExited(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  private onMessage(message: FromWorker): void {
    if (message.type !== 'record') return;
    const entry = this.pending.get(message.seq);
    if (entry === undefined) return;
    this.pending.delete(message.seq);
    entry.detach();
    entry.resolve(message.record);
  }
}

/** How to start a client worker: this module's file, or under TypeScript a bootstrap that registers tsx first. */
function workerScript(): { script: string; evalCode: boolean } {
  const path = fileURLToPath(import.meta.url);
  if (!path.endsWith('.ts')) return { script: path, evalCode: false };
  // Under tsx or vitest the worker must load TypeScript too. `--import tsx` in a worker's
  // execArgv is not honoured on Node 20, so the bootstrap registers tsx's loader itself.
  return { script: `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`, evalCode: true };
}

/** tsx's ESM API module (dev-only; the name is in a variable so the bundler leaves it alone). */
function tsxApiUrl(): string {
  const name = 'tsx';
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = manifest.exports['./esm/api']?.import?.default;
  if (entry === undefined) throw new Error('tsx has no ./esm/api export: cannot start a TypeScript client worker');
  return pathToFileURL(join(dirname(manifestPath), entry)).href;
}

function failedRecordOf(p: Pending, kind: RequestError['kind'], message: string): RequestRecord {
  return failedRecord(p.spec, p.scheduledAt, p.postedAt, 'cancelled', { kind, message });
}

export class ClientWorkerPool implements RequestSender {
  private seq = 0;
  private closing = false;

  private constructor(
    private readonly handles: WorkerHandle[],
    private readonly clockNow: () => number,
  ) {}

  /** Starts `workers` threads and resolves once every one is ready to send. */
  static async start(opts: WorkerPoolOptions): Promise<ClientWorkerPool> {
    const count = Math.max(1, Math.floor(opts.workers));
    const { workers: _workers, startTimeoutMs, ...clientOptions } = opts;
    const perWorker = Math.max(1, Math.ceil(clientOptions.connections / count));
    const data: ClientWorkerData = {
      role: CLIENT_WORKER_ROLE,
      client: { ...clientOptions, connections: perWorker },
      timeBaseOffsetMs: mainTimeBaseOffset(),
    };
    const script = workerScript();
    const handles: WorkerHandle[] = [];
    const pool = new ClientWorkerPool(handles, () => performance.timeOrigin + performance.now());
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(script.script, { eval: script.evalCode, workerData: data });
      const handle = new WorkerHandle(worker, (h, why) => pool.failAll(h, why));
      handles.push(handle);
      ready.push(waitForReady(worker, startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS));
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await Promise.all(handles.map((h) => h.worker.terminate()));
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.handles.length;
  }

  /** Requests sent and not yet answered, per worker. */
  inFlightPerWorker(): number[] {
    return this.handles.map((h) => h.pending.size);
  }

  send(spec: RequestSpec, opts: SendOptions): Promise<RequestRecord> {
    // A function cannot cross threads: workers count outputs without usage by the estimate.
    const { signal, countOutputTokens: _local, ...wire } = opts;
    const handle = this.leastBusy();
    const seq = ++this.seq;
    return new Promise<RequestRecord>((resolve) => {
      const onAbort = (): void => handle.post({ type: 'cancel', seq });
      const entry: Pending = {
        spec,
        scheduledAt: opts.scheduledAt,
        resolve,
        detach: () => signal?.removeEventListener('abort', onAbort),
        postedAt: this.clockNow(),
      };
      if (handle.exited || this.closing) {
        resolve(failedRecordOf(entry, 'cancelled', 'the client worker threads are closed; the request was not sent'));
        return;
      }
      handle.pending.set(seq, entry);
      handle.post({ type: 'send', seq, spec, opts: wire });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waits for requests in flight, then stops the workers (terminating any that hang). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(
      this.handles.map(async (h) => {
        h.post({ type: 'close' });
        const timer = setTimeout(() => void h.worker.terminate(), CLOSE_TIMEOUT_MS);
        await h.whenExited();
        clearTimeout(timer);
      }),
    );
  }

  private leastBusy(): WorkerHandle {
    let best = this.handles[0];
    for (const h of this.handles) {
      if (h.exited) continue;
      if (best.exited || h.pending.size < best.pending.size) best = h;
    }
    return best;
  }

  /** A worker is gone: its requests end as cancelled records, none is lost or left hanging. */
  private failAll(handle: WorkerHandle, why: string): void {
    if (handle.pending.size === 0) return;
    const message = this.closing ? `${why} while closing; the request did not finish` : `${why}; the request did not finish`;
    for (const [seq, entry] of handle.pending) {
      handle.pending.delete(seq);
      entry.detach();
      entry.resolve(failedRecordOf(entry, 'cancelled', message));
    }
  }
}

function waitForReady(worker: Worker, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`a client worker thread did not start within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: FromWorker): void => {
      if (m.type === 'ready') done(null);
    };
    const onError = (err: Error): void => done(new Error(`a client worker thread failed to start: ${err.message}`));
    const onExit = (code: number): void => done(new Error(`a client worker thread exited while starting (code ${code})`));
    function done(err: Error | null): void {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (err === null) resolve();
      else reject(err);
    }
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** Worker threads for `workers: 'auto'`: one per core, when the load is big enough to need them. */
export const AUTO_WORKERS_MIN_IN_FLIGHT = 512;

/**
 * How many worker threads to use: 0 means the client runs on the main thread. 'auto' uses
 * one per core (at most 8) once the load keeps AUTO_WORKERS_MIN_IN_FLIGHT requests in flight.
 */
export function resolveWorkerCount(setting: number | 'auto' | undefined, maxInFlight: number, cores = availableParallelism()): number {
  if (typeof setting === 'number') return Math.max(0, Math.floor(setting));
  if (maxInFlight < AUTO_WORKERS_MIN_IN_FLIGHT || cores < 2) return 0;
  return Math.min(8, cores);
}

/**
 * An LlmClient on this thread (`workers` 0, with the given clock), or a pool of `workers`
 * threads (which read the system clock: a clock cannot cross threads).
 */
export async function createRequestSender(opts: WorkerPoolOptions & { clock?: Clock }): Promise<RequestSender> {
  const { workers, startTimeoutMs, clock, ...clientOptions } = opts;
  if (workers < 1) return new LlmClient({ ...clientOptions, clock });
  return ClientWorkerPool.start({ ...clientOptions, workers, startTimeoutMs });
}

// In a client worker thread: serve the pool (see the top of this file).
if (!isMainThread && isClientWorkerData(workerData)) serveClientWorker(workerData);
