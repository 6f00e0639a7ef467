// RequestRecord[] → a scenario's metrics, by DESIGN.md's metric table. Latency
// distributions use successful requests only (as vLLM does); failures count in error_rate
// and their time stays in the measurement window. Throughput and goodput count the work
// done inside the window (window.ts), so a window without the drain tail is honest.
import { InputError } from '../errors.js';
import type { EpochMs, ErrorKind, RequestRecord, ScenarioMetrics, TokenSource } from '../types.js';
import { summarize } from './stats.js';
import { completedInside, inputTokensInside, outputTokensInside, sendRates } from './window.js';

/** The per-request values an SLO may bound (ms); goodput counts requests within all of them. */
export const SLO_KEYS = ['ttft_ms', 'tpot_ms', 'e2e_ms', 'output_latency_ms'] as const;
export type SloKey = (typeof SLO_KEYS)[number];

export interface ComputeOptions {
  /** Per-request limits in ms, e.g. `{ttft_ms: 500, tpot_ms: 50}`; enables goodput_rps. */
  slo?: Record<string, number>;
}

/** A successful request's derived values (ms); null where the record cannot give one. */
interface RequestValues {
  ttft: number | null;
  e2e: number | null;
  outputLatency: number | null;
  tpot: number | null;
}

function requestValues(r: RequestRecord): RequestValues {
  const ttft = r.ttftMs;
  const e2e = r.e2eMs;
  const outputLatency = ttft !== null && e2e !== null ? e2e - ttft : null;
  const out = r.outputTokens;
  // Decode time is unobservable when the whole output came in one chunk (a non-streamed
  // answer, or a server that buffers it all): no TPOT, not a TPOT of 0. Imported records
  // without chunk times (empty list) keep the TPOT their first and last token times give.
  const oneChunk = r.chunkOffsetsMs.length === 1;
  const tpot = outputLatency !== null && out !== null && out >= 2 && !oneChunk ? outputLatency / (out - 1) : null;
  return { ttft, e2e, outputLatency, tpot };
}

function checkSlo(slo: Record<string, number>): void {
  for (const [key, limit] of Object.entries(slo)) {
    if (!(SLO_KEYS as readonly string[]).includes(key)) {
      throw new InputError(`slo.${key}: not a per-request latency; use one of ${SLO_KEYS.join(', ')} (ms)`);
    }
    if (!(limit > 0) || !Number.isFinite(limit)) throw new InputError(`slo.${key}: must be a positive number of ms, got ${limit}`);
  }
}

/**
 * Whether a successful request met every SLO. A request with one output token has no TPOT,
 * and so meets a TPOT limit (as in vLLM, where its TPOT is 0); a missing TTFT or E2E fails.
 */
function meetsSlo(v: RequestValues, slo: Record<string, number>): boolean {
  const byKey: Record<SloKey, number | null> = { ttft_ms: v.ttft, tpot_ms: v.tpot, e2e_ms: v.e2e, output_latency_ms: v.outputLatency };
  for (const [key, limit] of Object.entries(slo)) {
    const value = byKey[key as SloKey];
    if (value === null) {
      if (key === 'tpot_ms') continue;
      return false;
    }
    if (value > limit) return false;
  }
  return true;
}

/** The error kind a failed record counts under (records without an error object by status). */
function failureKind(r: RequestRecord): ErrorKind {
  if (r.error) return r.error.kind;
  if (r.status === 'timeout') return 'deadline';
  if (r.status === 'cancelled') return 'cancelled';
  return 'stream_error';
}

/**
 * Per-token inter-token latency: each gap between content chunks spread over the tokens of
 * the chunk it ends (k tokens: k values of gap / k), so a stream of multi-token chunks
 * (speculative decoding, stream intervals) weighs each token once. Token counts per chunk
 * from continuous usage when the server sent it, else the request's output tokens spread
 * evenly over its chunks. Appends to `out`; true when some chunk held more than one token.
 */
function perTokenGaps(r: RequestRecord, out: number[]): boolean {
  const offsets = r.chunkOffsetsMs;
  if (offsets.length < 2 || r.outputTokens === null) return false;
  const even = r.outputTokens / offsets.length;
  let multi = false;
  for (let i = 1; i < offsets.length; i++) {
    const k = r.chunkTokens?.[i] ?? even;
    const copies = Math.max(1, Math.round(k));
    if (copies > 1) multi = true;
    const gap = (offsets[i] - offsets[i - 1]) / copies;
    for (let c = 0; c < copies; c++) out.push(gap);
  }
  return multi;
}

/** Divides by the window in seconds; 0 for an empty window (nothing was measured). */
function perSecond(amount: number, windowS: number): number {
  return windowS > 0 ? amount / windowS : 0;
}

