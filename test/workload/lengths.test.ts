import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkLengthSpec, drawLength } from '../../src/workload/lengths.js';
import { Random } from '../../src/workload/random.js';

const many = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('drawLength', () => {
  it('returns constants as they are', () => {
    const rng = new Random(1);
    expect(drawLength(128, rng)).toBe(128);
    expect(drawLength({ dist: 'constant', value: 64 }, rng)).toBe(64);
  });

  it('draws uniform integers over the whole range, both ends included', () => {
    const rng = new Random(2);
    const xs = many(5000, () => drawLength({ dist: 'uniform', min: 10, max: 14 }, rng));
    expect(new Set(xs)).toEqual(new Set([10, 11, 12, 13, 14]));
  });

  it('draws whole numbers ≥ 1 from a normal and clamps to min/max', () => {
    const rng = new Random(3);
    const xs = many(5000, () => drawLength({ dist: 'normal', mean: 5, std: 10 }, rng));
    expect(xs.every((x) => Number.isInteger(x) && x >= 1)).toBe(true);
    const clamped = many(5000, () => drawLength({ dist: 'normal', mean: 100, std: 50, min: 80, max: 120 }, rng));
    expect(Math.min(...clamped)).toBe(80);
    expect(Math.max(...clamped)).toBe(120);
  });

  it('draws lognormal lengths averaging the configured mean', () => {
    const rng = new Random(4);
    const xs = many(50_000, () => drawLength({ dist: 'lognormal', mean: 300, std: 100 }, rng));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 300)).toBeLessThan(3);
    expect(xs.every((x) => Number.isInteger(x) && x >= 1)).toBe(true);
  });

  it('refuses min above max, naming the field', () => {
    expect(() => checkLengthSpec({ dist: 'uniform', min: 9, max: 3 }, 'workload.input_tokens')).toThrow(InputError);
    expect(() => checkLengthSpec({ dist: 'normal', mean: 5, std: 1, min: 9, max: 3 }, 'workload.input_tokens')).toThrow(
      'workload.input_tokens: min (9) is greater than max (3); swap them',
    );
    expect(() => checkLengthSpec({ dist: 'uniform', min: 3, max: 3 }, 'x')).not.toThrow();
  });
});
