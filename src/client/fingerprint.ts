// Which engine serves the model, where it tells: SGLang `/get_server_info`, TGI `/info`,
// llama.cpp `/props`, Ollama `/api/version`, vLLM `/version`. Probed in parallel with short
// timeouts; anything unexpected means "unknown" — a fingerprint never fails the run.
// TRT-LLM's `trtllm-serve` answers `/version` with the same `{"version": …}` as vLLM, so it is
// read as vllm: the fingerprint cannot tell the two apart.
// The run uses the engine to choose how to force the output length (planOutputLength).
import { normalizeBaseUrl } from './url.js';

export interface EngineFingerprint {
  engine?: string;
  engineVersion?: string;
}

type Json = Record<string, unknown> | null;

async function getJson(url: string, timeoutMs: number, apiKey: string | undefined, fetchImpl: typeof fetch): Promise<Json> {
  try {
    const res = await fetchImpl(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) return null;
    const body: unknown = await res.json();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length < 200 ? v : undefined);

/** Reads the engine from the answers of its endpoints (pure, for tests). */
export function identifyEngine(answers: { serverInfo: Json; info: Json; props: Json; ollama: Json; version: Json }): EngineFingerprint {
  const { serverInfo, info, props, ollama, version } = answers;
  if (serverInfo && (str(serverInfo.version) || 'model_path' in serverInfo || 'tp_size' in serverInfo)) {
    return { engine: 'sglang', engineVersion: str(serverInfo.version) ?? str(version?.version) };
  }
  if (info && str(info.model_id) && ('max_concurrent_requests' in info || str(info.version))) {
    return { engine: 'tgi', engineVersion: str(info.version) };
  }
  if (props && ('default_generation_settings' in props || 'total_slots' in props)) {
    const build = str(props.build_info);
    return { engine: 'llama.cpp', ...(build ? { engineVersion: build } : {}) };
  }
  if (ollama && str(ollama.version)) return { engine: 'ollama', engineVersion: str(ollama.version) };
  if (version && str(version.version)) return { engine: 'vllm', engineVersion: str(version.version) };
  return {};
}

export async function fingerprintEngine(
  baseUrl: string,
  opts: { apiKey?: string; timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<EngineFingerprint> {
  let root: string;
  try {
    root = normalizeBaseUrl(baseUrl).root;
  } catch {
    return {};
  }
  const t = opts.timeoutMs ?? 2000;
  const f = opts.fetchImpl ?? fetch;
  const [serverInfo, info, props, ollama, version] = await Promise.all(
    ['/get_server_info', '/info', '/props', '/api/version', '/version'].map((p) => getJson(root + p, t, opts.apiKey, f)),
  );
  const found = identifyEngine({ serverInfo, info, props, ollama, version });
  return Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined)) as EngineFingerprint;
}

/** Body fields that force the output to the request's max tokens (SendOptions.forceLength). */
export type ForceLength = 'ignore_eos' | 'ignore_eos+min_tokens';

/** A scenario's `output_length`: ask the engine, always force, or never force. */
export type OutputLengthMode = 'auto' | 'exact' | 'natural';

/**
 * What each engine takes to force the output length (server-dialects.md, "Request
 * parameters"). TRT-LLM takes both fields too, and is fingerprinted as vllm. TGI, Ollama and
 * OpenAI take neither (OpenAI answers an unknown field with 400): nothing is sent there.
 */
const ENGINE_FORCING: Readonly<Record<string, ForceLength>> = {
  vllm: 'ignore_eos+min_tokens',
  sglang: 'ignore_eos+min_tokens',
  'llama.cpp': 'ignore_eos',
};

/** The body fields by which a user decides the output length; any of them set: nothing is added. */
export const LENGTH_FIELDS = ['ignore_eos', 'min_tokens'] as const;

export function bodyDecidesLength(body: Readonly<Record<string, unknown>> | undefined): boolean {
  return body !== undefined && LENGTH_FIELDS.some((f) => f in body);
}

export interface OutputLengthPlan {
  /** What the client adds to each request (undefined: nothing). */
  force?: ForceLength;
  /** One line for the scenario's workload notes; null where length does not apply (embeddings). */
  note: string | null;
}

const describeForce = (f: ForceLength): string => (f === 'ignore_eos' ? 'ignore_eos' : 'ignore_eos + min_tokens');

/**
 * How a scenario forces its output length (pure). The body wins: a scenario whose body sets
 * `ignore_eos` or `min_tokens` gets nothing added (`ignore_eos: false` means natural ends, so
 * adding `min_tokens` would undo it). `engine` matters only for `auto`.
 */
export function planOutputLength(
  mode: OutputLengthMode,
  scenario: { api: 'chat' | 'completions' | 'embeddings'; body?: Readonly<Record<string, unknown>> },
  engine: EngineFingerprint,
): OutputLengthPlan {
  if (scenario.api === 'embeddings') return { note: null };
  if (bodyDecidesLength(scenario.body)) {
    const set = LENGTH_FIELDS.filter((f) => f in (scenario.body ?? {})).map((f) => `${f}: ${JSON.stringify(scenario.body?.[f])}`);
    return { note: `output length as the scenario's body sets it (${set.join(', ')})` };
  }
  if (mode === 'natural') return { note: 'output length not forced (output_length: natural); lengths from usage' };
  if (mode === 'exact') return { force: 'ignore_eos+min_tokens', note: 'output length forced with ignore_eos + min_tokens (output_length: exact)' };
  if (engine.engine === undefined) return { note: 'output length not forced: engine unknown; lengths from usage (output_length: exact forces it)' };
  const force = ENGINE_FORCING[engine.engine];
  if (force === undefined) return { note: `output length not forced: engine ${engine.engine} has no ignore_eos; lengths from usage` };
  return { force, note: `output length forced with ${describeForce(force)} (engine ${engine.engine})` };
}
