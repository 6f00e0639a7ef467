// guidellm's benchmarks JSON (`--output kind=json`, GenerativeBenchmarksReport in
// src/guidellm/benchmark/schemas/report.py; older releases wrote the same `benchmarks` list
// with `args`). Per benchmark: `metrics.<name>.{successful|incomplete|errored|total}` is a
// DistributionSummary {mean, median, mode, variance, std_dev, min, max, count, total_sum,
// percentiles: {p001, p01, p05, p10, p25, p50, p75, p90, p95, p99, p999}}
// (src/guidellm/schemas/statistics.py), and `requests.{successful|incomplete|errored}` lists
// per-request stats whose `info.timings` are epoch seconds.
//
// Names differ from ours (src/guidellm/schemas/request_stats.py):
//   time_to_first_token_ms  = first token − request start            → our ttft_ms
//   inter_token_latency_ms  = (last − first token)/(output − 1)       → our tpot_ms
//   time_per_output_token_ms = (last token − start)/output (with TTFT) → not mapped
//   request_latency (seconds) = request end − request start          → our e2e_ms (×1000)
import { computeScenarioMetrics } from '../../metrics/compute.js';
import type { Distribution, RequestRecord, RunResult, ScenarioResult, Statistic } from '../../types.js';
import type { ImportInfo } from './common.js';
import { addExtraStatistic, asObject, dig, emptyMetrics, finite, importedRun, isoFromEpochSeconds, markMissingRunLevel, partialDistribution, pickScalars, provenance } from './common.js';

export function looksLikeGuidellm(o: Record<string, unknown>): boolean {
  const benchmarks = o.benchmarks;
  return Array.isArray(benchmarks) && benchmarks.length > 0 && asObject(asObject(benchmarks[0])?.metrics) !== null;
}

/** guidellm's DistributionSummary → ours (scaled), recording what it lacks. */
function fromSummary(summary: unknown, key: string, info: ImportInfo, scale = 1): Distribution | null {
  const s = asObject(summary);
  if (!s) {
    info.missing.push(key);
    return null;
  }
  const pct = asObject(s.percentiles) ?? {};
  const stats: Partial<Record<Statistic, number | undefined>> = {
    count: finite(s.count),
    mean: finite(s.mean),
    std: finite(s.std_dev),
    min: finite(s.min),
    p50: finite(s.median) ?? finite(pct.p50),
    p90: finite(pct.p90),
    p95: finite(pct.p95),
    p99: finite(pct.p99),
    max: finite(s.max),
  };
  if (stats.count === 0) return null;
  const d = partialDistribution(key, stats, info.missing, scale);
  const p999 = finite(pct.p999);
  if (p999 !== undefined) addExtraStatistic(d, 'p99.9', p999 * scale);
  return d;
}

/** Epoch seconds of a request's timing, from the current (`info.timings`) or older flat layout. */
function timing(r: Record<string, unknown>, current: string, older: string): number | undefined {
  return finite(dig(r, 'info', 'timings', current)) ?? finite(r[older]);
}

function requestRecord(r: Record<string, unknown>, scenario: string, index: number, ok: boolean): RequestRecord | null {
  const start = timing(r, 'request_start', 'start_time');
  if (start === undefined) return null;
  const first = timing(r, 'first_token_iteration', 'first_token_time');
  const last = timing(r, 'last_token_iteration', 'last_token_time');
  const end = timing(r, 'request_end', 'end_time');
  const targeted = finite(dig(r, 'info', 'timings', 'targeted_start'));
  const ms = (t: number | undefined) => (t === undefined ? null : (t - start) * 1000);
  const message = dig(r, 'info', 'error') ?? r.error;
  const id = typeof r.request_id === 'string' ? r.request_id : `${scenario}-${index}`;
  return {
    id,
    scenario,
    status: ok ? 'ok' : 'error',
    error: ok ? null : { kind: 'stream_error', message: typeof message === 'string' && message ? message.slice(0, 300) : 'request errored (guidellm)' },
    scheduledAt: targeted !== undefined ? targeted * 1000 : null,
    sentAt: start * 1000,
    ttftMs: ok ? ms(first) : null,
    e2eMs: ok ? ms(last) : null,
    streamEndMs: ms(end),
    inputTokens: finite(r.prompt_tokens) ?? null,
    outputTokens: ok ? (finite(r.output_tokens) ?? null) : null,
    // guidellm prefers the server's usage counts ("prefer_response_metrics", default true).
    tokenSource: 'usage',
    // Only the first and last token times are kept: no per-chunk arrivals, so no ITL.
    chunkOffsetsMs: [],
  };
}

/** Every successful and errored request, or null when the file keeps only a sample (or none). */
function completeRecords(b: Record<string, unknown>, scenario: string, successful: number | undefined, errored: number | undefined): RequestRecord[] | null {
  const groups = asObject(b.requests);
  const ok = groups?.successful;
  const bad = groups?.errored;
  if (!Array.isArray(ok) || ok.length === 0 || ok.length !== successful) return null;
  if (errored !== undefined && errored > 0 && (!Array.isArray(bad) || bad.length !== errored)) return null;
  const records: RequestRecord[] = [];
  const all: Array<[unknown, boolean]> = [...ok.map((r): [unknown, boolean] => [r, true]), ...(Array.isArray(bad) ? bad : []).map((r): [unknown, boolean] => [r, false])];
  for (const [r, isOk] of all) {
    const o = asObject(r);
    const rec = o ? requestRecord(o, scenario, records.length, isOk) : null;
    if (!rec) return null;
    records.push(rec);
  }
  return records.sort((a, b2) => a.sentAt - b2.sentAt);
}

