import { describe, expect, it } from 'vitest';
import type { RequestSpec } from '../../src/types.js';
import { withLookahead } from '../../src/workload/lookahead.js';

function builder(count: number, built: number[]) {
  return (i: number): RequestSpec | undefined => {
    built.push(i);
    return i < count ? { id: `r-${i}`, scenario: 's', api: 'chat', inputTokens: i + 1, maxTokens: 1 } : undefined;
  };
}

describe('withLookahead', () => {
  it('builds the first requests at once and the next ones in idle turns, each once', async () => {
    const built: number[] = [];
    const measured = withLookahead(builder(10, built), 3);
    expect(built).toEqual([0, 1, 2]);
    expect(measured(0)?.id).toBe('r-0');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(built).toEqual([0, 1, 2, 3]);
    const ids = [];
    for (let i = 1; i < 12; i++) ids.push(measured(i)?.id);
    expect(ids).toEqual(['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6', 'r-7', 'r-8', 'r-9', undefined, undefined]);
    expect(new Set(built.filter((i) => i < 10)).size).toBe(built.filter((i) => i < 10).length);
  });

  it('does not start a build that would still run when the taken request is due', async () => {
    // Each build costs 5 ms of a fake clock; requests arrive every 10 ms.
    let clock = 0;
    const built: number[] = [];
    const build = (i: number): RequestSpec | undefined => {
      built.push(i);
      clock += 5;
      return i < 50 ? { id: `r-${i}`, scenario: 's', api: 'chat', inputTokens: 1, maxTokens: 1, arrivalOffsetMs: 10 * i } : undefined;
    };
    const turns = async (n: number) => {
      for (let k = 0; k < n; k++) await new Promise((r) => setImmediate(r));
    };
    const measured = withLookahead(build, 4, { now: () => clock, marginMs: 1 });
    expect(built).toEqual([0, 1, 2, 3]);
    clock = 100; // the replay starts: request 0 is taken (and sent at once, offset 0)
    measured(0);
    await turns(5);
    clock = 100.1; // request 1 is taken right after request 0 left; it is due at 110.1
    const before = built.length;
    measured(1);
    await turns(10);
    // One 5 ms build fits before 110.1 − 1 ms; a second would end at 111.1, after the send.
    expect(built.length - before).toBe(1);
    expect(clock).toBeLessThanOrEqual(110.1 - 1);
    clock = 110.2; // request 1 left; request 2 is taken, due at 120.1: building resumes
    measured(2);
    await turns(10);
    expect(built.length - before).toBe(2);
  });

  it('builds ahead freely for requests without arrival times (nothing to keep clear)', async () => {
    const built: number[] = [];
    const measured = withLookahead(builder(20, built), 3, { now: () => 0 });
    measured(0);
    measured(1);
    for (let k = 0; k < 10; k++) await new Promise((r) => setImmediate(r));
    expect(built).toEqual([0, 1, 2, 3, 4]);
  });
});
