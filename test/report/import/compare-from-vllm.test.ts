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
