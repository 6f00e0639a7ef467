// The streamed chunks of one request in its flavor's dialect (shared/reference/
// server-dialects.md): role chunk, content chunks, where the finish reason rides, where usage
// comes, [DONE]. The server decides *when* each chunk goes out; this decides its bytes.

import { randomBytes } from 'node:crypto';
import type { Api } from '../types.js';
import { streamErrorBody } from './error-shapes.js';
import type { FlavorName, FlavorTraits } from './flavors.js';
import type { Usage } from './wire.js';

export type FinishReason = 'length' | 'stop' | 'tool_calls';

/** The text one chunk carries, split by where it goes in the delta. */
export interface ChunkPiece {
  reasoning: string;
  content: string;
  toolArgs: string;
  /** True on the chunk that opens the tool call (carries its id and name). */
  opensToolCall: boolean;
}

/** llama.cpp's `timings` object. */
export interface LlamaTimings {
  cache_n: number;
  prompt_n: number;
  prompt_ms: number;
  prompt_per_token_ms: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_ms: number;
  predicted_per_token_ms: number;
  predicted_per_second: number;
}

export function llamaTimings(promptTokens: number, promptMs: number, predicted: number, predictedMs: number): LlamaTimings {
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    cache_n: 0,
    prompt_n: promptTokens,
    prompt_ms: round(promptMs),
    prompt_per_token_ms: round(promptMs / Math.max(1, promptTokens)),
    prompt_per_second: round(promptMs > 0 ? (promptTokens * 1000) / promptMs : 0),
    predicted_n: predicted,
    predicted_ms: round(predictedMs),
    predicted_per_token_ms: round(predictedMs / Math.max(1, predicted)),
    predicted_per_second: round(predictedMs > 0 ? (predicted * 1000) / predictedMs : 0),
  };
}

export interface StreamIdentity {
  api: Api;
  /** The response id (TRT-LLM replaces it on every chunk). */
  id: string;
  created: number;
  model: string;
  /** The id of the simulated tool call (toolCalls mode). */
  toolCallId: string;
}

/** What the end of the stream reports. */
export interface StreamEnd {
  finish: FinishReason;
  usage: Usage;
  /** llama.cpp only. */
  timings?: LlamaTimings;
}

const TGI_FINGERPRINT = '3.3.6-native';
const LLAMA_FINGERPRINT = 'b6700-sim';
const TOOL_NAME = 'get_weather';

/** Encodes the SSE events of one streamed request in one flavor. */
export class StreamEncoder {
  private readonly prefix: string;

  constructor(
    private readonly flavor: FlavorTraits,
    private readonly r: StreamIdentity,
    private readonly opts: { includeUsage: boolean; continuousUsage: boolean; noUsage?: boolean },
  ) {
    this.prefix = flavor.dataPrefix;
  }

  event(body: unknown): string {
    return `${this.prefix}${JSON.stringify(body)}\n\n`;
  }

  done(): string {
    return `${this.prefix}[DONE]\n\n`;
  }

  /** Written right after the headers: TGI's keep-alive comment (sent every ~15 s by axum; once at the start here). */
  opening(): string {
    return this.flavor.name === 'tgi' ? ':\n\n' : '';
  }

  /** Written together with (before) the first content chunk: the role-only chunk where the flavor sends one. */
  lead(): string {
    if (this.r.api !== 'chat') return '';
    const role = ROLE_DELTA[this.flavor.name];
    if (role === null) return '';
    const body = this.chatChunk(role, null, null);
    // TRT-LLM writes its first event with a space after the JSON.
    return this.flavor.name === 'trtllm' ? `${this.prefix}${JSON.stringify(body)} \n\n` : this.event(body);
  }

