// inference-perf's `summary_lifecycle_metrics.json` (inference_perf/reportgen/base.py,
// summarize_requests): `load_summary`, `successes.{count, latency.{…}, throughput.{…},
// prompt_len, output_len}`, `failures.{count, …}`; each distribution is
// `{mean, min, max, median, p<P>…}` (numpy percentiles, default p0.1…p99.9; no std) in
// SECONDS. Names:
//   time_to_first_token   = first token − start                 → ttft_ms (×1000)
//   time_per_output_token = (last − first token)/(N − 1)         → tpot_ms (×1000)
//   inter_token_latency   = per-token gaps (tokens of one chunk share its time, so zeros) → itl_ms (×1000)
//   request_latency       = end − start (response end)            → e2e_ms (×1000)
//   normalized_time_per_output_token = e2e / N                    → not mapped
import type { Distribution, ErrorKind, RunResult, Statistic } from '../../types.js';
import type { ImportInfo } from './common.js';
import { addExtraStatistic, asObject, dig, emptyMetrics, finite, importedRun, markMissingRunLevel, partialDistribution, provenance } from './common.js';

export function looksLikeInferencePerf(o: Record<string, unknown>): boolean {
  return asObject(o.successes) !== null && asObject(o.failures) !== null && 'load_summary' in o;
}

function fromSummary(block: unknown, key: string, count: number | undefined, info: ImportInfo): Distribution | null {
  const b = asObject(block);
  if (!b) {
    info.missing.push(key);
    return null;
  }
  const stats: Partial<Record<Statistic, number | undefined>> = {
    count,
    mean: finite(b.mean),
    std: undefined,
    min: finite(b.min),
    p50: finite(b.median) ?? finite(b.p50),
    p90: finite(b.p90),
    p95: finite(b.p95),
    p99: finite(b.p99),
    max: finite(b.max),
  };
  const d = partialDistribution(key, stats, info.missing, 1000);
  for (const [field, value] of Object.entries(b)) {
    const v = finite(value);
    if (v !== undefined && /^p\d/.test(field) && !['p50', 'p90', 'p95', 'p99'].includes(field)) addExtraStatistic(d, field, v * 1000);
  }
  return d;
}

/**
 * inference-perf labels failures by exception type (ReadTimeout, ClientConnectorError, HTTP
 * status …); labels that name one of our kinds are counted under it, the rest as stream_error.
 */
export function errorsByLabel(failures: Record<string, unknown>): Partial<Record<ErrorKind, number>> {
  const out: Partial<Record<ErrorKind, number>> = {};
  const byLabel = asObject(failures.by_label);
  if (!byLabel) return out;
  for (const [label, entry] of Object.entries(byLabel)) {
    const n = finite(asObject(entry)?.count);
    if (n === undefined) continue;
    const kind: ErrorKind = /timeout/i.test(label) ? 'deadline' : /connect/i.test(label) ? 'connect' : /http|status|\b[45]\d\d\b/i.test(label) ? 'http_status' : 'stream_error';
    out[kind] = (out[kind] ?? 0) + n;
  }
  return out;
}

export function importInferencePerf(doc: Record<string, unknown>, name = 'inference-perf'): RunResult {
  const successes = asObject(doc.successes) ?? {};
  const failures = asObject(doc.failures) ?? {};
  const latency = asObject(successes.latency) ?? {};
  const info: ImportInfo = {
    importedFrom: 'inference-perf',
    aggregatesOnly: true,
    missing: [],
    notes: [
      'inference-perf writes seconds; converted to ms',
      "inference-perf's inter_token_latency is per token (tokens of one chunk share its arrival time), ours is per chunk",
      "inference-perf's request_latency ends at the response end, not the last content chunk",
      "failure kinds are read from inference-perf's error labels (timeouts as deadline, connection errors as connect)",
    ],
    workload: {},
  };
  const completed = finite(successes.count);
  const failed = finite(failures.count);
  const metrics = emptyMetrics();
  metrics.ttft_ms = fromSummary(latency.time_to_first_token, 'ttft_ms', undefined, info);
  metrics.tpot_ms = fromSummary(latency.time_per_output_token, 'tpot_ms', undefined, info);
  metrics.itl_ms = fromSummary(latency.inter_token_latency, 'itl_ms', undefined, info);
  metrics.e2e_ms = fromSummary(latency.request_latency, 'e2e_ms', completed, info);
  info.missing.push('output_latency_ms', 'input_throughput_tps', 'output_throughput_tps', 'token_sources');
  metrics.errors_by_kind = errorsByLabel(failures);
  if (failed && !asObject(failures.by_label)) info.missing.push('errors_by_kind');

  const throughput = asObject(successes.throughput) ?? {};
  const durationS = finite(doc.benchmark_time_seconds);
  const meanPrompt = finite(dig(successes, 'prompt_len', 'mean'));
  const meanOutput = finite(dig(successes, 'output_len', 'mean'));
  markMissingRunLevel(
    metrics,
    {
      request_throughput_rps: finite(throughput.requests_per_sec),
      output_token_throughput_tps: finite(throughput.output_tokens_per_sec),
      total_token_throughput_tps: finite(throughput.total_tokens_per_sec),
      completed,
      failed,
      error_rate: completed !== undefined && failed !== undefined ? (completed + failed > 0 ? failed / (completed + failed) : 0) : undefined,
      duration_s: durationS,
      total_input_tokens: completed !== undefined && meanPrompt !== undefined ? Math.round(completed * meanPrompt) : undefined,
      total_output_tokens: completed !== undefined && meanOutput !== undefined ? Math.round(completed * meanOutput) : undefined,
    },
    info.missing,
  );
  return importedRun({
    tool: 'inference-perf',
    startedAt: new Date(0).toISOString(),
    baseUrl: undefined,
    model: 'unknown',
    scenarios: [{ name, config: provenance(info), window: { startMs: 0, endMs: (durationS ?? 0) * 1000 }, metrics, requests: [] }],
  });
}
