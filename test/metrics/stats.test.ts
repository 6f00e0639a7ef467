import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../../src/metrics/stats.js';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('percentile (numpy linear, bit for bit)', () => {
  // Expected values printed by numpy 2.4: np.percentile(x, p) with the default method.
  it('matches numpy on [1, 2, 3, 4]', () => {
    const x = [1, 2, 3, 4];
    expect([0, 25, 50, 90, 95, 99, 100].map((p) => percentile(x, p))).toEqual([1, 1.75, 2.5, 3.7, 3.8499999999999996, 3.9699999999999998, 4]);
  });

  it('matches numpy on unevenly spread values', () => {
    const x = sorted([15.3, 0.1, 7.7, 2.25, 9.9, 100.5, 3.3]);
    expect([0, 25, 50, 90, 95, 99, 100].map((p) => percentile(x, p))).toEqual([0.1, 2.775, 7.7, 49.38000000000004, 74.93999999999994, 95.38799999999996, 100.5]);
  });

  it('matches numpy where float rounding shows', () => {
    const x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1];
    expect([0, 25, 50, 90, 95, 99, 100].map((p) => percentile(x, p))).toEqual([0.1, 0.35, 0.6, 1.0, 1.05, 1.09, 1.1]);
  });

  it('returns the only value of a single-element list', () => {
    expect(percentile([5], 99)).toBe(5);
  });

  it('refuses an empty list and a p outside 0–100', () => {
    expect(() => percentile([], 50)).toThrow('percentile of no values');
    expect(() => percentile([1], 101)).toThrow('within 0–100');
  });
});

describe('summarize', () => {
  it('gives count, mean, population std, min, percentiles and max', () => {
    const d = summarize([4, 1, 3, 2]);
    expect(d).toEqual({ count: 4, mean: 2.5, std: 1.118033988749895, min: 1, p50: 2.5, p90: 3.7, p95: 3.8499999999999996, p99: 3.9699999999999998, max: 4 });
  });

  it('matches numpy mean and std on uneven values', () => {
    const d = summarize([15.3, 0.1, 7.7, 2.25, 9.9, 100.5, 3.3]);
    expect(d?.mean).toBeCloseTo(19.864285714285717, 12);
    expect(d?.std).toBeCloseTo(33.264038006378534, 12);
    expect(d?.p90).toBe(49.38000000000004);
  });

  it('is null for no values and has std 0 for one', () => {
    expect(summarize([])).toBeNull();
    expect(summarize([7])).toEqual({ count: 1, mean: 7, std: 0, min: 7, p50: 7, p90: 7, p95: 7, p99: 7, max: 7 });
  });

  it('does not reorder its input', () => {
    const x = [3, 1, 2];
    summarize(x);
    expect(x).toEqual([3, 1, 2]);
  });
});
