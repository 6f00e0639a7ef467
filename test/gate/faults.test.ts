// The gate under faults (issue 9): an error rate over its limit is its own regression with
// reason `errors`, never disguised as a latency change; a run with too few successful
// requests is `error`, never `pass`; a run whose verdict is `error` is never saved.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSavable } from '../../src/baseline/store.js';
import { exitCodeFor, gateRun } from '../../src/gate/gate.js';
import type { OverallVerdict } from '../../src/gate/types.js';
import type { ActionContext } from '../../src/github/context.js';
import { shouldSaveBaseline } from '../../src/github/decide.js';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import type { ErrorKind, RequestRecord, RunResult } from '../../src/types.js';
import { Random } from '../../src/workload/random.js';
import { syntheticRun } from './fixtures.js';

const LATENCY_KEYS = ['ttft_ms', 'tpot_ms', 'itl_ms', 'e2e_ms', 'output_latency_ms'];

/**
 * Request `r` as the client records a failure of `kind`: an HTTP error has no timing past
 * the headers; a reset mid-stream keeps the TTFT and a short partial E2E (it would look
 * faster if it were counted); a timeout has a long partial E2E (it would look slower).
 */
function failed(r: RequestRecord, kind: ErrorKind): RequestRecord {
  const base = { ...r, status: 'error' as const, streamEndMs: null, outputTokens: null, inputTokens: null, tokenSource: 'estimate' as const };
  switch (kind) {
    case 'http_status':
      return { ...base, error: { kind, httpStatus: 503, message: 'HTTP 503: Server busy' }, ttftMs: null, e2eMs: null, chunkOffsetsMs: [], headersMs: 1 };
    case 'truncated':
      return { ...base, error: { kind, message: 'the connection broke mid-stream' }, e2eMs: r.ttftMs, chunkOffsetsMs: r.chunkOffsetsMs.slice(0, 1) };
    case 'idle_timeout':
      return { ...base, status: 'timeout', error: { kind, message: 'no bytes for 1000 ms' }, ttftMs: (r.ttftMs ?? 0) * 20, e2eMs: (r.ttftMs ?? 0) * 20, chunkOffsetsMs: [(r.ttftMs ?? 0) * 20] };
    default:
      return { ...base, error: { kind, message: kind }, ttftMs: null, e2eMs: null, chunkOffsetsMs: [] };
  }
}

/** The run with the requests at `indices` failed as `kind`, metrics recomputed as the pipeline does. */
function withFailures(run: RunResult, failures: Map<number, ErrorKind>): RunResult {
  const s = run.scenarios[0];
  const requests = s.requests.map((r, i) => (failures.has(i) ? failed(r, failures.get(i) as ErrorKind) : r));
  return { ...run, scenarios: [{ ...s, requests, metrics: computeScenarioMetrics(requests, s.window) }] };
}

