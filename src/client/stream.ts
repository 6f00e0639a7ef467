// Interprets the data events of an OpenAI-compatible stream (chat and completions) from any
// of the servers in shared/reference/server-dialects.md. Pure: the caller says when the
// bytes holding each event arrived (ms from sentAt), so tests are exact.
//
// A content chunk is one with non-empty delta.content / delta.reasoning /
// delta.reasoning_content / delta.tool_calls, or a non-empty completions `text`. Role-only,
// empty and llama.cpp prompt_progress chunks are not; they never set TTFT.

import type { ErrorKind, RequestError } from '../types.js';
import { MAX_ERROR_MESSAGE_CHARS, clipMessage } from './failure.js';
import { isDoneMarker } from './sse.js';

export { MAX_ERROR_MESSAGE_CHARS } from './failure.js';

export interface StreamOutcome {
  /** Arrival offsets of content chunks, ms from sentAt. */
  chunkOffsetsMs: number[];
  /** Tokens per content chunk, when the server reported usage on every chunk. */
  chunkTokens: number[] | undefined;
  /** Output tokens the server reported (usage, or llama.cpp timings.predicted_n). */
  reportedOutputTokens: number | null;
  reportedInputTokens: number | null;
  /** The content, reasoning and tool-call text, for the estimate when no count was reported. */
  outputText: string;
  finishReason: string | null;
  sawDone: boolean;
  /** The first error seen in the stream (an error event or a malformed event). */
  error: RequestError | null;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/**
 * The message of an `{"error": …}` event: an object with `message`, a string, or the JSON.
 * Secrets are removed before the cut (failure.ts says why).
 */
export function errorEventMessage(error: unknown, secrets: readonly string[]): string {
  const clip = (text: string): string => clipMessage(text, MAX_ERROR_MESSAGE_CHARS, secrets);
  if (isObject(error) && nonEmptyString(error.message)) return clip(error.message);
  if (nonEmptyString(error)) return clip(error);
  return clip(JSON.stringify(error) ?? 'error event without a message');
}

export class StreamInterpreter {
  private readonly offsets: number[] = [];
  /** Cumulative completion_tokens seen at each content chunk (continuous usage), or null. */
  private cumulativeAtChunk: number[] | null = [];
  private readonly textParts: string[] = [];
  private completionTokens: number | null = null;
  private promptTokens: number | null = null;
  private predictedN: number | null = null;
  private finishReason: string | null = null;
  private done = false;
  private error: RequestError | null = null;

  /** @param secrets removed from any server text this keeps, before it is cut to length */
  constructor(private readonly secrets: readonly string[] = []) {}

  private clip(text: string): string {
    return clipMessage(text, MAX_ERROR_MESSAGE_CHARS, this.secrets);
  }

  /** True once `[DONE]` arrived: later events are ignored. */
  get sawDone(): boolean {
    return this.done;
  }

  /** The first error seen in the stream (an error event or a malformed event), if any. */
  get firstError(): RequestError | null {
    return this.error;
  }

  /** One SSE event's data, with the arrival offset (ms from sentAt) of the bytes holding it. */
  onEvent(data: string, offsetMs: number): void {
    if (this.done) return;
    if (isDoneMarker(data)) {
      this.done = true;
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.recordError('malformed', `event is not valid JSON: ${this.clip(data)}`);
      return;
    }
    if (!isObject(parsed)) {
      this.recordError('malformed', `event is not a JSON object: ${this.clip(data)}`);
      return;
    }
    if (parsed.error !== undefined && parsed.error !== null) {
      this.recordError('stream_error', errorEventMessage(parsed.error, this.secrets));
      return;
    }
    this.onChunk(parsed, offsetMs);
  }

  /** A line the SSE parser could not read. */
  onMalformed(detail: string): void {
    this.recordError('malformed', this.clip(detail));
  }

