import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gateRun } from '../../src/gate/gate.js';
import type { GateDecision } from '../../src/gate/types.js';
import { escapeText } from '../../src/report/escape.js';
import { readAnyResultsFile } from '../../src/report/import/index.js';
import { renderMarkdownReport, renderResultsTable } from '../../src/report/markdown.js';
import type { RunResult, ScenarioResult } from '../../src/types.js';
import { smallRun } from '../gate/fixtures.js';

const NOW = new Date('2026-01-03T00:00:00Z');

/** The subset of mermaid's xychart-beta grammar we emit, checked line by line. */
function assertValidXychart(block: string): void {
  const lines = block.split('\n');
  expect(lines[0]).toBe('```mermaid');
  expect(lines[1]).toBe('xychart-beta');
  expect(lines.at(-1)).toBe('```');
  const number = String.raw`-?\d+(?:\.\d+)?`;
  const list = String.raw`\[\s*${number}(?:\s*,\s*${number})*\s*\]`;
  let categories = 0;
  const seriesLengths: number[] = [];
  for (const line of lines.slice(2, -1)) {
    const l = line.trim();
    if (/^title "[^"\n]*"$/.test(l)) continue;
    const x = /^x-axis \[([A-Za-z0-9_]+(?:, [A-Za-z0-9_]+)*)\]$/.exec(l);
    if (x) {
      categories = x[1].split(', ').length;
      continue;
    }
    if (new RegExp(`^y-axis "[^"\\n]*" ${number} --> ${number}$`).test(l)) continue;
    const s = new RegExp(`^(bar|line) (${list})$`).exec(l);
    if (s) {
      seriesLengths.push(s[2].split(',').length);
      continue;
    }
    throw new Error(`not valid xychart-beta: ${l}`);
  }
  expect(categories).toBeGreaterThan(0);
  expect(seriesLengths.length).toBeGreaterThan(0);
  for (const n of seriesLengths) expect(n).toBe(categories);
}

function withName(run: RunResult, name: string): RunResult {
  return { ...run, scenarios: run.scenarios.map((s) => ({ ...s, name, requests: s.requests.map((r) => ({ ...r, scenario: name })) })) };
}

describe('markdown report', () => {
  const baseline = smallRun(1);
  baseline.environment = { commit: '0123456789abcdef', ref: 'refs/heads/main' };
  const current = smallRun(2, 0.8);
  current.environment = { commit: 'fedcba9876543210' };
  const decision = gateRun(current, [baseline]);

  it('matches the snapshot', () => {
    const md = renderMarkdownReport(decision, current, [baseline], { marker: 'llm-perf-gate', now: NOW, runUrl: 'https://github.com/o/r/actions/runs/1' });
    expect(md).toMatchSnapshot();
    expect(md.startsWith('<!-- llm-perf-gate -->\n## llm-perf-gate: ❌ regression')).toBe(true);
    expect(md).toContain('| tpot_ms p50 |');
    expect(md).toContain('**Baseline:** commit `0123456789ab` · ref refs/heads/main');
  });

  it('contains a valid xychart-beta block', () => {
    const md = renderMarkdownReport(decision, current, [baseline], { now: NOW });
    const block = /```mermaid\n[\s\S]*?\n```/.exec(md)?.[0];
    expect(block).toBeDefined();
    assertValidXychart(block as string);
  });

  it('renders a hostile scenario name as text', () => {
    const name = '</details><img src=x onerror=alert(1)>';
    const b = withName(baseline, name);
    const c = withName(current, name);
    const md = renderMarkdownReport(gateRun(c, [b]), c, [b], { now: NOW });
    expect(md).not.toContain('<img');
    expect(md).not.toContain(name);
    expect(md).toContain('&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt;');
    // Our own <details> stay balanced.
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
  });

  it('escapes table breakers, mentions and newlines', () => {
    expect(escapeText('a|b\n@team `x` [l](u)')).toBe('a&#124;b &#64;team &#96;x&#96; &#91;l&#93;(u)');
  });

  it('keeps a 500-scenario report under the cap with every headline', () => {
    const many = (run: RunResult): RunResult => ({
      ...run,
      scenarios: Array.from({ length: 500 }, (_, i): ScenarioResult => ({ ...run.scenarios[0], name: `scenario-${i}` })),
    });
    const b = many(baseline);
    const c = many(current);
    const d: GateDecision = gateRun(c, [b], { bootstrapReplicates: 20 });
    const md = renderMarkdownReport(d, c, [b], { now: NOW });
    expect(md.length).toBeLessThanOrEqual(65000);
    expect(md).toContain('## llm-perf-gate: ❌ regression');
    for (let i = 0; i < 500; i++) expect(md).toContain(`scenario-${i}**`);
    const small = renderMarkdownReport(d, c, [b], { now: NOW, maxChars: 20000 });
    expect(small.length).toBeLessThanOrEqual(20000);
    expect(small).toContain('## llm-perf-gate: ❌ regression');
    expect(small).toMatch(/… and \d+ more scenarios not listed/);
  });

  it('keeps tables and drops details first when a little over', () => {
    const full = renderMarkdownReport(decision, current, [baseline], { now: NOW });
    const trimmed = renderMarkdownReport(decision, current, [baseline], { now: NOW, maxChars: full.length - 10 });
    expect(trimmed.length).toBeLessThanOrEqual(full.length - 10);
    expect(trimmed).toContain('| tpot_ms p50 |');
    expect(trimmed).not.toContain('<details><summary>Details');
  });
});

