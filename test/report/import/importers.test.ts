import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extraStatistics } from '../../../src/report/import/common.js';
import { detectFormat, hasStatistic, importInfo, readAnyResultsFile } from '../../../src/report/import/index.js';
import { nullifyPythonFloats, parsePythonJson } from '../../../src/report/import/python-json.js';
import { formatRunResult } from '../../../src/report/results-file.js';
import type { RunResult } from '../../../src/types.js';
import { makeRun } from '../../baseline/make-run.js';

const dir = join(import.meta.dirname, '../../fixtures/import');
const fixture = (name: string) => join(dir, name);
// Fixture JSON is read loosely: the tests index into the tools' own field names.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const raw = (name: string) => JSON.parse(readFileSync(fixture(name), 'utf8')) as Record<string, any>;

function only(run: RunResult) {
  expect(run.scenarios).toHaveLength(1);
  return run.scenarios[0];
}

describe('detectFormat', () => {
  it('recognises every fixture by its shape', () => {
    expect(detectFormat(raw('vllm-default.json'))).toBe('vllm');
    expect(detectFormat(raw('vllm-detailed.json'))).toBe('vllm');
    expect(detectFormat(raw('guidellm-benchmarks.json'))).toBe('guidellm');
    expect(detectFormat(raw('profile_export_genai_perf.json'))).toBe('genai-perf');
    expect(detectFormat(raw('summary_lifecycle_metrics.json'))).toBe('inference-perf');
    expect(detectFormat({ schemaVersion: 1, tool: { name: 'llm-perf-gate', version: '0.1.0' } })).toBe('llm-perf-gate');
    expect(detectFormat({ hello: 1 })).toBeNull();
    expect(detectFormat([1, 2])).toBeNull();
  });
});

