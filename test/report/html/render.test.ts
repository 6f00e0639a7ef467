import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gateRun } from '../../../src/gate/gate.js';
import { escapeHtml } from '../../../src/report/html/escape.js';
import { renderHtmlReport } from '../../../src/report/html/render.js';
import { cdfPoints, niceTicks } from '../../../src/report/html/svg-chart.js';
import { readAnyResultsFile } from '../../../src/report/import/index.js';
import { makeRun } from '../../baseline/make-run.js';

const fixtures = join(import.meta.dirname, '../../fixtures/import');

describe('chart helpers', () => {
  it('picks round ticks and builds an empirical CDF', () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(12.3, 13.1)).toEqual([12.4, 12.6, 12.8, 13]);
    expect(cdfPoints([3, 1, 2, 4])).toEqual([[1, 0.25], [2, 0.5], [3, 0.75], [4, 1]]);
    expect(cdfPoints([])).toEqual([]);
  });
});

describe('renderHtmlReport', () => {
  it('is one self-contained document with tables, CDFs, the decision and the trend', async () => {
    const baseline = await readAnyResultsFile(join(fixtures, 'vllm-compare-baseline-detailed.json'));
    const current = await readAnyResultsFile(join(fixtures, 'vllm-compare-current-detailed.json'));
    const decision = gateRun(current, [baseline], { seed: 3 });
    const html = renderHtmlReport({ current, baselines: [baseline], decision, title: 'PR #12' });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/);
    expect(html).toMatch(/Gate decision: <span class="verdict v-regression">regression/);
    expect(html.match(/<table class="summary">/g)).toHaveLength(1);
    expect(html).toContain('<title>TTFT CDF</title>');
    expect(html).toContain('<title>TPOT CDF</title>');
    expect(html).toContain('<title>E2E CDF</title>');
    expect(html).toContain('data-series="baseline"');
    expect(html).toMatch(/<section id="trend">/);
    expect(html).toMatch(/Imported from vllm\./);
    // vLLM gives no count for TPOT and ITL: shown as —.
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it('shows the workload notes and, with SLOs, goodput, token goodput and SLO attainment', () => {
    const run = makeRun('x');
    run.scenarios[0].workloadNotes = ['input lengths are approximate (no tokenizer)', 'left out 3 invalid rows of p.jsonl'];
    Object.assign(run.scenarios[0].metrics, { goodput_rps: 8.5, token_goodput_tps: 85.25, slo_attainment: 0.85 });
    const html = renderHtmlReport({ current: run });
    expect(html).toContain('<p class="note workload">Workload: input lengths are approximate (no tokenizer); left out 3 invalid rows of p.jsonl.</p>');
    expect(html).toContain('<tr><td>goodput_rps</td><td>8.500</td></tr><tr><td>token_goodput_tps</td><td>85.250</td></tr><tr><td>slo_attainment</td><td>85.0 %</td></tr>');
    const plain = renderHtmlReport({ current: makeRun('y') });
    expect(plain).not.toContain('Workload:');
    expect(plain).toContain('<tr><td>goodput_rps</td><td>—</td></tr><tr><td>token_goodput_tps</td><td>—</td></tr><tr><td>slo_attainment</td><td>—</td></tr>');
  });

  it('escapes every untrusted string', () => {
    const run = makeRun('x');
    const evil = '<img src=x onerror=alert(1)>"\'&';
    run.target.model = evil;
    run.scenarios[0].name = evil;
    run.scenarios[0].workloadNotes = [evil];
    run.scenarios[0].config = { importedFrom: 'vllm', workload: {}, imported: { aggregatesOnly: true, missing: [evil], notes: [evil] } };
    const decision = { verdict: '<b>x</b>', reasons: [evil], comparisons: [{ scenario: evil, metric: evil, statistic: 'p50', baseline: 1, current: 2, change: 1, interval: null, verdict: evil, note: evil }], limits: [] };
    const html = renderHtmlReport({ current: run, decision, title: evil });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain(escapeHtml(evil));
    expect(html).toContain(`Workload: ${escapeHtml(evil)}.`);
    expect(escapeHtml(evil)).toBe('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
  });

  it('draws sweep curves when a run has several load levels, and says when there are no records', async () => {
    const run = await readAnyResultsFile(join(fixtures, 'guidellm-benchmarks.json'));
    const html = renderHtmlReport({ current: run });
    expect(html).toMatch(/<section id="sweep">/);
    expect(html).toContain('No per-request records');
    expect(html).not.toMatch(/NaN|undefined/);
  });
});
