// genai-perf's `<profile_export>_genai_perf.json` (genai_perf/export_data/json_exporter.py):
// the stats dict of genai_perf/metrics/statistics.py plus `input_config` (the CLI args).
// Each metric is `{unit, avg, p1, p5, p10, p25, p50, p75, p90, p95, p99, min, max, std}`
// (numpy linear percentiles, population std; time metrics already scaled to ms); the
// system metrics request_throughput, output_token_throughput and request_count have `avg`
// only. Names (genai_perf/metrics/llm_metrics.py):
//   time_to_first_token                → ttft_ms
//   inter_token_latency ((latency − ttft)/(osl − 1), per request) → our tpot_ms
//   request_latency                    → e2e_ms
//   output_token_throughput_per_user (1/ITL per request)          → output_throughput_tps
import type { Distribution, RunResult, Statistic } from '../../types.js';
import type { ImportInfo } from './common.js';
import { addExtraStatistic, asObject, dig, emptyMetrics, finite, importedRun, markMissingRunLevel, partialDistribution, pickScalars, provenance } from './common.js';

const CONFIG_KEYS = [
  'endpoint_type', 'service_kind', 'streaming', 'concurrency', 'request_rate', 'request_count', 'warmup_request_count',
  'synthetic_input_tokens_mean', 'synthetic_input_tokens_stddev', 'output_tokens_mean', 'output_tokens_stddev',
  'measurement_interval', 'random_seed', 'backend',
] as const;

export function looksLikeGenaiPerf(o: Record<string, unknown>): boolean {
  const ttft = asObject(o.time_to_first_token) ?? asObject(o.request_latency);
  return ttft !== null && 'avg' in ttft && 'unit' in ttft;
}

/** A genai-perf stat block → ours, with its unit checked (ms, or tokens/sec for throughput). */
function fromStat(block: unknown, key: string, unit: RegExp, count: number | undefined, info: ImportInfo): Distribution | null {
  const b = asObject(block);
  if (!b) {
    info.missing.push(key);
    return null;
  }
  if (typeof b.unit === 'string' && !unit.test(b.unit)) {
    info.notes.push(`${key}: unexpected unit '${b.unit}' in the genai-perf file; not imported`);
    info.missing.push(key);
    return null;
  }
  const stats: Partial<Record<Statistic, number | undefined>> = {
    count,
    mean: finite(b.avg),
    std: finite(b.std),
    min: finite(b.min),
    p50: finite(b.p50),
    p90: finite(b.p90),
    p95: finite(b.p95),
    p99: finite(b.p99),
    max: finite(b.max),
  };
  const d = partialDistribution(key, stats, info.missing);
  for (const p of ['p1', 'p5', 'p10', 'p25', 'p75']) {
    const v = finite(b[p]);
    if (v !== undefined) addExtraStatistic(d, p, v);
  }
  return d;
}

export function importGenaiPerf(doc: Record<string, unknown>, fileName?: string): RunResult {
  const input = asObject(doc.input_config) ?? {};
  const info: ImportInfo = {
    importedFrom: 'genai-perf',
    aggregatesOnly: true,
    missing: [],
    notes: [
      "genai-perf's inter_token_latency is our TPOT ((latency − TTFT)/(output − 1) per request); it has no per-chunk ITL",
      'genai-perf drops empty responses before timing; it reports no failures in this file',
    ],
    workload: pickScalars(input, CONFIG_KEYS),
  };
  const count = finite(dig(doc, 'request_count', 'avg'));
  const metrics = emptyMetrics();
  metrics.ttft_ms = fromStat(doc.time_to_first_token, 'ttft_ms', /^ms$/, count, info);
  metrics.tpot_ms = fromStat(doc.inter_token_latency, 'tpot_ms', /^ms$/, undefined, info);
  metrics.e2e_ms = fromStat(doc.request_latency, 'e2e_ms', /^ms$/, count, info);
  metrics.output_throughput_tps = fromStat(doc.output_token_throughput_per_user, 'output_throughput_tps', /^tokens\/sec/, undefined, info);
  info.missing.push('itl_ms', 'output_latency_ms', 'input_throughput_tps', 'errors_by_kind', 'token_sources');

  const osl = asObject(doc.output_sequence_length);
  const isl = asObject(doc.input_sequence_length);
  const rps = finite(dig(doc, 'request_throughput', 'avg'));
  const outTps = finite(dig(doc, 'output_token_throughput', 'avg'));
  const meanIsl = finite(isl?.avg);
  // duration = requests / request rate, when genai-perf gives both.
  const durationS = count !== undefined && rps ? count / rps : finite(dig(doc, 'benchmark_duration', 'avg'));
  markMissingRunLevel(
    metrics,
    {
      request_throughput_rps: rps,
      output_token_throughput_tps: outTps,
      total_token_throughput_tps: outTps !== undefined && rps !== undefined && meanIsl !== undefined ? outTps + rps * meanIsl : undefined,
      completed: count,
      failed: finite(dig(doc, 'error_request_count', 'avg')),
      duration_s: durationS,
      total_input_tokens: count !== undefined && meanIsl !== undefined ? Math.round(count * meanIsl) : undefined,
      total_output_tokens: count !== undefined && finite(osl?.avg) !== undefined ? Math.round(count * (finite(osl?.avg) ?? 0)) : undefined,
    },
    info.missing,
  );
  const failed = finite(dig(doc, 'error_request_count', 'avg'));
  if (count !== undefined && failed !== undefined && count + failed > 0) metrics.error_rate = failed / (count + failed);
  else info.missing.push('error_rate');

  const modelNames = input.model;
  const model = Array.isArray(modelNames) && typeof modelNames[0] === 'string' ? modelNames[0] : typeof modelNames === 'string' ? modelNames : 'unknown';
  const name = typeof input.concurrency === 'number' ? `concurrency-${input.concurrency}` : typeof input.request_rate === 'number' ? `rate-${input.request_rate}` : (fileName ?? 'genai-perf');
  return importedRun({
    tool: 'genai-perf',
    startedAt: new Date(0).toISOString(),
    baseUrl: input.url,
    model,
    scenarios: [{ name, config: provenance(info), window: { startMs: 0, endMs: (durationS ?? 0) * 1000 }, metrics, requests: [] }],
  });
}
