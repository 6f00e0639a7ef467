// The messages between the main thread and a client worker thread (structured clones).

import type { RequestRecord, RequestSpec } from '../types.js';
import type { ClientOptions, SendOptions } from './client.js';

/** Marks a thread started as a client worker (workerData.role). */
export const CLIENT_WORKER_ROLE = 'llm-perf-gate/client-worker';

/** What a worker is started with. */
export interface ClientWorkerData {
  role: typeof CLIENT_WORKER_ROLE;
  /** The worker's own LlmClient (its share of the connections); no clock: see timeBaseOffsetMs. */
  client: Omit<ClientOptions, 'clock'>;
  /** The main thread's time base minus the shared monotonic clock (thread-clock.ts). */
  timeBaseOffsetMs: number;
}

export function isClientWorkerData(data: unknown): data is ClientWorkerData {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === CLIENT_WORKER_ROLE;
}

/** SendOptions without the signal, which cannot cross threads: a `cancel` message stands for it. */
export type WireSendOptions = Omit<SendOptions, 'signal'>;

export type ToWorker =
  | { type: 'send'; seq: number; spec: RequestSpec; opts: WireSendOptions }
  | { type: 'cancel'; seq: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'record'; seq: number; record: RequestRecord }
  | { type: 'closed' };
