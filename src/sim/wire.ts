// The simulator's OpenAI-compatible wire format, in vLLM's dialect (see
// shared/reference/server-dialects.md): chunk and response bodies, errors, token text.

import type { Api } from '../types.js';

// Short common words: each generated token is " word", so the built-in estimate
// (whitespace-separated words) of the output text equals the number of tokens.
const TOKEN_WORDS = [
  'the', 'of', 'and', 'to', 'in', 'a', 'is', 'that', 'for', 'it',
  'as', 'was', 'with', 'be', 'by', 'on', 'not', 'he', 'this', 'are',
  'or', 'his', 'from', 'at', 'which', 'but', 'have', 'an', 'had', 'they',
];

/** The text of output token `index` (0-based). */
export function tokenText(index: number): string {
  return ' ' + TOKEN_WORDS[index % TOKEN_WORDS.length];
}

export interface Usage {
  prompt_tokens: number;
  total_tokens: number;
  completion_tokens: number;
}

export function usage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens };
}

/** What every chunk and response of one request shares. */
export interface ResponseIdentity {
  api: Api;
  /** chatcmpl-<request id> or cmpl-<request id>, as vLLM names them. */
  id: string;
  created: number;
  model: string;
}

export function responseId(api: Api, requestId: string): string {
  return (api === 'chat' ? 'chatcmpl-' : 'cmpl-') + requestId;
}

/** One SSE event. */
export function sseEvent(body: unknown): string {
  return `data: ${JSON.stringify(body)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';

/** The chat role chunk vLLM sends right before the first token. */
export function roleChunk(r: ResponseIdentity): unknown {
  return {
    id: r.id,
    object: 'chat.completion.chunk',
    created: r.created,
    model: r.model,
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
  };
}

/** A content chunk; the last one carries finish_reason "length" (output length is always max_tokens). */
export function contentChunk(r: ResponseIdentity, text: string, last: boolean, chunkUsage?: Usage): unknown {
  const finish = last ? { finish_reason: 'length', stop_reason: null } : { finish_reason: null };
  const extra = chunkUsage ? { usage: chunkUsage } : {};
  if (r.api === 'chat') {
    return {
      id: r.id,
      object: 'chat.completion.chunk',
      created: r.created,
      model: r.model,
      choices: [{ index: 0, delta: { content: text }, logprobs: null, ...finish }],
      ...extra,
    };
  }
  return {
    id: r.id,
    object: 'text_completion',
    created: r.created,
    model: r.model,
    choices: [{ index: 0, text, logprobs: null, stop_reason: null, ...finish }],
    usage: chunkUsage ?? null,
  };
}

/** The final `choices: []` chunk sent when stream_options.include_usage is on. */
export function usageChunk(r: ResponseIdentity, u: Usage): unknown {
  return {
    id: r.id,
    object: r.api === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: r.created,
    model: r.model,
    choices: [],
    usage: u,
  };
}

/** The whole answer of a non-streaming request. */
export function fullResponse(r: ResponseIdentity, text: string, u: Usage): unknown {
  const choice =
    r.api === 'chat'
      ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: 'length', stop_reason: null }
      : { index: 0, text, logprobs: null, finish_reason: 'length', stop_reason: null };
  return {
    id: r.id,
    object: r.api === 'chat' ? 'chat.completion' : 'text_completion',
    created: r.created,
    model: r.model,
    choices: [choice],
    usage: u,
  };
}

/** Python exception names by HTTP status, as vLLM and SGLang put them in `type`. */
export const ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestError',
  404: 'NotFoundError',
  405: 'MethodNotAllowedError',
  413: 'PayloadTooLargeError',
  422: 'UnprocessableEntityError',
  429: 'TooManyRequestsError',
  500: 'InternalServerError',
  503: 'ServiceUnavailableError',
};

/** vLLM's (≥ 0.10.1) error body. */
export function errorBody(status: number, message: string, param: string | null = null): unknown {
  return { error: { message, type: ERROR_TYPES[status] ?? 'Error', param, code: status } };
}