  outcome(): StreamOutcome {
    return {
      chunkOffsetsMs: this.offsets,
      chunkTokens: this.chunkTokens(),
      reportedOutputTokens: this.completionTokens ?? this.predictedN,
      reportedInputTokens: this.promptTokens,
      outputText: this.textParts.join(''),
      finishReason: this.finishReason,
      sawDone: this.done,
      error: this.error,
    };
  }

  private recordError(kind: ErrorKind, message: string): void {
    if (this.error === null) this.error = { kind, message };
  }

  private onChunk(chunk: Json, offsetMs: number): void {
    let isContent = false;
    const choices = chunk.choices;
    if (Array.isArray(choices)) {
      for (const choice of choices) {
        if (!isObject(choice)) continue;
        if (this.readChoice(choice)) isContent = true;
      }
    }
    const usage = chunk.usage;
    let chunkCompletionTokens: number | null = null;
    if (isObject(usage) && typeof usage.completion_tokens === 'number') {
      // The last usage wins: Ollama sends zeros on every completions chunk, then the real one.
      chunkCompletionTokens = usage.completion_tokens;
      this.completionTokens = usage.completion_tokens;
      if (typeof usage.prompt_tokens === 'number') this.promptTokens = usage.prompt_tokens;
    }
    const timings = chunk.timings;
    if (isObject(timings) && typeof timings.predicted_n === 'number') this.predictedN = timings.predicted_n;
    if (!isContent) return;
    this.offsets.push(offsetMs);
    if (this.cumulativeAtChunk !== null) {
      if (chunkCompletionTokens === null) this.cumulativeAtChunk = null;
      else this.cumulativeAtChunk.push(chunkCompletionTokens);
    }
  }

  /** Reads one choice; true when it carries content. */
  private readChoice(choice: Json): boolean {
    const finish = choice.finish_reason;
    // TGI's completions send "" on intermediate chunks: that is no reason.
    if (nonEmptyString(finish)) this.finishReason = finish;
    let isContent = false;
    const text = choice.text;
    if (nonEmptyString(text)) {
      this.textParts.push(text);
      isContent = true;
    }
    const delta = choice.delta;
    if (!isObject(delta)) return isContent;
    if (nonEmptyString(delta.content)) {
      this.textParts.push(delta.content);
      isContent = true;
    }
    if (nonEmptyString(delta.reasoning)) {
      this.textParts.push(delta.reasoning);
      isContent = true;
    } else if (nonEmptyString(delta.reasoning_content)) {
      this.textParts.push(delta.reasoning_content);
      isContent = true;
    }
    const toolCalls = delta.tool_calls;
    if (Array.isArray(toolCalls) && toolCalls.length > 0) {
      isContent = true;
      for (const call of toolCalls) {
        if (isObject(call) && isObject(call.function) && nonEmptyString(call.function.arguments)) {
          this.textParts.push(call.function.arguments);
        }
      }
    }
    return isContent;
  }

  /**
   * Tokens per content chunk from continuous (cumulative) usage. Tokens reported on chunks
   * without text (vLLM holds back incomplete UTF-8 and stop strings) belong to the next
   * content chunk; tokens after the last one (a separate finish chunk) to the last. Undefined
   * unless every content chunk carried usage that grew by at least one token — Ollama's
   * all-zero usage on completions chunks is not a per-chunk count.
   */
  private chunkTokens(): number[] | undefined {
    const cumulative = this.cumulativeAtChunk;
    if (cumulative === null || cumulative.length === 0 || this.completionTokens === null) return undefined;
    const tokens: number[] = [];
    let previous = 0;
    for (const total of cumulative) {
      const delta = total - previous;
      if (delta < 1) return undefined;
      tokens.push(delta);
      previous = total;
    }
    const trailing = this.completionTokens - previous;
    if (trailing < 0) return undefined;
    tokens[tokens.length - 1] += trailing;
    return tokens;
  }
}
