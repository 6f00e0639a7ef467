// The action under faults (issue 9), as the runner runs it, with a `file:` baseline on pushes
// to the default branch: a healthy run is saved; a regression merged on the default branch
// (here: half the requests fail) is saved too, since the merge accepted it; a run whose
// verdict is `error` (every request fails) fails the job and is never saved.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type SimServer } from '../../src/sim/server.js';
import { pushEvent, runAction, type ActionRun } from './action-harness.js';
import { API_KEY, expectNoSecret, SECRETS } from './faults-helpers.js';

const CONFIG = `seed: 3
scenarios:
  - name: chat
    workload: { input_tokens: 32, output_tokens: 8 }
    load: { type: poisson, rate: 20, requests: 30, warmup: 0 }
    timeouts: { request_s: 5, idle_s: 2 }
`;
const BASELINE = 'perf/baseline.jsonl';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** One push to main against a simulator with `faults`, starting from the committed `history` (if any). */
async function pushRun(faults: string | undefined, history: string | undefined): Promise<{ run: ActionRun; saved: string | undefined }> {
  sim = await startSim({ port: 0, seed: 1, ...(faults ? { faults } : {}) });
  const run = await runAction({
    eventName: 'push',
    payload: pushEvent(),
    refName: 'main',
    apiUrl: 'http://127.0.0.1:9',
    inputs: { 'base-url': sim.url, 'api-key': API_KEY, config: CONFIG, baseline: `file:${BASELINE}`, 'wait-timeout': '20' },
    workspaceFiles: history === undefined ? {} : { [BASELINE]: history },
  });
  for (const text of [run.stdout, run.stderr, run.summary]) expectNoSecret(text.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n'), SECRETS);
  const path = join(run.workspace, BASELINE);
  return { run, saved: existsSync(path) ? readFileSync(path, 'utf8') : undefined };
}

const lines = (text: string | undefined) => (text ?? '').split('\n').filter((l) => l.trim() !== '');

describe('which runs the action saves as the baseline under faults', () => {
  it('saves a healthy run and a merged regression; never an error run', async () => {
    const healthy = await pushRun(undefined, undefined);
    expect(healthy.run.outputs.verdict, healthy.run.stdout).toBe('no-baseline');
    expect(lines(healthy.saved)).toHaveLength(1);

    // Half the requests fail: a regression by errors, merged on main — saved, as the merge accepted it.
    const regressed = await pushRun('500:0.5', healthy.saved);
    expect(regressed.run.outputs.verdict).toBe('regression');
    expect(regressed.run.code).toBe(1);
    expect(regressed.run.stdout + regressed.run.summary, regressed.run.stdout).toMatch(/error_rate(\.value)? = 0\.5 breaks the limit < 0\.01/);
    expect(lines(regressed.saved)).toHaveLength(2);

    // Every request fails: the run failed to measure — verdict error, the job fails, nothing saved.
    const failed = await pushRun('500:1', regressed.saved);
    expect(failed.run.outputs.verdict).toBe('error');
    expect(failed.run.code).toBe(1);
    expect(failed.run.stdout).toMatch(/::error::llm-perf-gate: the run failed: scenario 'chat': only 0 of 30 requests succeeded \(need 5 to measure; 30 × http_status: /);
    expect(failed.saved).toBe(regressed.saved);
    expect(failed.run.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
