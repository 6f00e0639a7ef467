// How long one answer is and how its tokens are grouped: the output length (max_tokens, or an
// early "EOS" where the flavor cannot force the length), the tokens each engine step yields
// (speculative decoding), and how many steps go into one streamed chunk (stream interval).

import type { FlavorTraits } from './flavors.js';
import { hashSeed, hashString, mulberry32 } from './random.js';
import type { GenerationRequest } from './request-parse.js';
import type { FinishReason } from './stream-events.js';

export interface SpecDecode {
  /** Mean tokens per step, in [1, k]. */
  acceptMean: number;
  /** Most tokens one step yields (draft length + 1). Default 4. */
  k?: number;
}

export interface OutputShape {
  /** Where an EOS may end the answer early. Default: the flavor's (TGI, Ollama, OpenAI, which cannot force the length). */
  earlyEos?: boolean;
  /** Engine steps per streamed chunk (vLLM's --stream-interval). Default 1. */
  tokensPerChunk?: number;
  specDecode?: SpecDecode;
}

export interface OutputPlan {
  tokens: number;
  finish: FinishReason;
  /** Tokens produced by each engine step; they add up to `tokens`. */
  stepTokens: number[];
}

const EOS_SALT = 0x3c6ef372;
const SPEC_SALT = 0x7f4a7c15;

/**
 * The answer to `req`. An early EOS is a seeded uniform draw in [ceil(max/2), max] (by seed
 * and request id, so it does not depend on arrival order), raised to min_tokens; ignore_eos
 * (where honoured) gives exactly max_tokens. Speculative decoding yields 1 + Binomial(k − 1, p)
 * tokens per step with p = (acceptMean − 1)/(k − 1), so the mean is acceptMean.
 */
export function planOutput(req: GenerationRequest, flavor: FlavorTraits, shape: OutputShape, seed: number, requestId: string): OutputPlan {
  const max = req.maxTokens;
  let tokens = max;
  const early = (shape.earlyEos ?? flavor.earlyEosByDefault) && !req.ignoreEos;
  if (early) {
    const u = mulberry32((hashSeed(seed) ^ hashString(requestId) ^ EOS_SALT) >>> 0)();
    const low = Math.ceil(max / 2);
    tokens = Math.max(req.minTokens, low + Math.floor(u * (max - low + 1)));
  }
  const stepTokens: number[] = [];
  const spec = shape.specDecode;
  if (spec) {
    const k = spec.k ?? 4;
    const p = k > 1 ? (spec.acceptMean - 1) / (k - 1) : 0;
    const rand = mulberry32((hashSeed(seed) ^ hashString(requestId) ^ SPEC_SALT) >>> 0);
    let left = tokens;
    while (left > 0) {
      let n = 1;
      for (let i = 1; i < k; i++) if (rand() < p) n++;
      n = Math.min(n, left);
      stepTokens.push(n);
      left -= n;
    }
  } else {
    for (let i = 0; i < tokens; i++) stepTokens.push(1);
  }
  return { tokens, finish: tokens < max ? 'stop' : 'length', stepTokens };
}

/** A one-line reason when the shape is invalid, else null. */
export function findShapeProblem(shape: OutputShape): string | null {
  const t = shape.tokensPerChunk;
  if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > 1024)) return `tokensPerChunk must be an integer from 1 to 1024 (got ${t})`;
  const s = shape.specDecode;
  if (s) {
    const k = s.k ?? 4;
    if (!Number.isInteger(k) || k < 1 || k > 64) return `specDecode.k must be an integer from 1 to 64 (got ${k})`;
    if (!Number.isFinite(s.acceptMean) || s.acceptMean < 1 || s.acceptMean > k) return `specDecode.acceptMean must be between 1 and k = ${k} (got ${s.acceptMean})`;
  }
  return null;
}
