// Turning what went wrong on the wire into the Contracts' error kinds and one-line messages,
// with every secret removed.
//
// Order matters: a secret is removed from server or network text BEFORE the text is cut to
// length. Cutting first would leave a key that straddles the cut partly in place (the key
// minus its last characters), where no later redaction can recognise it.

import type { ErrorKind, RequestError, RequestStatus } from '../types.js';

/** How much of a server's error text is kept in a record. */
export const MAX_ERROR_MESSAGE_CHARS = 500;

/** The shortest start of a secret that a cut message may not end with (shorter reveals too little to matter). */
const MIN_SECRET_FRAGMENT_CHARS = 4;

/** The status a request gets for an error kind (Contracts: request record). */
export function statusOf(error: RequestError | null): RequestStatus {
  if (error === null) return 'ok';
  if (error.kind === 'deadline' || error.kind === 'idle_timeout') return 'timeout';
  if (error.kind === 'cancelled') return 'cancelled';
  return 'error';
}

/** Header (and query parameter) names whose values are secrets and must never appear in a message. */
const SECRET_NAME = /auth|key|token|secret|cookie|session|password|sig/i;

/**
 * Collects the secrets of a client to redact: the api key, secret-looking header values and
 * `extra` (e.g. secret query parameters of the base URL), longest first.
 */
export function secretsOf(apiKey: string | undefined, headers: Record<string, string> | undefined, extra: readonly string[] = []): string[] {
  const secrets: string[] = [];
  if (apiKey !== undefined && apiKey !== '') secrets.push(apiKey);
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!SECRET_NAME.test(name) || value.length < 4) continue;
    secrets.push(value);
    // "Bearer sk-…": the token alone may be echoed too.
    const token = value.replace(/^(bearer|basic|token)\s+/i, '');
    if (token !== value && token.length >= 4) secrets.push(token);
  }
  for (const value of extra) if (value.length >= 4) secrets.push(value);
  // Longest first, so a value is removed before a shorter secret inside it.
  return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}

/** The values of a query string's secret-looking parameters (`?api_key=…`, `&sig=…`), as given and decoded. */
export function querySecrets(query: string): string[] {
  const out: string[] = [];
  for (const part of query.replace(/^\?/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const raw = part.slice(eq + 1);
    if (!SECRET_NAME.test(part.slice(0, eq)) || raw === '') continue;
    out.push(raw);
    try {
      const decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
      if (decoded !== raw) out.push(decoded);
    } catch {
      // A malformed escape: the raw form is all a server could echo.
    }
  }
  return out;
}

/** Replaces every whole occurrence of a secret. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/**
 * Drops a trailing start of a secret (≥ MIN_SECRET_FRAGMENT_CHARS characters), as a cut can
 * leave: "… Bearer sk-abc" of "sk-abcdef". The longest such fragment goes.
 */
function dropTrailingFragment(text: string, secrets: readonly string[]): string {
  let longest = 0;
  for (const secret of secrets) {
    for (let k = Math.min(secret.length - 1, text.length); k >= MIN_SECRET_FRAGMENT_CHARS && k > longest; k--) {
      if (text.endsWith(secret.slice(0, k))) {
        longest = k;
        break;
      }
    }
  }
  return longest === 0 ? text : `${text.slice(0, text.length - longest)}***`;
}

/**
 * Server or network text as one line of at most `maxChars` (then "…"), secrets removed:
 * whole secrets before the cut, and a secret's start left at the cut after it.
 */
export function clipMessage(text: string, maxChars: number, secrets: readonly string[]): string {
  const flat = redact(text, secrets).replace(/\s+/g, ' ').trim();
  if (flat.length <= maxChars) return flat;
  return `${dropTrailingFragment(flat.slice(0, maxChars), secrets)}…`;
}

/**
 * The last guard on a message that leaves the client: whole secrets, and a secret's start
 * just before any cut ("…"), wherever the cut text was embedded.
 */
export function scrub(message: string, secrets: readonly string[]): string {
  const parts = redact(message, secrets).split('…');
  return parts.map((part, i) => (i < parts.length - 1 ? dropTrailingFragment(part, secrets) : part)).join('…');
}

/**
 * The message of a non-2xx answer: the OpenAI-shaped `error.message`, a flat `message`
 * (older vLLM, SGLang), TGI's `error` string, else the first 200 characters of the body.
 * Secrets are removed before any cut.
 */
export function httpErrorMessage(status: number, body: string, secrets: readonly string[]): string {
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
      if (typeof message === 'string' && message !== '') return `HTTP ${status}: ${clipMessage(message, MAX_ERROR_MESSAGE_CHARS, secrets)}`;
    }
    if (typeof json.message === 'string' && json.message !== '') return `HTTP ${status}: ${clipMessage(json.message, MAX_ERROR_MESSAGE_CHARS, secrets)}`;
    if (typeof error === 'string' && error !== '') return `HTTP ${status}: ${clipMessage(error, MAX_ERROR_MESSAGE_CHARS, secrets)}`;
  }
  const excerpt = clipMessage(body, 200, secrets);
  return excerpt === '' ? `HTTP ${status} with an empty body` : `HTTP ${status}: ${excerpt}`;
}

/** A network error (undici or Node) as one line: its code and message, secrets removed before the cut. */
export function describeNetworkError(err: unknown, secrets: readonly string[]): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: unknown }).cause;
    let text = err.message || err.name;
    if (typeof code === 'string' && !text.includes(code)) text = `${code}: ${text}`;
    if (cause instanceof Error && cause.message !== '' && !text.includes(cause.message)) text += ` (${cause.message})`;
    return clipMessage(text, MAX_ERROR_MESSAGE_CHARS, secrets);
  }
  return clipMessage(String(err), MAX_ERROR_MESSAGE_CHARS, secrets);
}

export function failure(kind: ErrorKind, message: string, secrets: readonly string[], httpStatus?: number): RequestError {
  const error: RequestError = { kind, message: scrub(message, secrets) };
  if (httpStatus !== undefined) error.httpStatus = httpStatus;
  return error;
}
