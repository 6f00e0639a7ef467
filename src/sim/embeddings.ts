// /v1/embeddings: parsing the request and building the answer. The cost is prefill only (the
// server runs the input through the engine with one output step, which the prefill yields).

import { estimateTokens } from '../tokens.js';
import { hashString, mulberry32 } from './random.js';
import { MAX_MODEL_LEN } from './request-parse.js';

export interface EmbeddingRequest {
  model: string | null;
  /** Input tokens per input (one entry per embedding to return). */
  inputs: number[];
  /** The texts (or token-id lists as strings) the vectors are derived from. */
  keys: string[];
  base64: boolean;
  dimensions: number | null;
}

export type EmbeddingParse = { ok: true; request: EmbeddingRequest } | { ok: false; message: string; param: string };

export function parseEmbeddingRequest(body: unknown): EmbeddingParse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'The request body must be a JSON object.', param: 'input' };
  const b = body as Record<string, unknown>;
  const input = b.input;
  let items: (string | number[])[];
  if (typeof input === 'string') items = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'number')) items = [input as number[]];
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string' || (Array.isArray(x) && x.every((t) => typeof t === 'number')))) {
    items = input as (string | number[])[];
  } else {
    return { ok: false, message: 'input must be a string, an array of strings, or token ids.', param: 'input' };
  }
  const inputs = items.map((x) => (typeof x === 'string' ? Math.max(1, estimateTokens(x)) : Math.max(1, x.length)));
  const longest = Math.max(...inputs);
  if (longest > MAX_MODEL_LEN) {
    return { ok: false, message: `This model's maximum context length is ${MAX_MODEL_LEN} tokens; an input has ${longest}.`, param: 'input' };
  }
  const format = b.encoding_format;
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    return { ok: false, message: 'encoding_format must be "float" or "base64".', param: 'encoding_format' };
  }
  const dims = b.dimensions;
  if (dims !== undefined && dims !== null && (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > 4096)) {
    return { ok: false, message: 'dimensions must be an integer from 1 to 4096.', param: 'dimensions' };
  }
  return {
    ok: true,
    request: {
      model: typeof b.model === 'string' ? b.model : null,
      inputs,
      keys: items.map((x) => (typeof x === 'string' ? x : x.join(' '))),
      base64: format === 'base64',
      dimensions: typeof dims === 'number' ? dims : null,
    },
  };
}

/** A unit vector derived from the text, so the same input always embeds the same. */
function vector(key: string, dims: number): Float32Array {
  const rand = mulberry32(hashString(key));
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    v[i] = rand() * 2 - 1;
    norm += v[i] * v[i];
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dims; i++) v[i] *= scale;
  return v;
}

export function embeddingResponse(req: EmbeddingRequest, model: string, defaultDims: number): unknown {
  const dims = req.dimensions ?? defaultDims;
  const promptTokens = req.inputs.reduce((a, b) => a + b, 0);
  return {
    object: 'list',
    data: req.keys.map((key, index) => {
      const v = vector(key, dims);
      const embedding = req.base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v);
      return { object: 'embedding', index, embedding };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
