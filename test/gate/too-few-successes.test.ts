// The one "too few successes" rule shared by the gate, `run`, the shard jobs and paired rounds.
import { describe, expect, it } from 'vitest';
import { runFailures } from '../../src/gate/too-few-successes.js';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import type { ErrorKind, RequestRecord, RunResult } from '../../src/types.js';
import { syntheticRun } from './fixtures.js';

/** The run with request i failed as kinds[i] (undefined keeps it), metrics recomputed. */
function failing(run: RunResult, kinds: (ErrorKind | undefined)[]): RunResult {
  const s = run.scenarios[0];
  const requests: RequestRecord[] = s.requests.map((r, i) => {
    const kind = kinds[i];
    if (!kind) return r;
    return { ...r, status: 'error', error: { kind, message: `${kind} #${i}` }, ttftMs: null, e2eMs: null, streamEndMs: null, outputTokens: null, chunkOffsetsMs: [] };
  });
  return { ...run, scenarios: [{ ...s, requests, metrics: computeScenarioMetrics(requests, s.window) }] };
}

describe('runFailures', () => {
  const run = syntheticRun({ workloadSeed: 1, runSeed: 1, factor: 1, requests: 10 });

  it('says nothing when enough requests succeeded', () => {
    expect(runFailures(run, 5)).toEqual([]);
    expect(runFailures(failing(run, ['deadline', 'connect']), 5)).toEqual([]);
  });

  it('names the most common failure and the first message of that kind', () => {
    const kinds: (ErrorKind | undefined)[] = ['connect', 'deadline', 'deadline', 'http_status', 'deadline', 'connect', 'deadline', undefined, undefined, 'connect'];
    expect(runFailures(failing(run, kinds), 5)).toEqual([
      "scenario 'synthetic': only 2 of 10 requests succeeded (need 5 to measure; 4 × deadline: deadline #1)",
    ]);
  });

  it('breaks a tie between kinds by name, so the line is the same on every run', () => {
    const kinds: (ErrorKind | undefined)[] = ['deadline', 'connect', 'deadline', 'connect', undefined, 'deadline', 'connect', 'http_status', 'http_status', 'http_status'];
    expect(runFailures(failing(run, kinds), 5)[0]).toBe(
      "scenario 'synthetic': only 1 of 10 requests succeeded (need 5 to measure; 3 × connect: connect #1)",
    );
  });

  it('uses min_successful as given, and calls a run without scenarios a failure', () => {
    expect(runFailures(run, 11)).toEqual(["scenario 'synthetic': only 10 of 10 requests succeeded (need 11 to measure)"]);
    expect(runFailures({ ...run, scenarios: [] }, 5)).toEqual(['the run has no scenarios']);
  });
});
