// Runs the simulator (startSim) in a worker thread, so that its CPU work (parsing prompts
// of 100k tokens, stepping the batch) does not share the event loop whose schedule slip a
// test measures. This module is both the helper (main thread) and the worker's code.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startSim, type SimOptions } from '../../src/sim/server.js';

export interface SimInWorker {
  url: string;
  close(): Promise<void>;
}

function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api'].import!.default!)).href;
}

export async function startSimInWorker(opts: SimOptions): Promise<SimInWorker> {
  const code = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(code, { eval: true, workerData: opts });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { url: string }) => resolve(m.url));
    worker.once('error', reject);
  });
  return {
    url,
    close: async () => {
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage('close');
      await exited;
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const sim = await startSim(workerData as SimOptions);
  port.postMessage({ url: sim.url });
  port.once('message', () => {
    void sim.close().then(() => port.close());
  });
}
