// The action's entry point (action.yml `main`): runs main and turns a crash into one failed line.
import * as core from '@actions/core';
import { run } from './main.js';

run().catch((err: unknown) => {
  core.setOutput('verdict', 'error');
  core.setFailed(`llm-perf-gate: internal error, please report it: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
});
