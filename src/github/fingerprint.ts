// Which engine serves the model, where it tells: SGLang `/get_server_info`, TGI `/info`,
// llama.cpp `/props`, Ollama `/api/version`, vLLM `/version`. Probed in parallel with short
// timeouts; anything unexpected means "unknown" — a fingerprint never fails the run.
import { normalizeBaseUrl } from '../client/url.js';

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
