import { describe, expect, it } from 'vitest';
import { markdownCell, mermaidLabel, trendMarkdown, trendPoints } from '../../../src/report/trend.js';
import type { RunResult } from '../../../src/types.js';
import { makeRun } from '../../baseline/make-run.js';

function history(): RunResult[] {
  // newest first, as the stores hand it over
  return [60, 55, 50, 45].map((ttft, i) => {
    const run = makeRun(`c${4 - i}abcdef0`, ttft);
    run.startedAt = `2026-03-0${4 - i}T12:00:00.000Z`;
    return run;
  });
}

describe('trend', () => {
  it('puts the oldest run first and reads the headline metrics', () => {
    const { scenario, points } = trendPoints(history(), { last: 3 });
    expect(scenario).toBe('chat');
    expect(points.map((p) => p.label)).toEqual(['commit-', 'commit-', 'commit-']);
    expect(points.map((p) => p.values['ttft_ms.p90'])).toEqual([51, 56, 61]);
    expect(points.map((p) => p.startedAt)).toEqual(['2026-03-02T12:00:00.000Z', '2026-03-03T12:00:00.000Z', '2026-03-04T12:00:00.000Z']);
  });

  it('draws one mermaid xychart per headline metric and a table', () => {
    const md = trendMarkdown(history(), { last: 4 });
    expect(md.match(/```mermaid\nxychart-beta/g)).toHaveLength(3);
    expect(md).toContain('  line [46, 51, 56, 61]');
    expect(md).toContain('  y-axis "ms" 0 --> 70.15');
    expect(md).toContain('| commit- | 2026-03-04 12:00 | 61 | 10 | 100 |');
  });

  it('escapes labels and cells', () => {
    expect(mermaidLabel('a"b]\n`x`')).toBe('a_b___x_');
    expect(markdownCell('a|b<script>@team')).toBe('a&#124;b&lt;script&gt;&#64;team');
    const runs = history();
    runs[0].environment.commit = '"];alert(1)//';
    runs[0].scenarios[0].name = 'chat';
    const md = trendMarkdown(runs, { last: 2 });
    expect(md).not.toContain('"];alert');
  });

  it('labels the newest run as asked and keeps the heading on one line', () => {
    const runs = history();
    runs[0].scenarios[0].name = 'a`b\n## x';
    const md = trendMarkdown(runs, { last: 2, scenario: 'a`b\n## x', newestLabel: 'current' });
    expect(md.split('\n')[0]).toBe('#### Trend of scenario `a b ## x`, last 1 run(s)');
    expect(trendPoints(history(), { last: 2, newestLabel: 'current' }).points.map((p) => p.label)).toEqual(['commit-', 'current']);
  });

  it('says so when there is nothing to show', () => {
    expect(trendMarkdown([])).toMatch(/No stored runs/);
  });
});
