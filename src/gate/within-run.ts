// Within-run uncertainty of one scenario's statistic: the standard deviation of log(value)
// by a moving-block bootstrap over its requests in send order (see bootstrap.ts). Results
// are cached per scenario object, since a history's runs are compared many times.
import type { RequestRecord, ScenarioResult } from '../types.js';
import { deriveSeed } from '../workload/random.js';
import {
  bootstrapLogPercentileSd,
  bootstrapLogRatioSd,
  clustered,
  DEFAULT_REPLICATES,
  pairedBootstrapLogDiffVariance,
  resampledPercentile,
  resampledRatio,
} from './bootstrap.js';
import type { ResampledStatistic } from './bootstrap.js';
import type { ClusteredSamples } from './bootstrap.js';

const STAT_PERCENTILE: Record<string, number> = { min: 0, p50: 50, p90: 90, p95: 95, p99: 99, max: 100 };

/** Per-request values of a distribution metric, as DESIGN.md defines them. */
export function requestValues(metric: string, r: RequestRecord): number[] {
  const out = r.outputTokens ?? 0;
  const ttft = r.ttftMs;
  const e2e = r.e2eMs;
  switch (metric) {
    case 'ttft_ms':
      return ttft === null ? [] : [ttft];
    case 'e2e_ms':
      return e2e === null ? [] : [e2e];
    case 'output_latency_ms':
      return ttft === null || e2e === null ? [] : [e2e - ttft];
    case 'tpot_ms':
      return ttft === null || e2e === null || out < 2 ? [] : [(e2e - ttft) / (out - 1)];
    case 'itl_ms': {
      const gaps: number[] = [];
      for (let i = 1; i < r.chunkOffsetsMs.length; i++) gaps.push(r.chunkOffsetsMs[i] - r.chunkOffsetsMs[i - 1]);
      return gaps;
    }
    case 'input_throughput_tps':
      return ttft === null || !(ttft > 0) || r.inputTokens === null ? [] : [r.inputTokens / (ttft / 1000)];
    case 'output_throughput_tps':
      return ttft === null || e2e === null || out < 2 || !(e2e > ttft) ? [] : [(out - 1) / ((e2e - ttft) / 1000)];
    default:
      return [];
  }
}

function okInSendOrder(s: ScenarioResult): RequestRecord[] {
  return s.requests.filter((r) => r.status === 'ok').sort((a, b) => a.sentAt - b.sentAt);
}

/**
 * Block length: at least √n, and at least twice the mean number of requests in flight
 * (Little's law: Σ e2e / window), since requests overlapping in time share batches; at most
 * n / 5, so a resample still mixes five blocks.
 */
export function blockLengthFor(s: ScenarioResult, units: number): number {
  const windowMs = s.window.endMs - s.window.startMs;
  let busyMs = 0;
  for (const r of s.requests) busyMs += r.e2eMs ?? 0;
  const inFlight = windowMs > 0 ? busyMs / windowMs : 1;
  const length = Math.max(Math.ceil(Math.sqrt(units)), Math.ceil(2 * inFlight));
  return Math.max(1, Math.min(length, Math.floor(units / 5)));
}

/** Output tokens (or requests) per request and the slice of the window each request "owns" (time to the next send). */
function rateUnits(s: ScenarioResult, metric: string, order?: RequestRecord[]): { num: Float64Array; den: Float64Array } | null {
  const all = order ?? [...s.requests].sort((a, b) => a.sentAt - b.sentAt);
  if (all.length < 2) return null;
  const num = new Float64Array(all.length);
  const den = new Float64Array(all.length);
  for (let i = 0; i < all.length; i++) {
    const r = all[i];
    const ok = r.status === 'ok';
    const out = ok ? (r.outputTokens ?? 0) : 0;
    const input = ok ? (r.inputTokens ?? 0) : 0;
    num[i] = metric === 'request_throughput_rps' ? (ok ? 1 : 0) : metric === 'total_token_throughput_tps' ? out + input : out;
    const start = i === 0 ? Math.min(s.window.startMs, r.sentAt) : r.sentAt;
    const end = i + 1 < all.length ? all[i + 1].sentAt : Math.max(s.window.endMs, r.sentAt);
    den[i] = Math.max(0, end - start);
  }
  return { num, den };
}

const RATE_METRICS = new Set(['output_token_throughput_tps', 'request_throughput_rps', 'total_token_throughput_tps']);

interface ScenarioCache {
  blockLength: number;
  series: Map<string, ClusteredSamples>;
  sds: Map<string, number>;
}

const cache = new WeakMap<ScenarioResult, ScenarioCache>();

function cacheFor(s: ScenarioResult): ScenarioCache {
  let entry = cache.get(s);
  if (!entry) {
    const ok = okInSendOrder(s);
    entry = { blockLength: blockLengthFor(s, ok.length), series: new Map(), sds: new Map() };
    cache.set(s, entry);
  }
  return entry;
}

export interface WithinRunOptions {
  replicates?: number;
  /** Seeds the bootstrap; the same seed gives the same verdict. */
  seed?: number;
}

/**
 * Standard deviation of log(statistic) within one run; NaN when the run has no per-request
 * records for it (older history entries keep metrics only) or the statistic is not one the
 * bootstrap can recompute (mean, completed, …).
 */
