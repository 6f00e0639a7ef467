// Error bodies as each server writes them (shared/reference/server-dialects.md, "Errors and
// overload"): before streaming (an HTTP error status with a JSON body) and inside a 200 stream
// (an SSE `{"error": …}` event).

import type { FlavorName } from './flavors.js';
import { ERROR_TYPES as PYTHON_TYPES, errorBody as vllmErrorBody } from './wire.js';


/** OpenAI-style `type` strings (OpenAI, Ollama, llama.cpp). */
function openaiType(status: number): string {
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'unavailable_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** TGI's error_type strings. */
function tgiType(status: number): string {
  if (status === 429) return 'overloaded';
  if (status === 422 || status === 400) return 'validation';
  if (status === 404) return 'not_found';
  return 'generation';
}

/** The JSON body of an HTTP error answer, in the flavor's shape. */
export function httpErrorBody(flavor: FlavorName, status: number, message: string, param: string | null = null): unknown {
  switch (flavor) {
    case 'vllm':
      return vllmErrorBody(status, message, param);
    case 'sglang':
    case 'trtllm':
      return { object: 'error', message, type: PYTHON_TYPES[status] ?? 'Error', param, code: status };
    case 'tgi':
      return { error: message, error_type: tgiType(status) };
    case 'llamacpp':
    case 'llamacpp-old':
      return { error: { code: status, message, type: openaiType(status) } };
    case 'ollama':
      return { error: { message, type: status >= 500 ? 'api_error' : 'invalid_request_error', param: null, code: null } };
    case 'openai':
      return { error: { message, type: openaiType(status), param, code: null } };
  }
}

/** The `{"error": …}` event body a server writes inside a 200 stream. */
export function streamErrorBody(flavor: FlavorName, message: string): unknown {
  switch (flavor) {
    case 'tgi':
      return { error: { message, http_status_code: 422 } };
    case 'llamacpp':
    case 'llamacpp-old':
      return { error: { code: 500, message, type: 'server_error' } };
    case 'ollama':
      return { error: { message, type: 'api_error', param: null, code: null } };
    case 'openai':
      return { error: { message, type: 'server_error', param: null, code: null } };
    case 'vllm':
    case 'sglang':
    case 'trtllm':
      return { error: { message, type: 'InternalServerError', param: null, code: 500 } };
  }
}
