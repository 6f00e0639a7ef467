// `--workers N` for the bench mode: N processes (node:cluster) share one listening port, so
// a server on one core is never what limits a client benchmark. Each worker writes its own
// send log, `<path>.<worker id>` (ids 1..N); merge them by concatenation (every line is one
// request). With keepSendLog the primary collects the workers' entries when it closes.

import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EngineParams } from './engine-params.js';
import type { FixedSendLogEntry } from './fixed-schedule.js';
import type { SimOptions, SimServer } from './server.js';

/** The environment variable that carries a worker's options (JSON) and marks a process as one. */
export const WORKER_ENV = 'LLM_PERF_GATE_SIM_WORKER';

type ToPrimary = { type: 'listening'; port: number } | { type: 'log'; entries: FixedSendLogEntry[] } | { type: 'error'; message: string };

/** The worker's options: serializable only (no clock), and its own send-log file. */
function workerOptions(opts: SimOptions): SimOptions {
  const copy: SimOptions = { ...opts, workers: 1, mode: 'fixed-schedule' };
  delete copy.clock;
  return copy;
}

/** Where workers start: the worker entry next to this module when it exists (tsx or tsc build), else this process's own script (the bundled CLI re-runs `sim …`, and simCommand hands over to runFixedWorker). */
function setupWorkers(): void {
  const here = import.meta.url;
  const ext = here.endsWith('.ts') ? 'ts' : 'js';
  const entry = fileURLToPath(new URL(`./fixed-worker.${ext}`, here));
  if (existsSync(entry)) cluster.setupPrimary({ exec: entry, args: [], execArgv: ext === 'ts' ? ['--import', 'tsx'] : [], silent: false });
}

export async function startFixedCluster(opts: SimOptions, params: EngineParams): Promise<SimServer> {
  if (!cluster.isPrimary) throw new Error('startFixedCluster must run in the primary process');
  const n = opts.workers ?? 1;
  setupWorkers();
  const base = workerOptions(opts);
  const workers: Worker[] = [];
  const sendLog: FixedSendLogEntry[] = [];
  const ports = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const w = cluster.fork({
        [WORKER_ENV]: JSON.stringify({ ...base, ...(opts.sendLogPath ? { sendLogPath: `${opts.sendLogPath}.${i + 1}` } : {}) }),
      });
      workers.push(w);
      return new Promise<number>((resolve, reject) => {
        const onExit = (code: number | null): void => reject(new Error(`simulator worker ${i + 1} exited (code ${code}) before listening`));
        w.once('exit', onExit);
        w.on('message', (m: ToPrimary) => {
          if (m.type === 'listening') {
            w.off('exit', onExit);
            resolve(m.port);
          } else if (m.type === 'error') reject(new Error(m.message));
        });
      });
    }),
  ).catch(async (e: unknown) => {
    for (const w of workers) w.kill();
    throw e;
  });
  const port = ports[0];
  const host = opts.host ?? '127.0.0.1';
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sendLog,
    params,
    flavor: 'vllm',
    close: () => {
      closed ??= Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              w.on('message', (m: ToPrimary) => {
                if (m.type === 'log') sendLog.push(...m.entries);
              });
              w.once('exit', () => resolve());
              w.send({ type: 'shutdown' });
              // A worker that does not stop within 5 s is killed.
              setTimeout(() => w.kill('SIGKILL'), 5000).unref();
            }),
        ),
      ).then(() => undefined);
      return closed;
    },
  };
}

/** Runs this process as a bench worker when the primary started it so; resolves false otherwise. */
export async function runFixedWorkerIfAsked(): Promise<boolean> {
  const raw = process.env[WORKER_ENV];
  if (!cluster.isWorker || raw === undefined) return false;
  const send = (m: ToPrimary): Promise<void> =>
    new Promise((resolve) => {
      if (!process.send || !process.connected) return resolve();
      process.send(m, undefined, {}, () => resolve());
    });
  try {
    const opts = JSON.parse(raw) as SimOptions;
    const { startFixedServer } = await import('./fixed-schedule.js');
    const { resolveEngineParams } = await import('./server.js');
    const sim = await startFixedServer(opts, resolveEngineParams(opts));
    await send({ type: 'listening', port: sim.port });
    await new Promise<void>((resolve) => {
      process.on('message', (m: { type?: string }) => {
        if (m?.type === 'shutdown') resolve();
      });
      // The primary is gone (killed): stop too.
      process.on('disconnect', () => resolve());
    });
    await sim.close();
    if (opts.keepSendLog) await send({ type: 'log', entries: sim.sendLog });
  } catch (e) {
    await send({ type: 'error', message: (e as Error).message });
  }
  process.disconnect?.();
  return true;
}
