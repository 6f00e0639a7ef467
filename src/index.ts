// The action's entry point (action.yml `main`): runs main and turns a crash into one failed line.
import { isMainThread } from 'node:worker_threads';
import * as core from '@actions/core';
import { run } from './main.js';

// Only on the main thread: the client's worker threads re-enter this bundle (src/client/worker-pool.ts).
if (isMainThread) {
  run().catch((err: unknown) => {
    core.setOutput('verdict', 'error');
    core.setFailed(`llm-perf-gate: internal error, please report it: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  });
}