function benchmarkName(b: Record<string, unknown>, index: number): string {
  const strategy = asObject(dig(b, 'config', 'strategy')) ?? asObject(dig(b, 'args', 'strategy')) ?? asObject(dig(b, 'scheduler', 'strategy'));
  const kind = typeof strategy?.type_ === 'string' ? strategy.type_ : 'benchmark';
  const rate = finite(strategy?.rate) ?? finite(strategy?.streams) ?? finite(strategy?.max_concurrency);
  return rate !== undefined ? `${kind}-${rate}` : `${kind}-${index}`;
}

function guidellmScenario(b: Record<string, unknown>, index: number): ScenarioResult {
  const name = benchmarkName(b, index);
  const strategy = asObject(dig(b, 'config', 'strategy')) ?? asObject(dig(b, 'args', 'strategy')) ?? {};
  const m = asObject(b.metrics) ?? {};
  const info: ImportInfo = {
    importedFrom: 'guidellm',
    aggregatesOnly: true,
    missing: [],
    notes: [
      "guidellm's inter_token_latency_ms is our TPOT; its time_per_output_token_ms includes TTFT and is not imported",
      "guidellm's request_latency (seconds) ends at the response end, not the last content chunk",
      "statistics are of successful requests, as guidellm's own summary; incomplete requests (cut off at the end) are left out",
    ],
    workload: pickScalars(strategy, ['type_', 'rate', 'streams', 'max_concurrency', 'initial_burst']),
  };
  const totals = asObject(m.request_totals) ?? asObject(b.request_totals) ?? {};
  const successful = finite(totals.successful);
  const errored = finite(totals.errored);
  const startS = finite(b.start_time);
  const endS = finite(b.end_time);
  const durationS = finite(b.duration) ?? (startS !== undefined && endS !== undefined ? endS - startS : undefined);
  const window = { startMs: (startS ?? 0) * 1000, endMs: ((startS ?? 0) + (durationS ?? 0)) * 1000 };

  const records = completeRecords(b, name, successful, errored);
  const metrics = records ? computeScenarioMetrics(records, window) : emptyMetrics();
  if (records) {
    info.aggregatesOnly = false;
    info.missing.push('itl_ms');
  } else {
    metrics.ttft_ms = fromSummary(dig(m, 'time_to_first_token_ms', 'successful'), 'ttft_ms', info);
    metrics.tpot_ms = fromSummary(dig(m, 'inter_token_latency_ms', 'successful'), 'tpot_ms', info);
    metrics.e2e_ms = fromSummary(dig(m, 'request_latency', 'successful'), 'e2e_ms', info, 1000);
    info.missing.push('itl_ms', 'output_latency_ms', 'input_throughput_tps', 'output_throughput_tps', 'errors_by_kind', 'token_sources');
  }
  const completed = successful;
  const failed = errored;
  markMissingRunLevel(
    metrics,
    {
      request_throughput_rps: finite(dig(m, 'requests_per_second', 'successful', 'mean')),
      output_token_throughput_tps: finite(dig(m, 'output_tokens_per_second', 'successful', 'mean')),
      total_token_throughput_tps: finite(dig(m, 'tokens_per_second', 'successful', 'mean')),
      completed,
      failed,
      error_rate: completed !== undefined && failed !== undefined ? (completed + failed > 0 ? failed / (completed + failed) : 0) : undefined,
      duration_s: durationS,
      total_input_tokens: finite(dig(m, 'prompt_token_count', 'successful', 'total_sum')),
      total_output_tokens: finite(dig(m, 'output_token_count', 'successful', 'total_sum')),
    },
    info.missing,
  );
  return { name, config: provenance(info), window, metrics, requests: records ?? [] };
}

export function importGuidellm(doc: Record<string, unknown>): RunResult {
  const benchmarks = (Array.isArray(doc.benchmarks) ? doc.benchmarks : []).map(asObject).filter((b): b is Record<string, unknown> => b !== null);
  const scenarios = benchmarks.map(guidellmScenario);
  const names = new Set<string>();
  for (const s of scenarios) {
    while (names.has(s.name)) s.name = `${s.name}-dup`;
    names.add(s.name);
  }
  const backend = asObject(dig(doc, 'config', 'spec', 'backend')) ?? asObject(dig(benchmarks[0], 'benchmarker', 'backend')) ?? {};
  const model = typeof backend.model === 'string' ? backend.model : 'unknown';
  return importedRun({
    tool: 'guidellm',
    startedAt: isoFromEpochSeconds(finite(benchmarks[0]?.start_time), new Date(0).toISOString()),
    baseUrl: backend.target,
    model,
    scenarios,
  });
}