  /**
   * One content chunk; on the last one `end` is set and the result also holds the finish
   * chunk (where separate), the usage chunk (where due) and [DONE]. `sent` is the cumulative
   * usage after this chunk, for per-chunk usage.
   */
  content(piece: ChunkPiece, sent: Usage, end: StreamEnd | null): string {
    const perChunkUsage = this.opts.continuousUsage ? sent : undefined;
    if (this.r.api === 'completions') return this.completionChunk(piece, perChunkUsage, end);
    const name = this.flavor.name;
    const delta = this.delta(piece);
    const finishInChunk = end !== null && FINISH_IN_LAST_TOKEN.has(name);
    let out = this.event(this.chatChunk(delta, finishInChunk ? end.finish : null, perChunkUsage ?? null));
    if (end === null) return out;
    if (!finishInChunk) {
      const finishDelta = FINISH_DELTA[name];
      const old = name === 'llamacpp-old' && !this.opts.noUsage;
      out += this.event(this.chatChunk(finishDelta, end.finish, old ? end.usage : (perChunkUsage ?? null), old ? end.timings : undefined));
    }
    return out + this.tail(end);
  }

  /** An `{"error": …}` event inside the stream, and what the flavor writes after it. null: the flavor drops the connection instead. */
  errorEvent(message: string, end: 'flavor' | 'done' | 'no-done'): { text: string; thenDone: boolean } | null {
    if (end === 'flavor' && this.flavor.errorEnd === 'drop-connection') return null;
    const thenDone = end === 'done' || (end === 'flavor' && this.flavor.errorEnd === 'done');
    return { text: this.event(streamErrorBody(this.flavor.name, message)), thenDone };
  }

  private tail(end: StreamEnd): string {
    const name = this.flavor.name;
    let out = '';
    const separateUsage = this.opts.includeUsage && name !== 'llamacpp-old' && !(this.r.api === 'completions' && USAGE_IN_LAST_COMPLETION.has(name));
    if (separateUsage) {
      const body: Record<string, unknown> = this.envelope([], null);
      body.usage = name.startsWith('llamacpp') ? { ...end.usage, prompt_tokens_details: { cached_tokens: 0 } } : end.usage;
      if (end.timings && name === 'llamacpp') body.timings = end.timings;
      out += this.event(body);
    }
    return out + this.done();
  }

  private delta(piece: ChunkPiece): Record<string, unknown> {
    const name = this.flavor.name;
    const d: Record<string, unknown> = {};
    if (name === 'tgi' || name === 'ollama') d.role = 'assistant';
    if (name === 'sglang') {
      d.role = null;
      d.content = piece.content === '' ? null : piece.content;
      d.reasoning_content = piece.reasoning === '' ? null : piece.reasoning;
      d.tool_calls = piece.toolArgs === '' && !piece.opensToolCall ? null : this.toolCalls(piece);
      return d;
    }
    if (piece.reasoning !== '') d[this.flavor.reasoningField] = piece.reasoning;
    if (piece.content !== '' || (piece.reasoning === '' && piece.toolArgs === '' && !piece.opensToolCall)) d.content = piece.content;
    if (piece.toolArgs !== '' || piece.opensToolCall) d.tool_calls = this.toolCalls(piece);
    return d;
  }

  private toolCalls(piece: ChunkPiece): unknown[] {
    if (piece.opensToolCall) {
      return [{ index: 0, id: this.r.toolCallId, type: 'function', function: { name: TOOL_NAME, arguments: piece.toolArgs } }];
    }
    return [{ index: 0, function: { arguments: piece.toolArgs } }];
  }

  /** The fields around `choices`, in the flavor's order. */
  private envelope(choices: unknown[], usage: unknown): Record<string, unknown> {
    const r = this.r;
    const object = r.api === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    switch (this.flavor.name) {
      case 'tgi':
        return { object, id: '', created: r.created, model: r.model, system_fingerprint: TGI_FINGERPRINT, choices, usage };
      case 'llamacpp':
      case 'llamacpp-old': {
        const body: Record<string, unknown> = { choices, created: r.created, id: r.id, model: r.model, system_fingerprint: LLAMA_FINGERPRINT, object };
        if (usage !== null) body.usage = usage;
        return body;
      }
      case 'ollama': {
        const body: Record<string, unknown> = { id: r.id, object, created: r.created, model: r.model, system_fingerprint: 'fp_ollama', choices };
        if (usage !== null) body.usage = usage;
        return body;
      }
      case 'trtllm': {
        const body: Record<string, unknown> = { id: `chatcmpl-${randomBytes(16).toString('hex')}`, object, created: r.created, model: r.model, choices };
        if (usage !== null || this.opts.includeUsage) body.usage = usage;
        return body;
      }
      case 'openai': {
        const body: Record<string, unknown> = { id: r.id, object, created: r.created, model: r.model, service_tier: 'default', system_fingerprint: 'fp_sim', choices };
        if (usage !== null || this.opts.includeUsage) body.usage = usage;
        return body;
      }
      case 'sglang':
        return { id: r.id, object, created: r.created, model: r.model, choices, usage };
      case 'vllm': {
        const body: Record<string, unknown> = { id: r.id, object, created: r.created, model: r.model, choices };
        if (usage !== null) body.usage = usage;
        return body;
      }
    }
  }

