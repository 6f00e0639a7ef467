// What happened inside the measurement window, and at what rate requests were offered and
// sent. Throughput counts work *done* inside the window (start excluded, end included):
// requests that completed in it,
// output tokens whose chunks arrived in it, input tokens whose prefill finished in it
// (first token), so a window that leaves out the drain tail does not credit the tail's
// work to the loaded period. See docs/load.md, "Measurement window".
import type { EpochMs, RequestRecord } from '../types.js';

export interface Window {
  startMs: EpochMs;
  endMs: EpochMs;
}

/** Half-open, (start, end]: a window may start at a completion, which then belongs to the fill before it. */
function inside(t: number, w: Window): boolean {
  return t > w.startMs && t <= w.endMs;
}

/** When a successful request ended: its stream end, else its last content chunk. */
export function completionTime(r: RequestRecord): EpochMs | null {
  if (r.streamEndMs !== null) return r.sentAt + r.streamEndMs;
  if (r.e2eMs !== null) return r.sentAt + r.e2eMs;
  return null;
}

export function completedInside(r: RequestRecord, w: Window): boolean {
  const t = completionTime(r);
  return t !== null && inside(t, w);
}

/**
 * Output tokens of `r` that arrived inside the window: per chunk when chunk times are known
 * (chunk token counts, else the request's tokens spread evenly over its chunks), else all of
 * them at completion.
 */
export function outputTokensInside(r: RequestRecord, w: Window): number {
  const total = r.outputTokens ?? 0;
  const chunks = r.chunkOffsetsMs.length;
  if (chunks === 0) return completedInside(r, w) ? total : 0;
  let sum = 0;
  for (let i = 0; i < chunks; i++) {
    if (inside(r.sentAt + r.chunkOffsetsMs[i], w)) sum += r.chunkTokens?.[i] ?? total / chunks;
  }
  return sum;
}

/** Input tokens of `r` counted in the window: when its first token (the end of its prefill) arrived inside it. */
export function inputTokensInside(r: RequestRecord, w: Window): number {
  const prefillDone = r.ttftMs !== null ? r.sentAt + r.ttftMs : completionTime(r);
  return prefillDone !== null && inside(prefillDone, w) ? (r.inputTokens ?? 0) : 0;
}

/** (n − 1) events over the span from the first to the last, per second; undefined below 2 events or for a zero span. */
function eventRate(times: readonly number[]): number | undefined {
  if (times.length < 2) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const t of times) {
    min = Math.min(min, t);
    max = Math.max(max, t);
  }
  return max > min ? ((times.length - 1) * 1000) / (max - min) : undefined;
}

export interface SendRates {
  /** Open loop only: the rate the schedule planned. */
  offered?: number;
  /** The rate requests left at (open or closed loop). */
  achieved?: number;
}

/** Offered and achieved send rates of the measured requests (failures included: they were sent too). */
export function sendRates(records: readonly RequestRecord[]): SendRates {
  const scheduled = records.flatMap((r) => (r.scheduledAt !== null ? [r.scheduledAt] : []));
  const out: SendRates = {};
  const offered = scheduled.length === records.length ? eventRate(scheduled) : undefined;
  const achieved = eventRate(records.map((r) => r.sentAt));
  if (offered !== undefined) out.offered = offered;
  if (achieved !== undefined) out.achieved = achieved;
  return out;
}
