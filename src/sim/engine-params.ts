// The simulated engine's performance parameters, their defaults and their valid ranges.
// The defaults imitate a small GPU server (one mid-range card serving a ~7B model): at low
// load a 256-token prompt gets its first token in ~51 ms and each next token takes ~12 ms.

import { hashSeed, mulberry32, normalSource } from './random.js';

// Keeps the drift stream apart from the jitter stream when seed and driftSeed are equal.
const DRIFT_STREAM_SALT = 0x632be5a7;

export interface EngineParams {
  /** Sequences that may run at once (vLLM's max_num_seqs); the rest wait in the queue. */
  maxBatch: number;
  /** Tokens one step may process: decodes count one each, prefill chunks the rest (max_num_batched_tokens). */
  maxBatchedTokens: number;
  /** Fixed cost of a step that prefills anything (ms). */
  prefillBaseMs: number;
  /** Cost per prompt token prefilled in a step (ms). */
  prefillMsPerToken: number;
  /** Fixed cost of a step that decodes anything (ms). */
  decodeBaseMs: number;
  /** Cost per sequence decoded in a step (ms). */
  decodePerSeqMs: number;
  /** Speed factor: every step takes 1/speed as long (0.8 → 1.25×). */
  speed: number;
  /** Sigma of the per-step lognormal jitter (0 = deterministic). The jitter's mean is 1. */
  noise: number;
  /** Seed of the per-step jitter. */
  seed: number;
  /** Standard deviation of a speed factor drawn once per engine start (runner-to-runner variation). */
  drift: number;
  /** Seed of that once-per-start draw. */
  driftSeed: number;
}

export const DEFAULT_ENGINE_PARAMS: EngineParams = Object.freeze({
  maxBatch: 32,
  maxBatchedTokens: 2048,
  prefillBaseMs: 20,
  prefillMsPerToken: 0.12,
  decodeBaseMs: 12,
  decodePerSeqMs: 0.25,
  speed: 1,
  noise: 0.03,
  seed: 0,
  drift: 0,
  driftSeed: 0,
});

export interface ParamProblem {
  key: keyof EngineParams;
  message: string;
}

/** The first parameter out of range, described as "must be …", or null when all are valid. */
export function findParamProblem(p: EngineParams): ParamProblem | null {
  const checks: [keyof EngineParams, boolean, string][] = [
    ['maxBatch', Number.isInteger(p.maxBatch) && p.maxBatch >= 1, 'must be an integer >= 1'],
    [
      'maxBatchedTokens',
      Number.isInteger(p.maxBatchedTokens) && p.maxBatchedTokens >= p.maxBatch,
      'must be an integer >= maxBatch (every running sequence decodes one token per step)',
    ],
    ['prefillBaseMs', isNonNegative(p.prefillBaseMs), 'must be a number >= 0'],
    ['prefillMsPerToken', isNonNegative(p.prefillMsPerToken), 'must be a number >= 0'],
    ['decodeBaseMs', isNonNegative(p.decodeBaseMs), 'must be a number >= 0'],
    ['decodePerSeqMs', isNonNegative(p.decodePerSeqMs), 'must be a number >= 0'],
    ['speed', Number.isFinite(p.speed) && p.speed > 0, 'must be a number > 0'],
    ['noise', isNonNegative(p.noise) && p.noise <= 2, 'must be a number between 0 and 2'],
    ['seed', Number.isSafeInteger(p.seed), 'must be an integer'],
    // Above ~0.3 the normal draw would often need clamping and its std would no longer be `drift`.
    ['drift', isNonNegative(p.drift) && p.drift <= 0.3, 'must be a number between 0 and 0.3'],
    ['driftSeed', Number.isSafeInteger(p.driftSeed), 'must be an integer'],
  ];
  for (const [key, ok, message] of checks) {
    if (!ok) return { key, message };
  }
  return null;
}

/** Throws a RangeError naming the first invalid parameter. */
export function assertValidParams(p: EngineParams): void {
  const problem = findParamProblem(p);
  if (problem) throw new RangeError(`engine parameter ${problem.key} ${problem.message} (got ${String(p[problem.key])})`);
}

/**
 * The speed factor of one engine start: 1 + drift·z with z ~ N(0, 1) drawn from driftSeed, so
 * across drift seeds its standard deviation is `drift`. Clamped at 0.1 so a start is never
 * stalled (unreachable for drift <= 0.3 unless z < -3).
 */
export function driftFactor(drift: number, driftSeed: number): number {
  if (drift === 0) return 1;
  const z = normalSource(mulberry32((hashSeed(driftSeed) ^ DRIFT_STREAM_SALT) >>> 0))();
  return Math.max(0.1, 1 + drift * z);
}

function isNonNegative(x: number): boolean {
  return Number.isFinite(x) && x >= 0;
}
