// The GET endpoints each flavor answers besides generation: readiness (`/health` and its
// per-server shape) and the info endpoints the action reads to fingerprint the engine
// (SGLang /get_server_info, TGI /info, llama.cpp /props, Ollama /api/version, vLLM /version).

import type { FlavorName } from './flavors.js';
import { MAX_MODEL_LEN } from './request-parse.js';

/** A fixed answer: status, content type and body (a string is sent as is, anything else as JSON). */
export interface StaticAnswer {
  status: number;
  body: unknown;
}

/** Engine versions the simulated flavors claim (fingerprints show them). */
export const SIM_ENGINE_VERSIONS: Record<FlavorName, string> = {
  vllm: '0.11.0',
  sglang: '0.5.3',
  tgi: '3.3.6',
  llamacpp: 'b6700',
  'llamacpp-old': 'b4500',
  ollama: '0.12.3',
  trtllm: '1.0.0',
  openai: '',
};

/** The GET paths of `flavor` (except /v1/models, common to all) and their answers. */
export function readinessRoutes(flavor: FlavorName, modelName: string, maxBatch: number, created: number): Record<string, StaticAnswer> {
  const version = SIM_ENGINE_VERSIONS[flavor];
  const empty: StaticAnswer = { status: 200, body: '' };
  switch (flavor) {
    case 'vllm':
      return { '/health': empty, '/version': { status: 200, body: { version } } };
    case 'sglang':
      return {
        '/health': empty,
        '/health_generate': empty,
        '/get_server_info': {
          status: 200,
          body: { version, model_path: modelName, served_model_name: modelName, tp_size: 1, max_running_requests: maxBatch, context_length: MAX_MODEL_LEN },
        },
      };
    case 'tgi':
      return {
        '/health': empty,
        '/info': {
          status: 200,
          body: {
            model_id: modelName,
            model_sha: null,
            model_pipeline_tag: 'text-generation',
            max_concurrent_requests: 128,
            max_input_tokens: MAX_MODEL_LEN - 1,
            max_total_tokens: MAX_MODEL_LEN,
            router: 'text-generation-router',
            version,
          },
        },
      };
    case 'llamacpp':
    case 'llamacpp-old':
      return {
        '/health': { status: 200, body: { status: 'ok' } },
        '/props': {
          status: 200,
          body: {
            default_generation_settings: { n_ctx: MAX_MODEL_LEN, params: { n_predict: -1 } },
            total_slots: maxBatch,
            model_path: `/models/${modelName}.gguf`,
            build_info: `${version}-sim`,
          },
        },
      };
    case 'ollama':
      return {
        '/': { status: 200, body: 'Ollama is running' },
        '/api/version': { status: 200, body: { version } },
        '/api/tags': {
          status: 200,
          body: { models: [{ name: modelName, model: modelName, modified_at: new Date(created * 1000).toISOString(), size: 0, digest: '' }] },
        },
      };
    case 'trtllm':
      return { '/health': empty, '/health_generate': empty };
    case 'openai':
      return {};
  }
}

export function modelList(modelName: string, created: number): unknown {
  return {
    object: 'list',
    data: [
      {
        id: modelName,
        object: 'model',
        created,
        owned_by: 'llm-perf-gate',
        root: modelName,
        parent: null,
        max_model_len: MAX_MODEL_LEN,
        permission: [],
      },
    ],
  };
}