/** The one scenario's collapsed Details section. */
function detailsOf(md: string): string {
  const start = md.indexOf('<details><summary>Details: ');
  expect(start).toBeGreaterThanOrEqual(0);
  return md.slice(start, md.indexOf('</details>', start) + '</details>'.length);
}

describe('markdown report: workload notes, goodput, missing counts, trend', () => {
  const baseline = smallRun(1);
  baseline.environment = { commit: '0123456789abcdef', ref: 'refs/heads/main' };
  const current = smallRun(2, 0.8);
  current.environment = { commit: 'fedcba9876543210' };

  it('shows the workload notes in the details, escaped and capped', () => {
    const c = structuredClone(current);
    c.scenarios[0].workloadNotes = [
      'input lengths are approximate (no tokenizer)',
      '@team </details><img src=x> |a|',
      'left out 3 invalid rows of data/p.jsonl',
      '/tokenize disagrees with the local tokenizer by 4.1 %',
      'usage differs from the tokenizer by 2.6 %',
      'the trace starts at 2026-01-01',
      'arrival times divided by 2 (speedup)',
    ];
    const md = renderMarkdownReport(gateRun(c, [baseline]), c, [baseline], { now: NOW });
    expect(detailsOf(md)).toContain(
      'Workload: input lengths are approximate (no tokenizer); &#64;team &lt;/details&gt;&lt;img src=x&gt; &#124;a&#124;; left out 3 invalid rows of data/p.jsonl; ' +
        '/tokenize disagrees with the local tokenizer by 4.1 %; usage differs from the tokenizer by 2.6 %; … and 2 more (see the results file).',
    );
    expect(md).not.toContain('@team');
    expect(md).not.toContain('<img');
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    // No notes, no line.
    expect(renderMarkdownReport(gateRun(current, [baseline]), current, [baseline], { now: NOW })).not.toContain('Workload:');
  });

  it('adds goodput, token goodput and SLO attainment to the throughput line when SLOs are set', () => {
    const c = structuredClone(current);
    Object.assign(c.scenarios[0].metrics, { goodput_rps: 3.91, token_goodput_tps: 93.84, slo_attainment: 0.8 });
    const md = renderMarkdownReport(gateRun(c, [baseline]), c, [baseline], { now: NOW });
    expect(detailsOf(md)).toContain('Throughput: 4.86 req/s, output 117 tok/s, goodput 3.91 req/s, token goodput 93.8 tok/s, SLO attainment 80.0 %; 60 ok, 0 failed.');
    const plain = renderMarkdownReport(gateRun(current, [baseline]), current, [baseline], { now: NOW });
    expect(detailsOf(plain)).toContain('Throughput: 4.86 req/s, output 117 tok/s; 60 ok, 0 failed.');
  });

  it('prints — for counts an imported file does not give, never undefined or NaN', async () => {
    const fixtures = join(import.meta.dirname, '../fixtures/import');
    const b = await readAnyResultsFile(join(fixtures, 'vllm-compare-baseline.json'), 'vllm');
    const c = await readAnyResultsFile(join(fixtures, 'vllm-compare-current.json'), 'vllm');
    expect(c.scenarios[0].metrics.tpot_ms?.count).toBeUndefined();
    const md = renderMarkdownReport(gateRun(c, [b]), c, [b], { now: NOW });
    expect(md).not.toMatch(/undefined|NaN/);
    expect(md).toMatch(/\| tpot_ms \| current \| [^\n]* \| — \|\n/);
    // vLLM gives no output latency at all: not a count of 0.
    expect(md).toContain('| output_latency_ms | current | — | — | — | — | — | — | — |');
  });

  it('appends a collapsed trend of this run and the stored history when there are 2 or more stored runs', () => {
    const history = [3, 2, 1].map((i) => {
      const run = smallRun(i);
      run.environment = { commit: `${i}${i}${i}aaaaaaaaaaaa` };
      return run;
    });
    history[2].environment.commit = '@team-x</details>';
    const md = renderMarkdownReport(gateRun(current, history), current, history, { now: NOW });
    const start = md.indexOf('<details><summary>Trend: chat</summary>');
    expect(start).toBeGreaterThan(md.indexOf('<details><summary>Details: chat</summary>'));
    const trend = md.slice(start, md.indexOf('</details>', start));
    expect(trend).toContain('#### Trend of scenario `chat`, last 4 run(s)');
    expect(trend.match(/```mermaid\nxychart-beta/g)).toHaveLength(3);
    expect(trend).toContain('x-axis ["_team-x", "222aaaa", "333aaaa", "current"]');
    // The table's last row is this run.
    expect(trend).toMatch(/\| current \| [^\n]+ \|\n*$/);
    expect(trend).toContain('| &#64;team-x | 2026-01-01 01:00 |');
    expect(md).not.toContain('@team');
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    // One stored run is not a trend.
    expect(renderMarkdownReport(gateRun(current, [baseline]), current, [baseline], { now: NOW })).not.toContain('Trend');
    expect(renderMarkdownReport(gateRun(current, history.slice(0, 2)), current, history.slice(0, 2), { now: NOW })).toContain('<details><summary>Trend: chat</summary>');
  });
});

describe('results table', () => {
  it('prints the plain per-scenario table', () => {
    const text = renderResultsTable(smallRun(1));
    expect(text).toMatchSnapshot();
    expect(text).toMatch(/^scenario chat\nlatency \(ms\)\s+p50\s+p90\s+p99\s+mean\s+max\s+count\n {2}TTFT/);
  });
});
