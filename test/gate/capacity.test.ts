import { describe, expect, it } from 'vitest';
import { gateRun } from '../../src/gate/gate.js';
import type { RunResult } from '../../src/types.js';
import { smallRun } from './fixtures.js';

function withCapacity(run: RunResult, capacity: number): RunResult {
  const copy = structuredClone(run);
  for (const s of copy.scenarios) (s.metrics as unknown as Record<string, number>).capacity_rps = capacity;
  return copy;
}

describe('capacity as a gated metric', () => {
  it('flags "max rate at SLO dropped by more than 10 %" and passes a small wobble', () => {
    const base = smallRun(1);
    const thresholds = { capacity_rps: '-10%' };
    const dropped = gateRun(withCapacity(smallRun(2), 30), [withCapacity(base, 40)], { thresholds });
    const c = dropped.comparisons.find((x) => x.metric === 'capacity_rps')!;
    expect(c.higherIsBetter).toBe(true);
    expect(c.change).toBeCloseTo(-0.25, 10);
    expect(c.verdict).toBe('regression');
    const wobble = gateRun(withCapacity(smallRun(2), 39), [withCapacity(base, 40)], { thresholds });
    expect(wobble.comparisons.find((x) => x.metric === 'capacity_rps')!.verdict).toBe('unchanged');
  });
});
