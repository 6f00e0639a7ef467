// Turning what went wrong on the wire into the Contracts' error kinds and one-line messages,
// with every secret removed.

import type { ErrorKind, RequestError, RequestStatus } from '../types.js';
import { MAX_ERROR_MESSAGE_CHARS } from './stream.js';

/** The status a request gets for an error kind (Contracts: request record). */
export function statusOf(error: RequestError | null): RequestStatus {
  if (error === null) return 'ok';
  if (error.kind === 'deadline' || error.kind === 'idle_timeout') return 'timeout';
  if (error.kind === 'cancelled') return 'cancelled';
  return 'error';
}

/** Header names whose values are secrets and must never appear in a message. */
const SECRET_HEADER = /auth|key|token|secret|cookie|session|password/i;

/** Collects the secrets of a client (api key, secret-looking header values) to redact. */
export function secretsOf(apiKey: string | undefined, headers: Record<string, string> | undefined): string[] {
  const secrets: string[] = [];
  if (apiKey !== undefined && apiKey !== '') secrets.push(apiKey);
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!SECRET_HEADER.test(name) || value.length < 4) continue;
    secrets.push(value);
    // "Bearer sk-…": the token alone may be echoed too.
    const token = value.replace(/^(bearer|basic|token)\s+/i, '');
    if (token !== value && token.length >= 4) secrets.push(token);
  }
  // Longest first, so a value is removed before a shorter secret inside it.
  return secrets.sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

function oneLine(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars)}…` : flat;
}

/**
 * The message of a non-2xx answer: the OpenAI-shaped `error.message`, a flat `message`
 * (older vLLM, SGLang), TGI's `error` string, else the first 200 characters of the body.
 */
export function httpErrorMessage(status: number, body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const json = parsed as Record<string, unknown>;
    const error = json.error;
    if (typeof error === 'object' && error !== null) {
      const message = (error as Record<string, unknown>).message;
      if (typeof message === 'string' && message !== '') return `HTTP ${status}: ${oneLine(message, MAX_ERROR_MESSAGE_CHARS)}`;
    }
    if (typeof json.message === 'string' && json.message !== '') return `HTTP ${status}: ${oneLine(json.message, MAX_ERROR_MESSAGE_CHARS)}`;
    if (typeof error === 'string' && error !== '') return `HTTP ${status}: ${oneLine(error, MAX_ERROR_MESSAGE_CHARS)}`;
  }
  const excerpt = oneLine(body, 200);
  return excerpt === '' ? `HTTP ${status} with an empty body` : `HTTP ${status}: ${excerpt}`;
}

/** A network error (undici or Node) as one line: its code and message. */
export function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: unknown }).cause;
    let text = err.message || err.name;
    if (typeof code === 'string' && !text.includes(code)) text = `${code}: ${text}`;
    if (cause instanceof Error && cause.message !== '' && !text.includes(cause.message)) text += ` (${cause.message})`;
    return oneLine(text, MAX_ERROR_MESSAGE_CHARS);
  }
  return oneLine(String(err), MAX_ERROR_MESSAGE_CHARS);
}

export function failure(kind: ErrorKind, message: string, secrets: readonly string[], httpStatus?: number): RequestError {
  const error: RequestError = { kind, message: redact(message, secrets) };
  if (httpStatus !== undefined) error.httpStatus = httpStatus;
  return error;
}