/** `count` distinct request indices of `n`, seeded, each with a kind from `kinds` in turn. */
function pickFailures(n: number, count: number, kinds: ErrorKind[], seed: number): Map<number, ErrorKind> {
  const rng = new Random(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return new Map(order.slice(0, count).map((idx, k) => [idx, kinds[k % kinds.length]]));
}

const OPTS = { bootstrapReplicates: 300, seed: 5 };

describe('error rate under faults', () => {
  const baseline = syntheticRun({ workloadSeed: 1, runSeed: 1, factor: 1 });
  const clean = syntheticRun({ workloadSeed: 1, runSeed: 2, factor: 1 });

  it('the clean pair passes (the test below is about the errors alone)', () => {
    const d = gateRun(clean, [baseline], OPTS);
    expect(d.verdict).toBe('pass');
  });

  it('10 % failures of three kinds: a regression with reason errors, latency unchanged', () => {
    const current = withFailures(clean, pickFailures(200, 20, ['http_status', 'truncated', 'idle_timeout'], 7));
    const m = current.scenarios[0].metrics;
    expect(m.failed).toBe(20);
    expect(m.error_rate).toBe(0.1);
    expect(m.errors_by_kind).toEqual({ http_status: 7, truncated: 7, idle_timeout: 6 });
    // Failed requests are left out of every latency distribution.
    for (const key of LATENCY_KEYS.filter((k) => k !== 'itl_ms')) {
      expect((m as unknown as Record<string, { count: number }>)[key].count, key).toBe(180);
    }
    const d = gateRun(current, [baseline], OPTS);
    expect(d.verdict).toBe('regression');
    const limit = d.limits.find((l) => l.metric === 'error_rate');
    expect(limit).toMatchObject({ breached: true, reason: 'errors', value: 0.1 });
    expect(d.comparisons.find((c) => c.metric === 'error_rate')?.verdict).toBe('regression');
    for (const c of d.comparisons.filter((x) => LATENCY_KEYS.includes(x.metric))) {
      expect(c.verdict, `${c.metric}.${c.statistic}`).toBe('unchanged');
    }
    expect(d.reasons).toContain('scenario synthetic: error_rate = 0.1 breaks the limit < 0.01');
    expect(d.reasons.some((r) => LATENCY_KEYS.some((k) => r.includes(`${k}.`) && r.includes('regressed')))).toBe(false);
  });

  it('is a regression with reason errors without a baseline too', () => {
    const current = withFailures(clean, pickFailures(200, 6, ['connect'], 3));
    const d = gateRun(current, [], OPTS);
    expect(d.verdict).toBe('regression');
    expect(d.limits).toEqual([
      { scenario: 'synthetic', metric: 'error_rate', statistic: 'value', limit: '< 0.01', value: 0.03, breached: true, reason: 'errors' },
    ]);
    expect(exitCodeFor(d, 'regression')).toBe(1);
  });

  it('a failure rate within the limit does not cry wolf', () => {
    const current = withFailures(clean, pickFailures(200, 1, ['truncated'], 4));
    const d = gateRun(current, [baseline], OPTS);
    expect(d.verdict).toBe('pass');
    expect(d.limits.every((l) => !l.breached)).toBe(true);
    expect(d.comparisons.find((c) => c.metric === 'error_rate')?.verdict).toBe('unchanged');
  });
});

describe('too few successful requests', () => {
  const baseline = syntheticRun({ workloadSeed: 1, runSeed: 1, factor: 1, requests: 40 });

  it('is error, never pass, whatever fails and whatever min_successful (property)', () => {
    const kinds: ErrorKind[] = ['connect', 'http_status', 'stream_error', 'truncated', 'malformed', 'deadline', 'idle_timeout', 'cancelled'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.boolean(),
        (n, minSuccessful, seed, withBaseline) => {
          const run = syntheticRun({ workloadSeed: 1, runSeed: 2, factor: 1, requests: n });
          // Keep fewer than minSuccessful successes: fail all the others.
          const keep = Math.min(n, seed % minSuccessful);
          const current = withFailures(run, pickFailures(n, n - keep, kinds, seed));
          expect(current.scenarios[0].metrics.completed).toBe(keep);
          const d = gateRun(current, withBaseline ? [baseline] : [], { ...OPTS, minSuccessful });
          expect(d.verdict).toBe('error');
          expect(d.comparisons).toEqual([]);
          const byKind = Object.entries(current.scenarios[0].metrics.errors_by_kind).map(([k, c]) => [k, c ?? 0] as const);
          const topCount = Math.max(...byKind.map(([, c]) => c));
          const top = byKind.filter(([, c]) => c === topCount).map(([k]) => k).sort()[0];
          const why = keep === n ? '' : `; ${topCount} × ${top}: .+`;
          expect(d.reasons[0]).toMatch(new RegExp(`^scenario 'synthetic': only ${keep} of ${n} requests succeeded \\(need ${minSuccessful} to measure${why}\\)$`));
          expect(exitCodeFor(d, 'regression')).toBe(3);
          expect(isSavable(d.verdict)).toBe(false);
        },
      ),
      { numRuns: 150, seed: 9 },
    );
  });

  it('with enough successes but errors over the limit, is never pass (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 60 }), fc.integer({ min: 1, max: 15 }), fc.nat(), (n, failures, seed) => {
        const run = syntheticRun({ workloadSeed: 1, runSeed: 2, factor: 1, requests: n });
        const current = withFailures(run, pickFailures(n, failures, ['http_status', 'truncated'], seed));
        const d = gateRun(current, [baseline], OPTS);
        expect(d.verdict).toBe('regression');
        expect(d.limits.some((l) => l.metric === 'error_rate' && l.breached && l.reason === 'errors')).toBe(true);
      }),
      { numRuns: 40, seed: 10 },
    );
  });

  it('a scenario with no requests at all, or a run with no scenarios, is error', () => {
    const empty = syntheticRun({ workloadSeed: 1, runSeed: 2, factor: 1, requests: 1 });
    const s = empty.scenarios[0];
    const none: RunResult = { ...empty, scenarios: [{ ...s, requests: [], metrics: computeScenarioMetrics([], { startMs: 0, endMs: 0 }) }] };
    expect(gateRun(none, [baseline], OPTS).verdict).toBe('error');
    expect(gateRun({ ...empty, scenarios: [] }, [baseline], OPTS)).toMatchObject({ verdict: 'error', reasons: ['the run has no scenarios'] });
  });

  it('an all-failed run renders a report without a crash, saying error', () => {
    const run = syntheticRun({ workloadSeed: 1, runSeed: 2, factor: 1, requests: 10 });
    const current = withFailures(run, pickFailures(10, 10, ['connect'], 1));
    expect(current.scenarios[0].metrics.ttft_ms).toBeNull();
    const d = gateRun(current, [baseline], OPTS);
    expect(d.verdict).toBe('error');
    const md = renderMarkdownReport(d, current, [baseline]);
    expect(md).toMatch(/error/i);
    expect(md).not.toMatch(/NaN|undefined/);
  });
});

describe('which runs become the baseline', () => {
  const push: ActionContext = {
    eventName: 'push',
    owner: 'o',
    repo: 'r',
    runId: 1,
    runAttempt: 1,
    workflow: 'perf',
    job: 'bench',
    ref: 'refs/heads/main',
    refName: 'main',
    defaultBranch: 'main',
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    runnerTemp: '',
    workspace: '',
  };
  const pr: ActionContext = { ...push, eventName: 'pull_request', ref: 'refs/pull/7/merge', refName: '7/merge' };
  const verdicts: OverallVerdict[] = ['pass', 'regression', 'inconclusive', 'no-baseline', 'error'];

  it('error never; on a push to the default branch every other verdict, a merged regression included', () => {
    for (const v of verdicts) {
      expect(shouldSaveBaseline('auto', push, v), `auto/push/${v}`).toBe(v !== 'error');
      expect(shouldSaveBaseline('always', pr, v), `always/pr/${v}`).toBe(v !== 'error');
      expect(shouldSaveBaseline('auto', pr, v), `auto/pr/${v}`).toBe(false);
      expect(shouldSaveBaseline('never', push, v), `never/push/${v}`).toBe(false);
      expect(isSavable(v)).toBe(v !== 'error');
    }
  });
});
