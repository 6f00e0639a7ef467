import { describe, expect, it } from 'vitest';
import { clipToBytes, headlineOutputs, MAX_SUMMARY_BYTES } from '../../src/github/publish.js';
import { makeRun } from '../baseline/make-run.js';

describe('publish helpers', () => {
  it('outputs the first scenario headline numbers, to the microsecond', () => {
    const run = makeRun('x', 41.23456);
    expect(headlineOutputs(run)).toEqual({ 'ttft-p90-ms': '42.235', 'tpot-p50-ms': '10', 'output-throughput-tps': '100' });
    expect(headlineOutputs(undefined)).toEqual({ 'ttft-p90-ms': '', 'tpot-p50-ms': '', 'output-throughput-tps': '' });
  });

  it('keeps the job summary under 1 MiB, with a note, counting bytes not characters', () => {
    const big = 'é'.repeat(700_000); // 1.4 MB in UTF-8
    const clipped = clipToBytes(big, MAX_SUMMARY_BYTES, '(truncated)');
    expect(Buffer.byteLength(clipped)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(clipped.endsWith('(truncated)')).toBe(true);
    expect(clipToBytes('small', MAX_SUMMARY_BYTES, 'x')).toBe('small');
  });
});
