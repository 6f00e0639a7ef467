// Token lengths drawn from a config's LengthSpec. Every length is a whole number ≥ 1,
// clamped to the spec's [min, max] when given. An explicit list is dealt by request index
// (request i takes values[i mod n]), so an input list and an output list of the same length
// pair up request by request.
import type { LengthSpec } from '../config/schema.js';
import { InputError } from '../errors.js';
import type { Random } from './random.js';

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * Checks what the config schema cannot express alone (min ≤ max); `field` names the config
 * path in the message, e.g. `scenarios[0].workload.input_tokens`.
 */
export function checkLengthSpec(spec: LengthSpec, field: string): void {
  if (typeof spec === 'number' || Array.isArray(spec) || spec.dist === 'constant' || spec.dist === 'list') return;
  const { min, max } = spec;
  if (min !== undefined && max !== undefined && min > max) {
    throw new InputError(`${field}: min (${min}) is greater than max (${max}); swap them`);
  }
}

/**
 * One length in tokens: an integer ≥ 1 (and within [min, max] when the spec gives them).
 * `index` (the request's number) picks from an explicit list; random specs ignore it.
 */
export function drawLength(spec: LengthSpec, rng: Random, index = 0): number {
  if (typeof spec === 'number') return spec;
  if (Array.isArray(spec)) return spec[index % spec.length];
  switch (spec.dist) {
    case 'constant':
      return spec.value;
    case 'list':
      return spec.values[index % spec.values.length];
    case 'uniform':
      return rng.int(Math.min(spec.min, spec.max), Math.max(spec.min, spec.max));
    case 'normal':
      return clamp(Math.round(rng.normal(spec.mean, spec.std)), Math.max(1, spec.min ?? 1), spec.max ?? Infinity);
    case 'lognormal':
      return clamp(Math.round(rng.lognormal(spec.mean, spec.std)), Math.max(1, spec.min ?? 1), spec.max ?? Infinity);
  }
}
