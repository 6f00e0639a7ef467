// Token lengths drawn from a config's LengthSpec. Every length is a whole number ≥ 1,
// clamped to the spec's [min, max] when given.
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
  if (typeof spec === 'number' || spec.dist === 'constant') return;
  const { min, max } = spec;
  if (min !== undefined && max !== undefined && min > max) {
    throw new InputError(`${field}: min (${min}) is greater than max (${max}); swap them`);
  }
}

/** One length in tokens: an integer ≥ 1 (and within [min, max] when the spec gives them). */
export function drawLength(spec: LengthSpec, rng: Random): number {
  if (typeof spec === 'number') return spec;
  switch (spec.dist) {
    case 'constant':
      return spec.value;
    case 'uniform':
      return rng.int(Math.min(spec.min, spec.max), Math.max(spec.min, spec.max));
    case 'normal':
      return clamp(Math.round(rng.normal(spec.mean, spec.std)), Math.max(1, spec.min ?? 1), spec.max ?? Infinity);
    case 'lognormal':
      return clamp(Math.round(rng.lognormal(spec.mean, spec.std)), Math.max(1, spec.min ?? 1), spec.max ?? Infinity);
  }
}
