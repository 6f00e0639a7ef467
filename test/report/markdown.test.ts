import { describe, expect, it } from 'vitest';
import { gateRun } from '../../src/gate/gate.js';
import type { GateDecision } from '../../src/gate/types.js';
import { escapeText } from '../../src/report/escape.js';
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

describe('results table', () => {
  it('prints the plain per-scenario table', () => {
    const text = renderResultsTable(smallRun(1));
    expect(text).toMatchSnapshot();
    expect(text).toMatch(/^scenario chat\nlatency \(ms\)\s+p50\s+p90\s+p99\s+mean\s+max\s+count\n {2}TTFT/);
  });
});