export function computeScenarioMetrics(
  records: readonly RequestRecord[],
  window: { startMs: EpochMs; endMs: EpochMs },
  opts: ComputeOptions = {},
): ScenarioMetrics {
  const slo = opts.slo && Object.keys(opts.slo).length > 0 ? opts.slo : undefined;
  if (slo) checkSlo(slo);

  const ttft: number[] = [];
  const e2e: number[] = [];
  const outputLatency: number[] = [];
  const tpot: number[] = [];
  const itl: number[] = [];
  const itlPerToken: number[] = [];
  let multiTokenChunks = false;
  const inputThroughput: number[] = [];
  const outputThroughput: number[] = [];
  const ttftFromSchedule: number[] = [];
  const e2eFromSchedule: number[] = [];
  const errorsByKind: Partial<Record<ErrorKind, number>> = {};
  const tokenSources: Partial<Record<TokenSource, number>> = {};
  let completed = 0;
  let failed = 0;
  let good = 0;
  let goodInWindow = 0;
  let goodTokensInWindow = 0;
  let completedInWindow = 0;
  let outputInWindow = 0;
  let inputInWindow = 0;
  let totalInput = 0;
  let totalOutput = 0;
  let maxChunkTokens: number | undefined;
  let openLoop = false;

  for (const r of records) {
    if (r.scheduledAt !== null) openLoop = true;
    if (r.status !== 'ok') {
      failed++;
      const kind = failureKind(r);
      errorsByKind[kind] = (errorsByKind[kind] ?? 0) + 1;
      continue;
    }
    completed++;
    tokenSources[r.tokenSource] = (tokenSources[r.tokenSource] ?? 0) + 1;
    totalInput += r.inputTokens ?? 0;
    totalOutput += r.outputTokens ?? 0;

    const v = requestValues(r);
    if (v.ttft !== null) ttft.push(v.ttft);
    if (v.e2e !== null) e2e.push(v.e2e);
    if (v.outputLatency !== null) outputLatency.push(v.outputLatency);
    if (v.tpot !== null) tpot.push(v.tpot);
    if (v.ttft !== null && v.ttft > 0 && r.inputTokens !== null) inputThroughput.push(r.inputTokens / (v.ttft / 1000));
    if (v.outputLatency !== null && v.outputLatency > 0 && r.outputTokens !== null && r.outputTokens >= 2) {
      outputThroughput.push((r.outputTokens - 1) / (v.outputLatency / 1000));
    }
    for (let i = 1; i < r.chunkOffsetsMs.length; i++) itl.push(r.chunkOffsetsMs[i] - r.chunkOffsetsMs[i - 1]);
    if (perTokenGaps(r, itlPerToken)) multiTokenChunks = true;
    for (const k of r.chunkTokens ?? []) maxChunkTokens = Math.max(maxChunkTokens ?? 0, k);
    if (r.scheduledAt !== null) {
      const lag = r.sentAt - r.scheduledAt;
      if (v.ttft !== null) ttftFromSchedule.push(v.ttft + lag);
      if (v.e2e !== null) e2eFromSchedule.push(v.e2e + lag);
    }
    const doneInWindow = completedInside(r, window);
    if (doneInWindow) completedInWindow++;
    outputInWindow += outputTokensInside(r, window);
    inputInWindow += inputTokensInside(r, window);
    if (slo && meetsSlo(v, slo)) {
      good++;
      if (doneInWindow) {
        goodInWindow++;
        goodTokensInWindow += r.outputTokens ?? 0;
      }
    }
  }

  const windowS = Math.max(0, window.endMs - window.startMs) / 1000;
  const metrics: ScenarioMetrics = {
    ttft_ms: summarize(ttft),
    tpot_ms: summarize(tpot),
    itl_ms: summarize(itl),
    e2e_ms: summarize(e2e),
    output_latency_ms: summarize(outputLatency),
    input_throughput_tps: summarize(inputThroughput),
    output_throughput_tps: summarize(outputThroughput),
    request_throughput_rps: perSecond(completedInWindow, windowS),
    output_token_throughput_tps: perSecond(outputInWindow, windowS),
    total_token_throughput_tps: perSecond(inputInWindow + outputInWindow, windowS),
    goodput_rps: slo ? perSecond(goodInWindow, windowS) : null,
    token_goodput_tps: slo ? perSecond(goodTokensInWindow, windowS) : null,
    slo_attainment: slo ? (records.length > 0 ? good / records.length : 0) : null,
    error_rate: records.length > 0 ? failed / records.length : 0,
    completed,
    failed,
    duration_s: windowS,
    errors_by_kind: errorsByKind,
    total_input_tokens: totalInput,
    total_output_tokens: totalOutput,
    token_sources: tokenSources,
  };
  if (openLoop) {
    metrics.ttft_from_schedule_ms = summarize(ttftFromSchedule);
    metrics.e2e_from_schedule_ms = summarize(e2eFromSchedule);
  }
  if (maxChunkTokens !== undefined) metrics.max_chunk_tokens = maxChunkTokens;
  if (multiTokenChunks) metrics.itl_per_token_ms = summarize(itlPerToken);
  const rates = sendRates(records);
  if (rates.offered !== undefined) metrics.offered_rate_rps = rates.offered;
  if (rates.achieved !== undefined) metrics.achieved_rate_rps = rates.achieved;
  return metrics;
}
