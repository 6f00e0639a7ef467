// vLLM `vllm bench serve --save-result` (vllm/benchmarks/serve.py, main_async + benchmark):
// run-level numbers (duration s, completed, failed, request_throughput, output_throughput,
// total_token_throughput, request_goodput), per metric `mean_|median_|std_{ttft,tpot,itl,e2el}_ms`
// and `p{P}_{metric}_ms` for --metric-percentiles (default "99"; `p99.9_ttft_ms` for 99.9).
// --save-detailed adds per-request arrays: ttfts and latencies (s), itls (s lists), input_lens,
// output_lens, start_times (perf_counter s), errors ("" on success).
// vLLM's definitions match ours (TPOT = (latency − ttft)/(out − 1); ITL = gaps between chunks);
// its TTFT is the first SSE message with non-empty choices, which can be the role-only chunk.
import { computeScenarioMetrics } from '../../metrics/compute.js';
import type { Distribution, DistributionKey, ErrorKind, RequestRecord, RunResult, ScenarioMetrics, Statistic } from '../../types.js';
import type { ImportInfo } from './common.js';
import {
  addExtraStatistic,
  asObject,
  emptyMetrics,
  finite,
  importedRun,
  markMissingRunLevel,
  partialDistribution,
  pickScalars,
  provenance,
} from './common.js';

const VLLM_METRICS: ReadonlyArray<[vllm: string, ours: DistributionKey]> = [
  ['ttft', 'ttft_ms'],
  ['tpot', 'tpot_ms'],
  ['itl', 'itl_ms'],
  ['e2el', 'e2e_ms'],
];

const PERCENTILE_SLOTS: Partial<Record<string, Statistic>> = { '0': 'min', '50': 'p50', '90': 'p90', '95': 'p95', '99': 'p99', '100': 'max' };

/** The settings that describe the workload (stable between runs of the same command). */
const WORKLOAD_KEYS = [
  'backend', 'endpoint_type', 'label', 'tokenizer_id', 'num_prompts', 'request_rate',
  'burstiness', 'max_concurrency', 'ramp_up_strategy', 'ramp_up_start_rps', 'ramp_up_end_rps',
] as const;

/** `p99.9_ttft_ms` and friends that have no slot in our Distribution: kept as extra keys. */
function addExtraPercentiles(o: Record<string, unknown>, name: string, d: Distribution | null): void {
  const pattern = new RegExp(`^p(\\d+(?:\\.\\d+)?)_${name}_ms$`);
  for (const [field, value] of Object.entries(o)) {
    const m = pattern.exec(field);
    const v = finite(value);
    if (m && v !== undefined && !PERCENTILE_SLOTS[String(Number(m[1]))]) addExtraStatistic(d, `p${m[1]}`, v);
  }
}

/** True when the object looks like vLLM's save-result JSON. */
export function looksLikeVllm(o: Record<string, unknown>): boolean {
  return 'request_throughput' in o && 'completed' in o && ('mean_ttft_ms' in o || 'mean_e2el_ms' in o || 'ttfts' in o);
}

/**
 * vLLM's `date` is local time "%Y%m%d-%H%M%S" without a zone; read as UTC (the file cannot
 * say better). Null when absent or malformed.
 */
