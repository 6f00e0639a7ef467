// The LLM client: OpenAI-compatible chat/completions streaming over an undici Pool.
// One Pool per server with keep-alive and `connections` sockets; size it to the load's
// maximum in flight — a request waiting for a free socket inside undici would count that
// wait as server latency, because sentAt is taken before dispatch. Each record says when it
// had to wait (`queuedForConnection`), so a pool that was too small cannot go unnoticed.

import { Pool, request } from 'undici';
import { systemClock } from '../clock.js';
import { InputError, RunFailedError } from '../errors.js';
import type { Clock, EpochMs, RequestRecord, RequestSpec } from '../types.js';
import { runExchange } from './exchange.js';
import { bodyDecidesLength, type ForceLength } from './fingerprint.js';
import { describeNetworkError, httpErrorMessage, querySecrets, redact, secretsOf } from './failure.js';
import { DEFAULT_MAX_EVENT_BYTES } from './sse.js';
import { normalizeBaseUrl } from './url.js';

export { displayBaseUrl, normalizeBaseUrl } from './url.js';

export interface ClientOptions {
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Sockets to the server: the most requests the load keeps in flight. */
  connections: number;
  clock?: Clock;
  maxEventBytes?: number;
}

export interface SendOptions {
  model: string;
  /** When the load generator meant to send it (open loop); null in a closed loop. */
  scheduledAt: EpochMs | null;
  /** The whole request, dispatch to the stream's end. */
  deadlineMs: number;
  /** The longest silence between two body chunks once the headers arrived. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** Scenario body fields (merged over the defaults; the spec's own fields win). */
  body?: Record<string, unknown>;
  /** Scenario headers (over the client's). */
  headers?: Record<string, string>;
  /** The body field for the output length (default max_tokens; OpenAI's reasoning models need max_completion_tokens). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Force the output to its max tokens with `ignore_eos: true` (and `min_tokens` = the
   * request's max tokens), for engines that take them (planOutputLength decides). Nothing is
   * added where the body already sets `ignore_eos` or `min_tokens`, nor to embeddings.
   */
  forceLength?: ForceLength;
  /**
   * Counts output tokens when the server reports no usage (the workload's tokenizer): the
   * record then says `tokenSource: 'tokenizer'`. Without it, the built-in estimate. Only
   * this thread's client uses it; worker threads fall back to the estimate.
   */
  countOutputTokens?: (text: string) => number;
  /** Also count outputs that have usage, to cross-check the server's count (records `tokenizerOutputTokens`). */
  crossCheckTokens?: boolean;
}

/** Undici's idle keep-alive; below uvicorn's 5 s so we never reuse a socket it is closing. */
const KEEP_ALIVE_MS = 4_000;

function lowerCaseKeys(headers: Record<string, string> | undefined, into: Record<string, string>): void {
  if (headers === undefined) return;
  for (const [name, value] of Object.entries(headers)) into[name.toLowerCase()] = value;
}

/**
 * The JSON body of one request: our defaults, then the scenario's fields, then the spec's.
 * Chat and completions stream with usage unless the body says `stream: false` (then without
 * `stream_options`, which vLLM, TRT-LLM and Triton reject on a non-streaming request), and
 * get the fields of `forceLength` unless the body decides the length itself.
 * Embeddings send the prompt as `input`.
 */
export function requestBody(spec: RequestSpec, opts: Pick<SendOptions, 'model' | 'body' | 'maxTokensField' | 'forceLength'>): Record<string, unknown> {
  const prompt = (): string => spec.prompt ?? (spec.messages ?? []).map((m) => m.content).join('\n');
  if (spec.api === 'embeddings') return { model: opts.model, input: prompt(), ...opts.body, ...spec.body };
  const lengthField = opts.maxTokensField ?? 'max_tokens';
  const common: Record<string, unknown> = { model: opts.model, [lengthField]: spec.maxTokens, stream: true, stream_options: { include_usage: true } };
  let body: Record<string, unknown>;
  if (spec.api === 'completions') {
    body = { ...common, prompt: prompt(), ...opts.body, ...spec.body };
  } else {
    const messages = spec.messages ?? (spec.prompt !== undefined ? [{ role: 'user', content: spec.prompt }] : []);
    body = { ...common, messages, ...opts.body, ...spec.body };
  }
  if (body.stream === false && isDefaultStreamOptions(body.stream_options)) delete body.stream_options;
  if (opts.forceLength !== undefined && !bodyDecidesLength(body)) {
    body.ignore_eos = true;
    // The request's max tokens as sent (a body may override it); vLLM rejects min_tokens > max_tokens.
    const max = body[lengthField];
    if (opts.forceLength === 'ignore_eos+min_tokens' && typeof max === 'number' && Number.isInteger(max) && max >= 0) body.min_tokens = max;
  }
  return body;
}

/** Our default `{include_usage: true}`: meaningless without streaming. */
function isDefaultStreamOptions(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (value as { include_usage?: unknown }).include_usage === true;
}

