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
});
