// Assembles the Contracts' request record from what one exchange observed. Pure.

import type { EpochMs, RequestError, RequestRecord, RequestSpec, TokenSource } from '../types.js';
import { estimateTokens } from '../tokens.js';
import { statusOf } from './failure.js';
import type { StreamOutcome } from './stream.js';

export interface Observed {
  spec: RequestSpec;
  scheduledAt: EpochMs | null;
  sentAt: EpochMs;
  /** Response headers − sentAt; null when none arrived. */
  headersMs: number | null;
  /** [DONE] or the body's end − sentAt; null when not reached. */
  streamEndMs: number | null;
  /** What the stream said; null when no stream was read (connect or HTTP errors). */
  stream: StreamOutcome | null;
  error: RequestError | null;
  /** Counts output tokens when the server sent no usage; else the built-in estimate. */
  countOutputTokens?: (text: string) => number;
  /** With countOutputTokens: count outputs that have usage too, as a cross-check. */
  crossCheckTokens?: boolean;
  /** The request waited in the client for a free connection before it could be sent. */
  queuedForConnection?: boolean;
}

export function buildRecord(o: Observed): RequestRecord {
  const stream = o.stream;
  const offsets = stream?.chunkOffsetsMs ?? [];
  let outputTokens: number | null = null;
  let tokenSource: TokenSource = 'estimate';
  let tokenizerCount: number | undefined;
  if (stream !== null) {
    if (stream.reportedOutputTokens !== null) {
      outputTokens = stream.reportedOutputTokens;
      tokenSource = 'usage';
      if (o.crossCheckTokens && o.countOutputTokens) tokenizerCount = o.countOutputTokens(stream.outputText);
    } else if (o.countOutputTokens) {
      outputTokens = o.countOutputTokens(stream.outputText);
      tokenSource = 'tokenizer';
    } else {
      outputTokens = estimateTokens(stream.outputText);
    }
  }
  const record: RequestRecord = {
    id: o.spec.id,
    scenario: o.spec.scenario,
    status: statusOf(o.error),
    error: o.error,
    scheduledAt: o.scheduledAt,
    sentAt: o.sentAt,
    ttftMs: offsets.length > 0 ? offsets[0] : null,
    e2eMs: offsets.length > 0 ? offsets[offsets.length - 1] : null,
    streamEndMs: o.streamEndMs,
    inputTokens: stream?.reportedInputTokens ?? o.spec.inputTokens,
    outputTokens,
    tokenSource,
    chunkOffsetsMs: offsets,
    headersMs: o.headersMs,
    finishReason: stream?.finishReason ?? null,
  };
  if (stream?.chunkTokens !== undefined) record.chunkTokens = stream.chunkTokens;
  if (tokenizerCount !== undefined) record.tokenizerOutputTokens = tokenizerCount;
  if (o.queuedForConnection === true) record.queuedForConnection = true;
  return record;
}

/** The record of a request that never got an answer (cancelled before or while in flight). */
export function failedRecord(spec: RequestSpec, scheduledAt: EpochMs | null, sentAt: EpochMs, status: RequestRecord['status'], error: RequestError): RequestRecord {
  return {
    id: spec.id,
    scenario: spec.scenario,
    status,
    error,
    scheduledAt,
    sentAt,
    ttftMs: null,
    e2eMs: null,
    streamEndMs: null,
    inputTokens: null,
    outputTokens: null,
    tokenSource: 'estimate',
    chunkOffsetsMs: [],
  };
}