/** The path under the OpenAI base for an API. */
function apiPath(api: RequestSpec['api']): string {
  if (api === 'completions') return '/completions';
  if (api === 'embeddings') return '/embeddings';
  return '/chat/completions';
}

export class LlmClient {
  private readonly pool: Pool;
  private readonly connections: number;
  /** Requests sent and not yet settled: never fewer than the sockets busy (a socket frees before its request settles). */
  private inFlight = 0;
  private readonly basePath: string;
  /** The base URL's query string, appended to every API path (never shown). */
  private readonly query: string;
  private readonly baseHeaders: Record<string, string>;
  private readonly secrets: string[];
  private readonly clock: Clock;
  private readonly maxEventBytes: number;

  constructor(opts: ClientOptions) {
    const { openaiBase, query } = normalizeBaseUrl(opts.baseUrl);
    const url = new URL(openaiBase);
    this.basePath = url.pathname;
    this.query = query;
    this.connections = Math.max(1, Math.floor(opts.connections));
    this.pool = new Pool(url.origin, {
      connections: this.connections,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (opts.apiKey !== undefined && opts.apiKey !== '') headers.authorization = `Bearer ${opts.apiKey}`;
    lowerCaseKeys(opts.headers, headers);
    this.baseHeaders = headers;
    this.secrets = secretsOf(opts.apiKey, opts.headers, querySecrets(query));
    this.clock = opts.clock ?? systemClock;
    this.maxEventBytes = opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  /** Sends one request and reads its stream. Never rejects: failures are records. */
  send(spec: RequestSpec, opts: SendOptions): Promise<RequestRecord> {
    const headers: Record<string, string> = { ...this.baseHeaders };
    lowerCaseKeys(opts.headers, headers);
    headers['x-request-id'] = spec.id;
    const secrets = opts.headers === undefined ? this.secrets : [...this.secrets, ...secretsOf(undefined, opts.headers)];
    const body = requestBody(spec, opts);
    const expectJson = spec.api === 'embeddings' || body.stream === false;
    if (expectJson && opts.headers?.accept === undefined && opts.headers?.Accept === undefined) headers.accept = 'application/json';
    // A request can queue for a socket only when every socket may be busy. Only then is the
    // pool's queue read around its dispatch: undici's stats walk every connection (~40 µs
    // at 1,000 sockets), too slow for every request.
    const mayQueue = this.inFlight >= this.connections;
    this.inFlight++;
    const exchange = runExchange({
      dispatcher: this.pool,
      path: `${this.basePath}${apiPath(spec.api)}${this.query}`,
      headers,
      body: JSON.stringify(body),
      expectJson,
      spec,
      scheduledAt: opts.scheduledAt,
      deadlineMs: opts.deadlineMs,
      idleTimeoutMs: opts.idleTimeoutMs,
      signal: opts.signal,
      clock: this.clock,
      maxEventBytes: this.maxEventBytes,
      countOutputTokens: opts.countOutputTokens,
      crossCheckTokens: opts.crossCheckTokens,
      secrets,
      connectionQueueLength: mayQueue ? () => this.pool.stats.queued : undefined,
    });
    return exchange.finally(() => this.inFlight--);
  }

  /** Waits for requests in flight, then closes the sockets. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** The model ids of GET {openaiBase}/models. InputError for a bad URL or key, RunFailedError when unreachable. */
export async function listModels(
  baseUrl: string,
  opts: { apiKey?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string[]> {
  const { openaiBase, query } = normalizeBaseUrl(baseUrl);
  // Messages name `url`; the request also carries the base URL's query string.
  const url = `${openaiBase}/models`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.apiKey !== undefined && opts.apiKey !== '') headers.authorization = `Bearer ${opts.apiKey}`;
  lowerCaseKeys(opts.headers, headers);
  const secrets = secretsOf(opts.apiKey, opts.headers, querySecrets(query));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let status: number;
  let text: string;
  try {
    const response = await request(url + query, {
      method: 'GET',
      headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (err) {
    throw new RunFailedError(redact(`Unable to reach ${url}: ${describeNetworkError(err, secrets)}. Check that the server is running and base_url is right.`, secrets));
  }
  if (status === 401 || status === 403) {
    throw new InputError(redact(`Unable to list models at ${url}: ${httpErrorMessage(status, text, secrets)}. Check api_key.`, secrets));
  }
  if (status < 200 || status > 299) {
    throw new RunFailedError(redact(`Unable to list models at ${url}: ${httpErrorMessage(status, text, secrets)}. Set target.model to skip this lookup.`, secrets));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const data = typeof parsed === 'object' && parsed !== null ? (parsed as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) {
    throw new RunFailedError(`Unable to list models at ${url}: the answer has no 'data' list. Set target.model to skip this lookup.`);
  }
  const ids: string[] = [];
  for (const entry of data) {
    const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
    if (typeof id === 'string' && id !== '') ids.push(id);
  }
  return ids;
}