export function withinRunLogSd(s: ScenarioResult, metric: string, statistic: string, opts: WithinRunOptions = {}): number {
  const replicates = opts.replicates ?? DEFAULT_REPLICATES;
  const key = `${metric}.${statistic}.${replicates}.${opts.seed ?? 0}`;
  const entry = cacheFor(s);
  const cached = entry.sds.get(key);
  if (cached !== undefined) return cached;
  const seed = deriveSeed(opts.seed ?? 0, `${s.name}\u0000${metric}\u0000${statistic}`);
  let sd = NaN;
  if (RATE_METRICS.has(metric)) {
    const units = rateUnits(s, metric);
    if (units) sd = bootstrapLogRatioSd(units.num, units.den, { blockLength: entry.blockLength, replicates, seed });
  } else if (STAT_PERCENTILE[statistic] !== undefined) {
    let series = entry.series.get(metric);
    if (!series) {
      series = clustered(okInSendOrder(s).map((r) => requestValues(metric, r)));
      entry.series.set(metric, series);
    }
    [sd] = bootstrapLogPercentileSd(series, [STAT_PERCENTILE[statistic]], { blockLength: entry.blockLength, replicates, seed });
  }
  entry.sds.set(key, sd);
  return sd;
}

/**
 * The current run's requests aligned with a baseline run's: the same request id (seeded
 * workloads give the same ids to the same requests), else the same position in send order
 * when fewer than half the ids match.
 */
function align(current: RequestRecord[], baseline: RequestRecord[]): (RequestRecord | undefined)[] {
  const byId = new Map(baseline.map((r) => [r.id, r]));
  const matched = current.map((r) => byId.get(r.id));
  const hits = matched.filter((r) => r !== undefined).length;
  return hits * 2 >= current.length ? matched : current.map((_, i) => baseline[i]);
}

/** Spans of the window each request "owns" in its own run, by id. */
function ownSpans(s: ScenarioResult, metric: string): Map<string, [number, number]> {
  const order = [...s.requests].sort((a, b) => a.sentAt - b.sentAt);
  const units = rateUnits(s, metric, order);
  const out = new Map<string, [number, number]>();
  if (units) order.forEach((r, i) => out.set(r.id, [units.num[i], units.den[i]]));
  return out;
}

/** Baseline runs the paired bootstrap uses at most. */
export const MAX_PAIRED_RUNS = 3;

export interface WithinRunEstimate {
  /** Within-run variance of log(statistic) of ONE run, as seen by the comparison (τ²). */
  perRunVar: number;
  /** Baseline runs the paired bootstrap used (0: the current run's own bootstrap, unpaired). */
  pairedRuns: number;
}

/**
 * Within-run noise of a comparison. With baseline runs that kept their requests, a paired
 * block bootstrap measures the variance V of log(current) − mean log(baselines) over the
 * same resampled requests; with k such runs V ≈ τ²(1 + 1/k), which gives the per-run τ².
 * Without any, τ² is the current run's own (unpaired) bootstrap variance: larger, since it
 * also counts the arrival pattern that a shared seed would have cancelled.
 */
export function withinRunVariance(
  current: ScenarioResult,
  baselines: readonly ScenarioResult[],
  metric: string,
  statistic: string,
  opts: WithinRunOptions = {},
): WithinRunEstimate {
  const replicates = opts.replicates ?? DEFAULT_REPLICATES;
  const seed = deriveSeed(opts.seed ?? 0, `${current.name}\u0000${metric}\u0000${statistic}\u0000paired`);
  // The newest few runs with requests suffice to estimate τ²; more only cost time.
  const withRequests = baselines.filter((b) => b.requests.length > 1).slice(0, MAX_PAIRED_RUNS);
  const unpaired = (): WithinRunEstimate => {
    const sd = withinRunLogSd(current, metric, statistic, opts);
    return { perRunVar: Number.isFinite(sd) ? sd * sd : 0, pairedRuns: 0 };
  };
  if (withRequests.length === 0) return unpaired();
  let statistics: ResampledStatistic[];
  let units: number;
  let blockLength: number;
  if (RATE_METRICS.has(metric)) {
    const order = [...current.requests].sort((a, b) => a.sentAt - b.sentAt);
    const own = rateUnits(current, metric, order);
    if (!own) return unpaired();
    units = order.length;
    blockLength = cacheFor(current).blockLength;
    statistics = [resampledRatio(own.num, own.den)];
    for (const b of withRequests) {
      const spans = ownSpans(b, metric);
      const aligned = align(order, [...b.requests].sort((x, y) => x.sentAt - y.sentAt));
      const num = new Float64Array(units);
      const den = new Float64Array(units);
      aligned.forEach((r, i) => {
        const v = r ? spans.get(r.id) : undefined;
        num[i] = v ? v[0] : 0;
        den[i] = v ? v[1] : 0;
      });
      statistics.push(resampledRatio(num, den));
    }
  } else if (STAT_PERCENTILE[statistic] !== undefined) {
    const ok = okInSendOrder(current);
    units = ok.length;
    blockLength = cacheFor(current).blockLength;
    const maxBlocks = Math.ceil(units / Math.max(1, blockLength));
    const p = STAT_PERCENTILE[statistic];
    statistics = [resampledPercentile(clustered(ok.map((r) => requestValues(metric, r))), p, blockLength, maxBlocks)];
    for (const b of withRequests) {
      const aligned = align(ok, okInSendOrder(b));
      statistics.push(resampledPercentile(clustered(aligned.map((r) => (r ? requestValues(metric, r) : []))), p, blockLength, maxBlocks));
    }
  } else {
    return { perRunVar: 0, pairedRuns: 0 };
  }
  const v = pairedBootstrapLogDiffVariance(statistics, units, { blockLength, replicates, seed });
  if (!Number.isFinite(v)) return unpaired();
  const k = withRequests.length;
  return { perRunVar: v / (1 + 1 / k), pairedRuns: k };
}
