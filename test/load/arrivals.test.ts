import { describe, expect, it } from 'vitest';
import { constantArrivals, gammaArrivals, poissonArrivals } from '../../src/load/arrivals.js';
import { Random } from '../../src/workload/random.js';

function gaps(offsets: number[]): number[] {
  return offsets.slice(1).map((t, i) => t - offsets[i]);
}

function meanStd(xs: number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

describe('arrivals', () => {
  it('spaces constant arrivals exactly 1000/rate ms apart from 0', () => {
    expect(constantArrivals(4, 5)).toEqual([0, 250, 500, 750, 1000]);
    // Computed from the index, so 3 req/s does not drift: request 300 is at 100 s exactly.
    expect(constantArrivals(3, 301)[300]).toBe(100_000);
  });

  it('gives Poisson gaps with mean and std 1000/rate ms', () => {
    const offsets = poissonArrivals(20, 50_001, new Random(11));
    expect(offsets[0]).toBe(0);
    const { mean, std } = meanStd(gaps(offsets));
    expect(Math.abs(mean - 50) / 50).toBeLessThan(0.02);
    expect(Math.abs(std - 50) / 50).toBeLessThan(0.03);
  });

  it('repeats Poisson arrivals for the same seed only', () => {
    expect(poissonArrivals(5, 100, new Random(1))).toEqual(poissonArrivals(5, 100, new Random(1)));
    expect(poissonArrivals(5, 100, new Random(1))).not.toEqual(poissonArrivals(5, 100, new Random(2)));
  });

  it('makes gamma arrivals burstier below shape 1 and more regular above, at the same mean', () => {
    const bursty = meanStd(gaps(gammaArrivals(10, 20_001, 0.25, new Random(3))));
    const regular = meanStd(gaps(gammaArrivals(10, 20_001, 4, new Random(3))));
    expect(Math.abs(bursty.mean - 100) / 100).toBeLessThan(0.05);
    expect(Math.abs(regular.mean - 100) / 100).toBeLessThan(0.05);
    // Coefficient of variation 1/√k: 2 for k = 0.25, 0.5 for k = 4.
    expect(bursty.std / bursty.mean).toBeCloseTo(2, 0);
    expect(regular.std / regular.mean).toBeCloseTo(0.5, 1);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => constantArrivals(0, 3)).toThrow('arrival rate must be a positive finite number, got 0');
  });
});
