import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { exitCodeFor, gateRun } from '../../src/gate/gate.js';
import { resolveThresholds } from '../../src/gate/thresholds.js';
import type { GateDecision } from '../../src/gate/types.js';
import { decideVerdict } from '../../src/gate/verdict.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import type { RunResult } from '../../src/types.js';
import { smallRun } from './fixtures.js';

describe('thresholds', () => {
  it('has defaults that work with no config', () => {
    const t = resolveThresholds();
    expect(t.relative.map((r) => `${r.metric}.${r.statistic}`)).toEqual([
      'ttft_ms.p50',
      'ttft_ms.p90',
      'tpot_ms.p50',
      'itl_ms.p50',
      'e2e_ms.p90',
      'output_token_throughput_tps.value',
      'error_rate.value',
    ]);
    expect(t.limits).toEqual([{ metric: 'error_rate', statistic: 'value', op: '<', bound: 0.01, text: '< 0.01' }]);
  });
  it('reads relative thresholds and limits, replacing defaults key by key', () => {
    const t = resolveThresholds({ 'tpot_ms.p50': '+5%', 'ttft_ms.p99': '< 2000', output_token_throughput_tps: '-4.5%', 'ttft_ms.p90': 'off' });
    expect(t.relative.find((r) => r.metric === 'tpot_ms')?.magnitude).toBeCloseTo(0.05, 12);
    expect(t.relative.find((r) => r.metric === 'output_token_throughput_tps')?.magnitude).toBeCloseTo(0.045, 12);
    expect(t.relative.some((r) => r.metric === 'ttft_ms' && r.statistic === 'p90')).toBe(false);
    expect(t.limits).toContainEqual({ metric: 'ttft_ms', statistic: 'p99', op: '<', bound: 2000, text: '< 2000' });
  });
  it('names the field in one line on a bad threshold', () => {
    expect(() => resolveThresholds({ 'ttft_ms.p77': '+5%' })).toThrow(/^thresholds\.ttft_ms\.p77: .*statistic/);
    expect(() => resolveThresholds({ ttft_ms: '+5%' })).toThrow(InputError);
    expect(() => resolveThresholds({ tpot: '+5%' })).toThrow(/unknown metric key 'tpot'/);
    expect(() => resolveThresholds({ output_token_throughput_tps: '+5%' })).toThrow(/write '-5%'/);
    expect(() => resolveThresholds({ 'tpot_ms.p50': 'five percent' })).toThrow(/cannot read 'five percent'/);
  });
});

describe('verdict rule (Contracts, first match wins)', () => {
  const base = { threshold: 0.1, twiceThreshold: 0.2, improvementThreshold: 0.1, rule: 'estimate' as const };
  it.each([
    [{ m: 0.15, lo: 0.01, hi: 0.29 }, 'regression'],
    [{ m: 0.09, lo: 0.01, hi: 0.17 }, 'unchanged'], // significant but under the threshold
    [{ m: 0.15, lo: -0.01, hi: 0.31 }, 'inconclusive'],
    [{ m: -0.15, lo: -0.3, hi: -0.01 }, 'improvement'],
    [{ m: 0.02, lo: -0.05, hi: 0.19 }, 'unchanged'],
    [{ m: 0.02, lo: -0.05, hi: 0.21 }, 'inconclusive'],
  ])('%o → %s', (v, expected) => {
    expect(decideVerdict({ ...base, ...v })).toBe(expected);
  });
  it('strict rule needs the whole interval beyond the threshold', () => {
    expect(decideVerdict({ ...base, m: 0.15, lo: 0.05, hi: 0.19, rule: 'strict' })).toBe('unchanged');
    expect(decideVerdict({ ...base, m: 0.25, lo: 0.11, hi: 0.39, rule: 'strict' })).toBe('regression');
  });
});

