// Issue 10: "compare --from vllm of two vLLM result files gives a report with verdicts" —
// the library path compare-command takes (readAnyResultsFile → gateRun → markdown).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gateRun } from '../../../src/gate/gate.js';
import { readAnyResultsFile } from '../../../src/report/import/index.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';

const dir = join(import.meta.dirname, '../../fixtures/import');

describe.each([['aggregates only', ''], ['--save-detailed', '-detailed']])('two vLLM files (%s)', (_label, suffix) => {
  it('gate the 30 % slower decode as a regression and leave TTFT unchanged', async () => {
    const baseline = await readAnyResultsFile(join(dir, `vllm-compare-baseline${suffix}.json`), 'vllm');
    const current = await readAnyResultsFile(join(dir, `vllm-compare-current${suffix}.json`));
    const decision = gateRun(current, [baseline], { seed: 7 });
    expect(decision.fingerprintDiffs.filter((d) => d.blocking)).toEqual([]);
    expect(decision.verdict).toBe('regression');
    const verdict = (metric: string, stat: string) => decision.comparisons.find((c) => c.metric === metric && c.statistic === stat)?.verdict;
    expect(verdict('tpot_ms', 'p50')).toBe('regression');
    expect(verdict('ttft_ms', 'p50')).toBe('unchanged');
    expect(verdict('output_token_throughput_tps', 'value')).toBe('unchanged');
    const md = renderMarkdownReport(decision, current, [baseline]);
    expect(md).toMatch(/tpot_ms p50 \| 12\.0 ms \| 15\.6 ms \| \+30\.4 %/);
  });
});

describe('a vLLM --save-result file with its default percentiles (p99 only, no E2E)', () => {
  it('passes against itself: the statistics neither file has are listed as not compared, not inconclusive', async () => {
    const file = join(dir, 'vllm-default.json');
    const baseline = await readAnyResultsFile(file, 'vllm');
    const current = await readAnyResultsFile(file, 'vllm');
    const decision = gateRun(current, [baseline], { seed: 7 });
    expect(decision.verdict).toBe('pass');
    expect(decision.comparisons.some((c) => c.verdict === 'inconclusive')).toBe(false);
    const keys = decision.comparisons.map((c) => `${c.metric}.${c.statistic}`);
    expect(keys).not.toContain('ttft_ms.p90');
    expect(keys).not.toContain('e2e_ms.p90');
    expect(keys).toContain('tpot_ms.p50');
    expect(decision.reasons).toContain(
      'not compared: ttft_ms.p90, e2e_ms.p90 — neither the current run nor the baseline has it (a file imported from a tool that did not write it); gate a statistic both have, or export it from the tool',
    );
  });

  it('stays inconclusive when only one side lacks the statistic', async () => {
    const baseline = await readAnyResultsFile(join(dir, 'vllm-default.json'), 'vllm');
    const current = await readAnyResultsFile(join(dir, 'vllm-detailed.json'), 'vllm');
    const decision = gateRun(current, [baseline], { seed: 7, allowFingerprintMismatch: true });
    const p90 = decision.comparisons.find((c) => c.metric === 'ttft_ms' && c.statistic === 'p90');
    expect(p90).toMatchObject({ verdict: 'inconclusive', note: 'the baseline has no value for this statistic' });
  });
});
