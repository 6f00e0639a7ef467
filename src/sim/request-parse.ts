// Validates a /v1/chat/completions or /v1/completions body the way vLLM does, as far as the
// simulator cares: what it needs to run the request, or the 400 message vLLM would give.

import type { Api } from '../types.js';
import { estimateTokens } from '../tokens.js';
import { FLAVORS, TRTLLM_KNOWN_FIELDS, type FlavorName, type FlavorTraits } from './flavors.js';

/** Context length the simulated model reports; prompt + max_tokens may not exceed it. */
export const MAX_MODEL_LEN = 32768;

/** max_tokens when the request gives none: vLLM's for completions; for chat vLLM would fill the context, the sim caps it. */
export const DEFAULT_MAX_TOKENS: Record<Api, number> = { chat: 256, completions: 16 };

export interface GenerationRequest {
  api: Api;
  /** The model name asked for; null when absent. */
  model: string | null;
  inputTokens: number;
  maxTokens: number;
  stream: boolean;
  /** Send the final `choices: []` usage chunk (vLLM: on once a stream_options object is given). */
  includeUsage: boolean;
  /** Cumulative usage on every chunk (vLLM's stream_options.continuous_usage_stats; TRT-LLM with any stream_options). */
  continuousUsage: boolean;
  /** ignore_eos: true on a flavor that honours it: the output is exactly maxTokens. */
  ignoreEos: boolean;
  /** min_tokens on a flavor that honours it (0 otherwise): a floor under an early EOS. */
  minTokens: number;
}

/** Flavors that refuse stream_options on a non-streaming request (vLLM, TRT-LLM, OpenAI). */
const STREAM_OPTIONS_NEED_STREAM: ReadonlySet<FlavorName> = new Set(['vllm', 'trtllm', 'openai']);

export type ParseResult = { ok: true; request: GenerationRequest } | { ok: false; message: string; param: string | null };

/** Validates a request as the flavor's server would (default vLLM). */
export function parseGenerationRequest(api: Api, body: unknown, flavor: FlavorTraits = FLAVORS.vllm): ParseResult {
  if (!isObject(body)) return fail('The request body must be a JSON object.', null);
  if (flavor.rejectsUnknownFields) {
    const extra = Object.keys(body).filter((k) => !TRTLLM_KNOWN_FIELDS.has(k));
    if (extra.length > 0) return fail(`Extra inputs are not permitted: ${extra.join(', ')}`, extra[0]);
  }

  let inputTokens: number;
  if (api === 'chat') {
    const counted = countMessageTokens(body.messages);
    if (typeof counted === 'string') return fail(counted, 'messages');
    inputTokens = counted;
  } else {
    const counted = countPromptTokens(body.prompt);
    if (typeof counted === 'string') return fail(counted, 'prompt');
    inputTokens = counted;
  }

  if (body.model !== undefined && body.model !== null && typeof body.model !== 'string') {
    return fail('model must be a string.', 'model');
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    return fail('The simulator supports only n = 1.', 'n');
  }

  // vLLM and most others: max_completion_tokens wins over max_tokens; Ollama ignores it.
  let maxTokens = flavor.defaultMaxTokens[api];
  const lengthFields = flavor.honoursMaxCompletionTokens ? (['max_tokens', 'max_completion_tokens'] as const) : (['max_tokens'] as const);
  for (const field of lengthFields) {
    const v = body[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return fail(`${field} must be an integer >= 1.`, field);
    maxTokens = v;
  }
  if (inputTokens + maxTokens > MAX_MODEL_LEN) {
    return fail(
      `This model's maximum context length is ${MAX_MODEL_LEN} tokens. However, you requested ` +
        `${inputTokens + maxTokens} tokens (${inputTokens} in the messages, ${maxTokens} in the completion). ` +
        'Please reduce the length of the messages or completion.',
      'max_tokens',
    );
  }

  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return fail('stream must be a boolean.', 'stream');
  }
  const stream = body.stream === true;
  const opts = body.stream_options;
  let includeUsage = false;
  let continuousUsage = false;
  if (opts !== undefined && opts !== null) {
    if (!stream && STREAM_OPTIONS_NEED_STREAM.has(flavor.name)) {
      return fail('Stream options can only be defined when `stream=True`.', 'stream_options');
    }
    if (!isObject(opts)) return fail('stream_options must be an object.', 'stream_options');
    switch (flavor.usagePolicy) {
      case 'on-with-stream-options':
        includeUsage = opts.include_usage !== false && opts.include_usage !== null;
        break;
      case 'per-chunk-with-stream-options':
        includeUsage = true;
        continuousUsage = true;
        break;
      case 'explicit':
        includeUsage = opts.include_usage === true;
        break;
      case 'always':
        break;
    }
    if (flavor.continuousUsageStats && opts.continuous_usage_stats === true) continuousUsage = true;
  }
  if (flavor.usagePolicy === 'always') includeUsage = true;

  const ignoreEos = flavor.ignoreEos && body.ignore_eos === true;
  let minTokens = 0;
  if (flavor.minTokens && body.min_tokens !== undefined && body.min_tokens !== null) {
    const v = body.min_tokens;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return fail('min_tokens must be an integer >= 0.', 'min_tokens');
    minTokens = Math.min(v, maxTokens);
  }

  return {
    ok: true,
    request: {
      api,
      model: typeof body.model === 'string' ? body.model : null,
      inputTokens,
      maxTokens,
      stream,
      includeUsage,
      continuousUsage,
      ignoreEos,
      minTokens,
    },
  };
}

function countMessageTokens(messages: unknown): number | string {
  if (!Array.isArray(messages) || messages.length === 0) return 'messages must be a non-empty array.';
  let tokens = 0;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (!isObject(m) || typeof m.role !== 'string') return `messages[${i}] must be an object with a string role.`;
    const content = m.content;
    if (content === undefined || content === null) continue;
    if (typeof content === 'string') {
      tokens += estimateTokens(content);
    } else if (Array.isArray(content)) {
      for (const part of content as unknown[]) {
        if (isObject(part) && part.type === 'text' && typeof part.text === 'string') tokens += estimateTokens(part.text);
      }
    } else {
      return `messages[${i}].content must be a string, an array of content parts, or null.`;
    }
  }
  return tokens;
}

function countPromptTokens(prompt: unknown): number | string {
  if (typeof prompt === 'string') return estimateTokens(prompt);
  if (Array.isArray(prompt)) {
    if (prompt.length > 0 && prompt.every((x) => typeof x === 'number' && Number.isInteger(x))) return prompt.length;
    if (prompt.length === 1 && typeof prompt[0] === 'string') return estimateTokens(prompt[0]);
    return 'prompt must be a string, a one-element array of strings, or an array of token ids (the simulator runs one prompt per request).';
  }
  return 'prompt is required: a string or an array of token ids.';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function fail(message: string, param: string | null): ParseResult {
  return { ok: false, message, param };
}
