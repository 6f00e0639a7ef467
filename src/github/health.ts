// Waits until the server under test is ready: its root `/health` (vLLM, SGLang, TGI,
// llama.cpp answer 200 only when the model is loaded; 503 while loading), then
// `/v1/models` (every OpenAI-compatible server, and the only signal Ollama gives).
// Backoff between polls; on timeout one line naming the URL and the last answer.
import { clipMessage } from '../client/failure.js';
import { normalizeBaseUrl } from '../client/url.js';
import { RunFailedError } from '../errors.js';

export interface HealthOptions {
  timeoutMs: number;
  apiKey?: string;
  /** Time in ms (monotonic is fine); injected by tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetchImpl?: typeof fetch;
  /** Answers to one poll must come within this. */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
  /** Stops waiting early: the server process has died (its exit is the better error). */
  abortReason?: () => string | undefined;
}

export interface ProbeResult {
  ready: boolean;
  /** The last answer, for the timeout message: "GET /health → HTTP 503: loading model". */
  answer: string;
}

/** 200 characters of an answer for the log, with the API key redacted before the cut (it may be echoed back). */
const snippet = (text: string, opts: HealthOptions): string => clipMessage(text, 200, opts.apiKey ? [opts.apiKey] : []);

async function get(url: string, opts: HealthOptions): Promise<{ status: number; body: string } | { error: string }> {
  const doFetch = opts.fetchImpl ?? fetch;
  try {
    const res = await doFetch(url, {
      headers: opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {},
      signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 5000),
    });
    return { status: res.status, body: snippet(await res.text(), opts) };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { error: cause ?? (err as Error).name ?? 'error' };
  }
}

/** One poll: /health must not say "not ready", and /v1/models must answer 200. */
export async function probeOnce(baseUrl: string, opts: HealthOptions): Promise<ProbeResult> {
  // The base URL's query (a gateway's key or `api-version`) goes with every probe, as with
  // the API requests, but never into an answer shown to the user.
  const { root, openaiBase, query } = normalizeBaseUrl(baseUrl);
  const health = await get(`${root}/health${query}`, opts);
  if ('error' in health) return { ready: false, answer: `GET ${root}/health → ${health.error}` };
  // 404/405: the server has no /health (Ollama); anything else but 2xx means not ready.
  if (!(health.status >= 200 && health.status < 300) && health.status !== 404 && health.status !== 405) {
    return { ready: false, answer: `GET ${root}/health → HTTP ${health.status}${health.body ? `: ${health.body}` : ''}` };
  }
  const models = await get(`${openaiBase}/models${query}`, opts);
  if ('error' in models) return { ready: false, answer: `GET ${openaiBase}/models → ${models.error}` };
  if (models.status !== 200) return { ready: false, answer: `GET ${openaiBase}/models → HTTP ${models.status}${models.body ? `: ${models.body}` : ''}` };
  return { ready: true, answer: `GET ${openaiBase}/models → HTTP 200` };
}

/** Polls until ready; throws RunFailedError naming the URL and the last answer on timeout. */
export async function waitForHealth(baseUrl: string, opts: HealthOptions): Promise<void> {
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = now();
  let delay = 250;
  let last = 'no answer yet';
  let polls = 0;
  while (true) {
    const aborted = opts.abortReason?.();
    if (aborted) throw new RunFailedError(`${aborted}; last answer from the server: ${last}`);
    const probe = await probeOnce(baseUrl, opts);
    polls++;
    if (probe.ready) {
      opts.log?.(`server ready after ${((now() - start) / 1000).toFixed(1)} s (${polls} polls)`);
      return;
    }
    if (probe.answer !== last) opts.log?.(`waiting for the server: ${probe.answer}`);
    last = probe.answer;
    const elapsed = now() - start;
    if (elapsed >= opts.timeoutMs) {
      throw new RunFailedError(
        `${normalizeBaseUrl(baseUrl).root}: not healthy after ${Math.round(opts.timeoutMs / 1000)} s (wait-timeout); last answer: ${last}`,
      );
    }
    await sleep(Math.min(delay, Math.max(0, opts.timeoutMs - elapsed)));
    delay = Math.min(5000, delay * 2);
  }
}