describe('gateRun on simulator runs', () => {
  const baseline = smallRun(1);
  it('passes an A/A pair and flags a 25 % slower server', () => {
    const aa = gateRun(smallRun(2), [baseline]);
    expect(aa.verdict).not.toBe('regression');
    const ab = gateRun(smallRun(3, 0.8), [baseline]);
    expect(ab.verdict).toBe('regression');
    const tpot = ab.comparisons.find((c) => c.metric === 'tpot_ms');
    expect(tpot?.verdict).toBe('regression');
    expect(tpot?.change).toBeGreaterThan(0.15);
    expect(tpot?.interval?.[0]).toBeGreaterThan(0);
    expect(ab.reasons.some((r) => r.includes('tpot_ms.p50 regressed'))).toBe(true);
  });
  /** The run as if its client had stalled `delayMs` (p99) and delivered `delivered` of the offered rate. */
  function starvedCopy(run: RunResult, delayMs: number, delivered = 1): RunResult {
    const health = { ...run.clientHealth, trustworthy: false, reasons: [`schedule slip p99 ${delayMs} ms over 10 ms`], scheduleSlipMs: { p50: 1, p99: delayMs, max: delayMs } };
    const scenarios = run.scenarios.map((s) => ({
      ...s,
      clientHealth: health,
      metrics: { ...s.metrics, offered_rate_rps: 4, achieved_rate_rps: 4 * delivered },
    }));
    return { ...run, clientHealth: health, scenarios };
  }
  it('does not fail on a worse figure the starved client could explain: inconclusive, saying why', () => {
    const slow = smallRun(3, 0.8);
    const d = gateRun(starvedCopy(slow, 430, 0.5), [baseline], { thresholds: { 'ttft_ms.p99': '< 1' } });
    expect(d.verdict).toBe('inconclusive');
    expect(exitCodeFor(d, 'regression')).toBe(0);
    expect(exitCodeFor(d, 'inconclusive')).toBe(1);
    const tpot = d.comparisons.find((c) => c.metric === 'tpot_ms')!;
    expect(tpot.verdict).toBe('inconclusive');
    expect(tpot.note).toMatch(/load generator fell behind/);
    // The same figures from a trustworthy client are a regression, limit and all.
    expect(gateRun(slow, [baseline], { thresholds: { 'ttft_ms.p99': '< 1' } }).verdict).toBe('regression');
    expect(d.limits.find((l) => l.metric === 'ttft_ms')).toMatchObject({ breached: true, untrusted: true });
    expect(d.reasons.some((r) => r.includes('schedule slip p99 430 ms') && r.includes('inconclusive, not a regression'))).toBe(true);
    const md = renderMarkdownReport(d, starvedCopy(slow, 430, 0.5), [baseline]);
    expect(md).toContain('⚠️ breached (slo), but the load generator fell behind: inconclusive');
    expect(md).not.toContain('❌');
  });
  it('still calls a slowdown far beyond the client\'s delay a regression', () => {
    const slow = smallRun(3, 0.8);
    // A 12 ms stall cannot make TTFT 25 % slower, nor TPOT (12 ms over 24 tokens is 0.5 ms a token).
    const d = gateRun(starvedCopy(slow, 12), [baseline]);
    expect(d.verdict).toBe('regression');
    expect(d.comparisons.find((c) => c.metric === 'tpot_ms')!.verdict).toBe('regression');
    // The client delivered the offered rate, so a throughput drop is the server's too.
    const tput = d.comparisons.find((c) => c.metric === 'output_token_throughput_tps')!;
    expect(tput.verdict).not.toBe('inconclusive');
  });
  it('counts a long stall whole, and a wait for a connection as unbounded', () => {
    const slow = smallRun(3, 0.8);
    // p99 of 3 ms cannot explain a 25 % slower TTFT, but one 500 ms stall over the bound can.
    const stalledHealth = { ...slow.clientHealth, trustworthy: false, reasons: ['stall'], eventLoopDelayMs: { p50: 0.1, p99: 3, max: 500 } };
    const stalled: RunResult = { ...slow, clientHealth: stalledHealth, scenarios: slow.scenarios.map((s) => ({ ...s, clientHealth: stalledHealth })) };
    expect(gateRun(stalled, [baseline]).comparisons.find((c) => c.metric === 'ttft_ms')!.verdict).toBe('inconclusive');
    // Requests that queued for a socket carry a wait of any length: every timed regression is inconclusive.
    const queuedHealth = { ...slow.clientHealth, trustworthy: false, reasons: ['queued'] };
    const queued: RunResult = {
      ...slow,
      clientHealth: queuedHealth,
      scenarios: slow.scenarios.map((s) => ({ ...s, clientHealth: queuedHealth, requests: s.requests.map((r, i) => (i === 0 ? { ...r, queuedForConnection: true as const } : r)) })),
    };
    const d = gateRun(queued, [baseline]);
    expect(d.comparisons.filter((c) => c.metric !== 'error_rate' && c.metric !== 'output_token_throughput_tps').every((c) => c.verdict !== 'regression')).toBe(true);
  });
  it('still fails a starved run on its errors: they are counted, not timed', () => {
    const slow = smallRun(3);
    const s = slow.scenarios[0];
    const starved: RunResult = {
      ...slow,
      clientHealth: { ...slow.clientHealth, trustworthy: false, reasons: ['event-loop delay'] },
      scenarios: [{ ...s, metrics: { ...s.metrics, error_rate: 0.2 } }],
    };
    const d = gateRun(starved, [baseline]);
    expect(d.verdict).toBe('regression');
    expect(d.limits.find((l) => l.metric === 'error_rate')).toMatchObject({ breached: true, reason: 'errors' });
    expect(d.limits.find((l) => l.metric === 'error_rate')?.untrusted).toBeUndefined();
  });
  it('is reproducible', () => {
    const current = smallRun(4);
    expect(gateRun(current, [baseline])).toEqual(gateRun(current, [baseline]));
  });
  it('says no-baseline without history, but still applies limits', () => {
    const d = gateRun(smallRun(5), []);
    expect(d.verdict).toBe('no-baseline');
    expect(d.comparisons).toEqual([]);
    const limited = gateRun(smallRun(5), [], { thresholds: { 'ttft_ms.p99': '< 1' } });
    expect(limited.verdict).toBe('regression');
    expect(limited.limits.find((l) => l.metric === 'ttft_ms')).toMatchObject({ breached: true, reason: 'slo', limit: '< 1' });
  });
  it('does not compare a baseline of another model, unless allowed', () => {
    const other: RunResult = { ...baseline, target: { ...baseline.target, model: 'other-model' } };
    const d = gateRun(smallRun(6), [other]);
    expect(d.verdict).toBe('no-baseline');
    expect(d.fingerprintDiffs).toContainEqual({ field: 'model', baseline: 'other-model', current: 'sim-model', blocking: true });
    expect(d.reasons.join('\n')).toMatch(/left out: model differs/);
    const allowed = gateRun(smallRun(6), [other], { allowFingerprintMismatch: true });
    expect(allowed.comparisons.length).toBeGreaterThan(0);
  });
  it('compares across engine versions and shows the difference', () => {
    const old: RunResult = { ...baseline, target: { ...baseline.target, engineVersion: '0.9.0' } };
    const cur = smallRun(7);
    cur.target.engineVersion = '0.10.0';
    const d = gateRun(cur, [old]);
    expect(d.comparisons.length).toBeGreaterThan(0);
    expect(d.fingerprintDiffs).toContainEqual({ field: 'engine version', baseline: '0.9.0', current: '0.10.0', blocking: false });
  });
  it('does not compare a scenario whose workload changed', () => {
    const cur = smallRun(8);
    cur.scenarios[0].config = { ...cur.scenarios[0].config, workload: { input_tokens: 999, output_tokens: 24 } };
    const d = gateRun(cur, [baseline]);
    expect(d.verdict).toBe('no-baseline');
    expect(d.fingerprintDiffs.some((f) => f.field === 'scenario chat: workload.input_tokens' && f.blocking)).toBe(true);
  });
  it('is an error when too few requests succeeded', () => {
    const cur = smallRun(9);
    cur.scenarios[0].metrics = { ...cur.scenarios[0].metrics, completed: 3, failed: 57, error_rate: 0.95 };
    const d = gateRun(cur, [baseline]);
    expect(d.verdict).toBe('error');
    expect(d.reasons[0]).toBe("scenario 'chat': only 3 of 60 requests succeeded (need 5 to measure)");
    expect(exitCodeFor(d, 'regression')).toBe(3);
  });
  it('uses a history: the baseline is the geometric mean of the runs', () => {
    const history = [smallRun(11), smallRun(12), smallRun(13), smallRun(14)];
    const d = gateRun(smallRun(15), history);
    expect(d.baseline?.runs).toBe(4);
    const c = d.comparisons.find((x) => x.metric === 'tpot_ms');
    const logs = history.map((h) => Math.log(h.scenarios[0].metrics.tpot_ms?.p50 ?? NaN));
    expect(c?.baseline).toBeCloseTo(Math.exp(logs.reduce((a, b) => a + b, 0) / 4), 9);
  });
});

describe('exit codes', () => {
  const d = (verdict: GateDecision['verdict']): GateDecision => ({ verdict, reasons: [], comparisons: [], limits: [], baseline: null, fingerprintDiffs: [] });
  it.each([
    ['pass', 'regression', 0],
    ['no-baseline', 'regression', 0],
    ['inconclusive', 'regression', 0],
    ['inconclusive', 'inconclusive', 1],
    ['regression', 'regression', 1],
    ['regression', 'inconclusive', 1],
    ['regression', 'never', 0],
    ['error', 'never', 3],
  ] as const)('%s with --fail-on %s → %i', (verdict, failOn, code) => {
    expect(exitCodeFor(d(verdict), failOn)).toBe(code);
  });
});