export function vllmDateMs(date: unknown): number | null {
  if (typeof date !== 'string') return null;
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(date);
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/** One scenario's aggregate distribution for a vLLM metric name (ms in the file already). */
function aggregateDistribution(o: Record<string, unknown>, name: string, key: DistributionKey, count: number | undefined, info: ImportInfo): Distribution | null {
  const stats: Partial<Record<Statistic, number | undefined>> = {
    mean: finite(o[`mean_${name}_ms`]),
    std: finite(o[`std_${name}_ms`]),
    p50: finite(o[`median_${name}_ms`]) ?? finite(o[`p50_${name}_ms`]),
    count,
  };
  const pattern = new RegExp(`^p(\\d+(?:\\.\\d+)?)_${name}_ms$`);
  for (const [field, value] of Object.entries(o)) {
    const m = pattern.exec(field);
    const v = finite(value);
    if (!m || v === undefined) continue;
    const slot = PERCENTILE_SLOTS[String(Number(m[1]))];
    if (slot) stats[slot] = v;
  }
  if (stats.mean === undefined) {
    info.missing.push(key);
    return null;
  }
  const d = partialDistribution(key, stats, info.missing);
  addExtraPercentiles(o, name, d);
  return d;
}

/** vLLM's error strings carry no kind; an HTTP status in the text is the one kind we can tell. */
function errorFromMessage(message: string): { kind: ErrorKind; httpStatus?: number; message: string } {
  const short = message.length > 300 ? `${message.slice(0, 300)}…` : message;
  const http = /\bHTTP(?:\s+status)?\s*:?\s*(\d{3})\b/i.exec(message) ?? /\bstatus(?:\s+code)?\s*:?\s*(\d{3})\b/i.exec(message);
  if (http) return { kind: 'http_status', httpStatus: Number(http[1]), message: short };
  if (/timeout|timed out/i.test(message)) return { kind: 'deadline', message: short };
  if (/connect/i.test(message)) return { kind: 'connect', message: short };
  return { kind: 'stream_error', message: short };
}

function numbersAt(arr: unknown, i: number): number | undefined {
  return Array.isArray(arr) ? finite(arr[i]) : undefined;
}

/** Per-request records from --save-detailed arrays; null when the file has none. */
function detailedRecords(o: Record<string, unknown>, scenario: string, baseMs: number, info: ImportInfo): RequestRecord[] | null {
  const ttfts = o.ttfts;
  if (!Array.isArray(ttfts) || ttfts.length === 0) return null;
  const itls = Array.isArray(o.itls) ? o.itls : [];
  const errors = Array.isArray(o.errors) ? o.errors : null;
  const starts = Array.isArray(o.start_times) ? o.start_times : null;
  const firstStart = starts ? Math.min(...starts.map((s) => finite(s) ?? Infinity)) : Infinity;
  if (!starts) info.missing.push('requests.sentAt');
  info.missing.push('requests.scheduledAt', 'requests.streamEndMs');
  if (!Array.isArray(o.latencies)) info.notes.push('vLLM file has no latencies array: e2e is TTFT plus the sum of the request\'s ITLs (the last chunk)');

  const records: RequestRecord[] = [];
  for (let i = 0; i < ttfts.length; i++) {
    const error = errors ? errors[i] : '';
    const ttftS = finite(ttfts[i]);
    const ok = errors ? error === '' || error === null || error === undefined : ttftS !== undefined && ttftS > 0;
    const start = starts ? finite(starts[i]) : undefined;
    const sentAt = start !== undefined && Number.isFinite(firstStart) ? baseMs + (start - firstStart) * 1000 : baseMs;
    const gaps = Array.isArray(itls[i]) ? (itls[i] as unknown[]).map((g) => finite(g) ?? 0) : [];
    const chunkOffsetsMs: number[] = [];
    if (ok && ttftS !== undefined) {
      let t = ttftS * 1000;
      chunkOffsetsMs.push(t);
      for (const g of gaps) chunkOffsetsMs.push((t += g * 1000));
    }
    const latencyS = numbersAt(o.latencies, i);
    const e2eMs = !ok ? null : latencyS !== undefined ? latencyS * 1000 : (chunkOffsetsMs.at(-1) ?? null);
    records.push({
      id: `${scenario}-${i}`,
      scenario,
      status: ok ? 'ok' : 'error',
      error: ok ? null : errorFromMessage(typeof error === 'string' && error ? error : 'request failed (vLLM gave no message)'),
      scheduledAt: null,
      sentAt,
      ttftMs: ok && ttftS !== undefined ? ttftS * 1000 : null,
      e2eMs,
      streamEndMs: null,
      inputTokens: numbersAt(o.input_lens, i) ?? null,
      outputTokens: ok ? (numbersAt(o.output_lens, i) ?? null) : null,
      // vLLM counts output tokens from the server's usage when given, else its tokenizer; the
      // file does not say which, so we claim the weaker one.
      tokenSource: 'tokenizer',
      chunkOffsetsMs,
    });
  }
  return records;
}

/** Converts one vLLM save-result object into a scenario; `name` labels it. */
function vllmScenario(o: Record<string, unknown>, name: string, baseMs: number) {
  const info: ImportInfo = {
    importedFrom: 'vllm',
    aggregatesOnly: true,
    missing: [],
    notes: [
      "vLLM's TTFT ends at the first SSE message with non-empty choices, which may be the role-only chunk (ours waits for content)",
      'vLLM measures with time.perf_counter from before the POST; duration runs from the first dispatch to the last completion',
    ],
    workload: pickScalars(o, WORKLOAD_KEYS),
  };
  const durationS = finite(o.duration);
  const window = { startMs: baseMs, endMs: baseMs + (durationS ?? 0) * 1000 };
  const completed = finite(o.completed);
  const failed = finite(o.failed);

  const records = detailedRecords(o, name, baseMs, info);
  let metrics: ScenarioMetrics;
  if (records) {
    info.aggregatesOnly = false;
    metrics = computeScenarioMetrics(records, window);
    // The per-request arrays give every statistic; keep the tool's extra percentiles too.
    for (const [vllmName, key] of VLLM_METRICS) addExtraPercentiles(o, vllmName, metrics[key]);
  } else {
    metrics = emptyMetrics();
    // TTFT and E2E have one value per successful request; TPOT (output > 1 only) and ITL (per chunk) do not say.
    const counts: Record<string, number | undefined> = { ttft: completed, e2el: completed, tpot: undefined, itl: undefined };
    for (const [vllmName, key] of VLLM_METRICS) {
      metrics[key] = completed === 0 ? null : aggregateDistribution(o, vllmName, key, counts[vllmName], info);
    }
    info.missing.push('output_latency_ms', 'input_throughput_tps', 'output_throughput_tps', 'errors_by_kind', 'token_sources');
  }

  const total = (completed ?? 0) + (failed ?? 0);
  markMissingRunLevel(
    metrics,
    {
      request_throughput_rps: finite(o.request_throughput),
      output_token_throughput_tps: finite(o.output_throughput),
      total_token_throughput_tps: finite(o.total_token_throughput),
      completed,
      failed,
      error_rate: completed !== undefined && failed !== undefined ? (total > 0 ? (failed ?? 0) / total : 0) : undefined,
      duration_s: durationS,
      total_input_tokens: finite(o.total_input_tokens),
      total_output_tokens: finite(o.total_output_tokens),
    },
    info.missing,
  );
  metrics.goodput_rps = finite(o.request_goodput) ?? null;
  return { name, config: provenance(info), window, metrics, requests: records ?? [] };
}

/**
 * vLLM save-result object(s) → RunResult. Several objects (from --append-result) become one
 * scenario each, named by label and request rate.
 */
export function importVllm(docs: readonly unknown[]): RunResult {
  const objects = docs.map(asObject).filter((o): o is Record<string, unknown> => o !== null);
  const first = objects[0] ?? {};
  const baseMs = vllmDateMs(first.date) ?? 0;
  const names = new Set<string>();
  const scenarios = objects.map((o, i) => {
    const label = typeof o.label === 'string' && o.label ? o.label : typeof o.backend === 'string' ? o.backend : 'vllm';
    let name = objects.length > 1 ? `${label}-rate-${String(o.request_rate ?? i)}${o.max_concurrency != null ? `-c${String(o.max_concurrency)}` : ''}` : label;
    while (names.has(name)) name = `${name}-${i}`;
    names.add(name);
    return vllmScenario(o, name, vllmDateMs(o.date) ?? baseMs);
  });
  return importedRun({
    tool: 'vllm',
    startedAt: new Date(baseMs).toISOString(),
    baseUrl: undefined,
    model: typeof first.model_id === 'string' ? first.model_id : 'unknown',
    engine: undefined,
    scenarios,
  });
}