  private chatChunk(delta: Record<string, unknown> | null, finish: FinishReason | null, usage: unknown, timings?: LlamaTimings): Record<string, unknown> {
    const name = this.flavor.name;
    let choice: Record<string, unknown>;
    if (name === 'llamacpp' || name === 'llamacpp-old') choice = { finish_reason: finish, index: 0, delta };
    else if (name === 'ollama') choice = { index: 0, delta, finish_reason: finish };
    else {
      choice = { index: 0, delta, logprobs: null, finish_reason: finish };
      if (name === 'sglang') choice.matched_stop = null;
      if (finish !== null && (name === 'vllm' || name === 'trtllm')) choice.stop_reason = null;
    }
    const body = this.envelope([choice], usage);
    if (timings) body.timings = timings;
    return body;
  }

  private completionChunk(piece: ChunkPiece, perChunkUsage: Usage | undefined, end: StreamEnd | null): string {
    const name = this.flavor.name;
    const text = piece.reasoning + piece.content + piece.toolArgs;
    const choice: Record<string, unknown> = { index: 0, text, logprobs: null };
    if (name === 'tgi') choice.finish_reason = end ? end.finish : '';
    else choice.finish_reason = end ? end.finish : null;
    if (name === 'vllm' || name === 'sglang' || name === 'trtllm') choice.stop_reason = null;
    let usage: unknown = perChunkUsage ?? null;
    if (end && USAGE_IN_LAST_COMPLETION.has(name) && !this.opts.noUsage) {
      usage = name.startsWith('llamacpp') ? { ...end.usage, prompt_tokens_details: { cached_tokens: 0 } } : end.usage;
    } else if (name === 'ollama' && this.opts.includeUsage) {
      usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    }
    const body = this.envelope([choice], usage);
    if (name === 'vllm' && !('usage' in body)) body.usage = null;
    if (end?.timings && name.startsWith('llamacpp') && !this.opts.noUsage) body.timings = end.timings;
    let out = this.event(body);
    if (end) out += this.tail(end);
    return out;
  }
}

/** The role-only chunk's delta, where the flavor sends one (TGI and Ollama repeat the role on every chunk instead). */
const ROLE_DELTA: Record<FlavorName, Record<string, unknown> | null> = {
  vllm: { role: 'assistant', content: '' },
  sglang: { role: 'assistant', content: '', reasoning_content: null, tool_calls: null },
  tgi: null,
  llamacpp: { role: 'assistant', content: null },
  'llamacpp-old': null,
  ollama: null,
  trtllm: { role: 'assistant' },
  openai: { role: 'assistant', content: '', refusal: null },
};

/** Flavors whose last token rides in the chunk with finish_reason. */
const FINISH_IN_LAST_TOKEN: ReadonlySet<FlavorName> = new Set(['vllm', 'tgi', 'trtllm']);

/** The delta of a separate finish chunk. */
const FINISH_DELTA: Record<FlavorName, Record<string, unknown>> = {
  vllm: {},
  sglang: { role: null, content: null, reasoning_content: null, tool_calls: null },
  tgi: { role: 'assistant', content: '' },
  llamacpp: {},
  'llamacpp-old': {},
  ollama: { role: 'assistant', content: '' },
  trtllm: {},
  openai: {},
};

/** Completions streams whose last chunk itself carries usage (TGI; llama.cpp with timings). */
const USAGE_IN_LAST_COMPLETION: ReadonlySet<FlavorName> = new Set(['tgi', 'llamacpp', 'llamacpp-old']);