describe('vLLM save-result (aggregates only)', () => {
  it('maps every number to our key and unit, and marks what is missing', async () => {
    const src = raw('vllm-default.json');
    const run = await readAnyResultsFile(fixture('vllm-default.json'));
    const s = only(run);
    const m = s.metrics;
    expect(run.target.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(run.startedAt).toBe('2026-03-01T12:00:00.000Z');
    expect(s.requests).toEqual([]);
    expect(m.ttft_ms).toEqual({ count: 8, mean: src.mean_ttft_ms, std: src.std_ttft_ms, p50: src.median_ttft_ms, p99: src.p99_ttft_ms });
    expect(m.tpot_ms).toEqual({ mean: src.mean_tpot_ms, std: src.std_tpot_ms, p50: src.median_tpot_ms, p99: src.p99_tpot_ms });
    expect(m.itl_ms?.p99).toBe(src.p99_itl_ms);
    expect(m.e2e_ms).toBeNull(); // e2el not in --percentile-metrics by default
    expect(m.request_throughput_rps).toBe(src.request_throughput);
    expect(m.output_token_throughput_tps).toBe(src.output_throughput);
    expect(m.total_token_throughput_tps).toBe(src.total_token_throughput);
    expect(m.duration_s).toBe(2);
    expect(m.completed).toBe(8);
    expect(m.failed).toBe(0);
    expect(m.error_rate).toBe(0);
    expect(m.goodput_rps).toBeNull();
    expect(m.total_input_tokens).toBe(src.total_input_tokens);
    expect(s.window).toEqual({ startMs: Date.UTC(2026, 2, 1, 12), endMs: Date.UTC(2026, 2, 1, 12) + 2000 });
    const info = importInfo(s)!;
    expect(info.importedFrom).toBe('vllm');
    expect(info.aggregatesOnly).toBe(true);
    expect(info.missing).toEqual(expect.arrayContaining(['ttft_ms.p90', 'ttft_ms.min', 'ttft_ms.max', 'tpot_ms.count', 'e2e_ms', 'output_latency_ms']));
    expect(info.missing).not.toContain('ttft_ms.p99');
    expect(hasStatistic(m.ttft_ms, 'p90')).toBe(false);
    expect(hasStatistic(m.ttft_ms, 'p99')).toBe(true);
    expect(info.workload).toEqual({ request_rate: 'inf', backend: 'openai-chat', endpoint_type: 'openai-chat', tokenizer_id: 'meta-llama/Llama-3.1-8B-Instruct', num_prompts: 8, burstiness: 1 });
    // No NaN anywhere: an absent statistic is absent.
    expect(JSON.stringify(run)).not.toMatch(/NaN|null,"p9/);
  });
});

describe('vLLM --save-detailed', () => {
  it('builds per-request records in ms and recomputes the same statistics vLLM wrote', async () => {
    const src = raw('vllm-detailed.json');
    const run = await readAnyResultsFile(fixture('vllm-detailed.json'), 'vllm');
    const s = only(run);
    const info = importInfo(s)!;
    expect(info.aggregatesOnly).toBe(false);
    expect(s.requests).toHaveLength(8);
    const ok = s.requests[0];
    expect(ok.status).toBe('ok');
    expect(ok.ttftMs).toBe(src.ttfts[0] * 1000);
    expect(ok.e2eMs).toBe(src.latencies[0] * 1000);
    expect(ok.inputTokens).toBe(src.input_lens[0]);
    expect(ok.outputTokens).toBe(src.output_lens[0]);
    expect(ok.chunkOffsetsMs).toHaveLength(src.itls[0].length + 1);
    expect(ok.chunkOffsetsMs[1] - ok.chunkOffsetsMs[0]).toBeCloseTo(src.itls[0][0] * 1000, 9);
    expect(ok.streamEndMs).toBeNull();
    expect(ok.scheduledAt).toBeNull();
    // start_times (perf_counter) become offsets from the file's date.
    expect(s.requests[1].sentAt - s.requests[0].sentAt).toBeCloseTo(250, 6);
    const failed = s.requests[3];
    expect(failed.status).toBe('error');
    expect(failed.error).toMatchObject({ kind: 'http_status', httpStatus: 503 });
    expect(failed.ttftMs).toBeNull();
    expect(failed.outputTokens).toBeNull();

    const m = s.metrics;
    expect(m.completed).toBe(7);
    expect(m.failed).toBe(1);
    expect(m.error_rate).toBe(1 / 8);
    for (const [ours, theirs] of [['ttft_ms', 'ttft'], ['tpot_ms', 'tpot'], ['itl_ms', 'itl'], ['e2e_ms', 'e2el']] as const) {
      const d = m[ours]!;
      expect(d.mean).toBeCloseTo(src[`mean_${theirs}_ms`], 9);
      expect(d.p50).toBeCloseTo(src[`median_${theirs}_ms`], 9);
      expect(d.std).toBeCloseTo(src[`std_${theirs}_ms`], 9);
      expect(d.p90).toBeCloseTo(src[`p90_${theirs}_ms`], 9);
      expect(d.p99).toBeCloseTo(src[`p99_${theirs}_ms`], 9);
    }
    expect(m.ttft_ms!.count).toBe(7);
    expect(m.output_latency_ms).not.toBeNull();
    expect(extraStatistics(m.ttft_ms)).toEqual({ 'p99.9': src['p99.9_ttft_ms'] });
    expect(m.request_throughput_rps).toBe(src.request_throughput);
  });
});

describe('guidellm benchmarks JSON', () => {
  it('imports per-request records when every request is kept, aggregates when sampled away', async () => {
    const src = raw('guidellm-benchmarks.json');
    const run = await readAnyResultsFile(fixture('guidellm-benchmarks.json'));
    expect(run.scenarios.map((s) => s.name)).toEqual(['synchronous-0', 'constant-4']);
    expect(run.target).toEqual({ baseUrl: 'http://localhost:8000/v1', model: 'Qwen/Qwen3-0.6B' });
    expect(JSON.stringify(run)).not.toMatch(/secret|sk-123/);

    const sync = run.scenarios[0];
    expect(importInfo(sync)!.aggregatesOnly).toBe(false);
    expect(sync.requests).toHaveLength(3);
    const r1 = sync.requests[0];
    expect(r1.sentAt).toBe(1772366400000);
    // Epoch seconds as float64 near 1.8e9 resolve to ~0.24 µs: exact to the microsecond.
    expect(r1.ttftMs).toBeCloseTo(50, 3);
    expect(r1.e2eMs).toBeCloseTo(250, 3);
    expect(r1.streamEndMs).toBeCloseTo(250.5, 3);
    expect(r1.scheduledAt).toBe(1772366400000);
    expect(sync.requests[2]).toMatchObject({ status: 'error', ttftMs: null, error: { kind: 'stream_error', message: 'HTTP 500 internal error' } });
    // TPOT from records = guidellm's inter_token_latency_ms per request: (250 − 50)/(11 − 1) = 20, (360 − 60)/10 = 30.
    expect(sync.metrics.tpot_ms!.mean).toBeCloseTo(25, 4);
    expect(sync.metrics.tpot_ms!.min).toBeCloseTo(20, 4);
    expect(sync.metrics.itl_ms).toBeNull();
    expect(sync.metrics.completed).toBe(2);
    expect(sync.metrics.failed).toBe(1);
    expect(sync.metrics.error_rate).toBeCloseTo(1 / 3, 12);

    const c = run.scenarios[1];
    const cm = src.benchmarks[1].metrics;
    const info = importInfo(c)!;
    expect(info.aggregatesOnly).toBe(true);
    expect(c.requests).toEqual([]);
    // guidellm's inter_token_latency is our TPOT; its time_per_output_token is not imported.
    expect(c.metrics.tpot_ms).toMatchObject({ count: 400, mean: 12.5, std: 1.5, min: 9, p50: 12.25, p90: 14.5, p95: 15.5, p99: 18, max: 21 });
    expect(c.metrics.ttft_ms).toMatchObject({ count: 400, mean: 80.5, std: 12.5, min: 41, p50: 78.25, p90: 97, p95: 110, p99: 150, max: 190 });
    // request_latency is in seconds: ×1000.
    expect(c.metrics.e2e_ms!.mean).toBe(1600);
    expect(c.metrics.e2e_ms!.p99).toBe(2500);
    expect(c.metrics.itl_ms).toBeNull();
    expect(c.metrics.request_throughput_rps).toBe(cm.requests_per_second.successful.mean);
    expect(c.metrics.output_token_throughput_tps).toBe(509.4);
    expect(c.metrics.total_token_throughput_tps).toBe(1528.3);
    expect(c.metrics.duration_s).toBe(100.5);
    expect(c.metrics.completed).toBe(400);
    expect(c.metrics.total_output_tokens).toBe(51200);
    expect(extraStatistics(c.metrics.ttft_ms)).toEqual({ 'p99.9': 185 });
    expect(extraStatistics(c.metrics.e2e_ms)).toEqual({ 'p99.9': 2800 });
    expect(info.missing).toContain('itl_ms');
    expect(info.workload).toEqual({ type_: 'constant', rate: 4 });
  });
});

describe('genai-perf profile export', () => {
  it('maps inter_token_latency to TPOT and keeps the header out', async () => {
    const run = await readAnyResultsFile(fixture('profile_export_genai_perf.json'), 'genai-perf');
    const s = only(run);
    expect(s.name).toBe('concurrency-10');
    expect(run.target).toEqual({ baseUrl: 'http://localhost:8000', model: 'meta-llama/Llama-3.1-8B-Instruct' });
    expect(s.metrics.ttft_ms).toMatchObject({ count: 100, mean: 45.5, std: 10.5, min: 30, p50: 44.25, p90: 57.5, p95: 62.75, p99: 110, max: 120 });
    expect(s.metrics.tpot_ms).toMatchObject({ mean: 9.75, std: 0.5, min: 8.5, p50: 9.7, p90: 10.5, p95: 10.8, p99: 11.9, max: 12 });
    expect(s.metrics.e2e_ms!.p50).toBe(1285.5);
    expect(s.metrics.output_throughput_tps!.mean).toBe(102.6);
    expect(s.metrics.itl_ms).toBeNull();
    expect(s.metrics.request_throughput_rps).toBe(9.8);
    expect(s.metrics.output_token_throughput_tps).toBe(1254.4);
    expect(s.metrics.completed).toBe(100);
    expect(s.metrics.total_output_tokens).toBe(12800);
    const info = importInfo(s)!;
    expect(info.missing).toEqual(expect.arrayContaining(['itl_ms', 'failed', 'error_rate', 'tpot_ms.count']));
    expect(info.workload).toMatchObject({ concurrency: 10, streaming: true, output_tokens_mean: 128 });
    expect(extraStatistics(s.metrics.ttft_ms)).toEqual({ p1: 31, p5: 33, p10: 35, p25: 39, p75: 50 });
    expect(JSON.stringify(run)).not.toMatch(/Bearer|sk-secret|Authorization/);
  });
});

describe('inference-perf summary_lifecycle_metrics.json', () => {
  it('converts seconds to ms under our keys', async () => {
    const run = await readAnyResultsFile(fixture('summary_lifecycle_metrics.json'));
    const s = only(run);
    const m = s.metrics;
    expect(m.ttft_ms!.mean).toBeCloseTo(2041.7, 9);
    expect(m.ttft_ms!.p50).toBeCloseTo(2886.7, 9);
    expect(m.ttft_ms!.p90).toBeCloseTo(3281.9, 9);
    expect(m.tpot_ms!.p99).toBeCloseTo(9.711, 9);
    expect(m.itl_ms!.max).toBeCloseTo(74.42, 9);
    expect(m.e2e_ms!.count).toBe(1194);
    expect(m.e2e_ms!.min).toBeCloseTo(472.5, 9);
    expect(hasStatistic(m.ttft_ms, 'std')).toBe(false);
    expect(m.request_throughput_rps).toBe(63.46);
    expect(m.output_token_throughput_tps).toBe(3957.9);
    expect(m.completed).toBe(1194);
    expect(m.failed).toBe(6);
    expect(m.error_rate).toBe(6 / 1200);
    expect(m.duration_s).toBe(18.815);
    const info = importInfo(s)!;
    expect(info.missing).toEqual(expect.arrayContaining(['ttft_ms.std', 'ttft_ms.count', 'output_latency_ms']));
    expect(extraStatistics(m.ttft_ms)['p99.9']).toBeCloseTo(3358.6, 9);
    expect(m.errors_by_kind).toEqual({ deadline: 6 });
  });
});

describe('our own results file', () => {
  it('is read by the results-file reader, detected or named', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lpg-import-')), 'ours.json');
    const run = makeRun('x');
    writeFileSync(path, formatRunResult(run));
    expect(await readAnyResultsFile(path)).toEqual(run);
    expect(await readAnyResultsFile(path, 'llm-perf-gate')).toEqual(run);
  });
});

describe('errors a user can cause', () => {
  it('names the file and what to do', async () => {
    await expect(readAnyResultsFile(fixture('nope.json'))).rejects.toThrow(/nope\.json: cannot read the results file/);
    await expect(readAnyResultsFile(fixture('README.md'))).rejects.toThrow(/not valid JSON/);
    await expect(readAnyResultsFile(fixture('vllm-default.json'), 'guidellm')).rejects.toThrow(/does not look like a guidellm results file \(it looks like vllm; use --from vllm\)/);
    await expect(readAnyResultsFile(fixture('vllm-default.json'), 'sglang')).rejects.toThrow(/--from sglang: not a known format/);
  });
});

describe('Python JSON', () => {
  it('reads NaN/Infinity as null outside strings and appended documents as a list', () => {
    expect(nullifyPythonFloats('{"a": NaN, "b": "NaN", "c": -Infinity, "d": [Infinity]}')).toBe('{"a": null, "b": "NaN", "c": null, "d": [null]}');
    expect(parsePythonJson('{"x": 1}\n{"x": 2}')).toEqual([{ x: 1 }, { x: 2 }]);
    expect(parsePythonJson('{"s": "a\\"}{"}')).toEqual([{ s: 'a"}{' }]);
    expect(() => parsePythonJson('{"x": ')).toThrow(SyntaxError);
  });
});
