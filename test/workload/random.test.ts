import { describe, expect, it } from 'vitest';
import { Random, deriveSeed } from '../../src/workload/random.js';

function draws(n: number, f: () => number): number[] {
  return Array.from({ length: n }, f);
}

function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std };
}

describe('Random', () => {
  it('repeats itself for a seed and differs between seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const xa = draws(100, () => a.float());
    expect(draws(100, () => b.float())).toEqual(xa);
    expect(draws(100, () => c.float())).not.toEqual(xa);
  });

  it('gives floats in [0, 1) and integers within both ends', () => {
    const rng = new Random(1);
    const floats = draws(10_000, () => rng.float());
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
    const ints = new Set(draws(10_000, () => rng.int(3, 7)));
    expect([...ints].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('draws normal, exponential and gamma values with the right mean and spread', () => {
    const rng = new Random(7);
    const n = 100_000;
    const normal = meanStd(draws(n, () => rng.normal(10, 2)));
    expect(normal.mean).toBeCloseTo(10, 1);
    expect(normal.std).toBeCloseTo(2, 1);
    const exp = meanStd(draws(n, () => rng.exponential(4)));
    expect(exp.mean).toBeCloseTo(0.25, 2);
    expect(exp.std).toBeCloseTo(0.25, 2);
    // Gamma(k, θ): mean kθ, std √k·θ; shape below 1 takes the boosted path.
    const g = meanStd(draws(n, () => rng.gamma(3, 2)));
    expect(g.mean).toBeCloseTo(6, 1);
    expect(g.std).toBeCloseTo(Math.sqrt(3) * 2, 1);
    const small = meanStd(draws(n, () => rng.gamma(0.5, 2)));
    expect(small.mean).toBeCloseTo(1, 1);
  });

  it('parameterises the lognormal by the mean and std of the values it returns', () => {
    const rng = new Random(9);
    const { mean, std } = meanStd(draws(200_000, () => rng.lognormal(500, 200)));
    expect(Math.abs(mean - 500) / 500).toBeLessThan(0.01);
    expect(Math.abs(std - 200) / 200).toBeLessThan(0.03);
  });

  it('derives distinct seeds for distinct labels and seeds', () => {
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2 ** 32 + 1, 'a'));
  });
});
