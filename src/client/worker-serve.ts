// The worker thread's side of the client pool: one LlmClient on this thread's event loop,
// stamping times with the main thread's time base, answering each `send` with its record.

import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { LlmClient } from './client.js';
import { sharedMonotonicClock } from './thread-clock.js';
import type { ClientWorkerData, FromWorker, ToWorker } from './worker-protocol.js';

export function serveClientWorker(data: ClientWorkerData, port: MessagePort | null = parentPort): void {
  if (port === null) throw new Error('serveClientWorker must run in a worker thread');
  const client = new LlmClient({ ...data.client, clock: sharedMonotonicClock(data.timeBaseOffsetMs) });
  const cancels = new Map<number, AbortController>();
  const post = (message: FromWorker): void => port.postMessage(message);

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'send': {
        const controller = new AbortController();
        cancels.set(message.seq, controller);
        void client.send(message.spec, { ...message.opts, signal: controller.signal }).then((record) => {
          cancels.delete(message.seq);
          post({ type: 'record', seq: message.seq, record });
        });
        return;
      }
      case 'cancel':
        cancels.get(message.seq)?.abort();
        return;
      case 'close':
        void client.close().then(() => {
          post({ type: 'closed' });
          port.close();
        });
        return;
    }
  });
  post({ type: 'ready' });
}
