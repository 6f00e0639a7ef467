import { describe, expect, it } from 'vitest';
import { scenarioSchema, type ScenarioConfig } from '../../src/config/schema.js';
import { InputError } from '../../src/errors.js';
import { nextProbe, runSloSearch, type SloSearchOutcome } from '../../src/load/slo-search.js';
import { stepInfoOf } from '../../src/load/steps.js';
import { fakeCapacityServer } from './fake-steps.js';

function scenario(search: Record<string, unknown>, load: Record<string, unknown> = { type: 'constant', requests: 40 }): ScenarioConfig {
  return scenarioSchema.parse({ name: 'chat', load: { warmup: 1, ...load }, slo_search: search });
}

const outcomeOf = (r: { config: Record<string, unknown> }) => r.config.capacity as SloSearchOutcome;

describe('nextProbe', () => {
  const rate = { of: 'rate' as const, min: 0.5, max: 100, tolerance: 0.1 };
  it('doubles while passing, halves while failing, then bisects to the tolerance', () => {
    expect(nextProbe(rate, 4, null)).toEqual({ value: 8 });
    expect(nextProbe(rate, 64, null)).toEqual({ value: 100 });
    expect(nextProbe(rate, 100, null)).toEqual({ done: 'max' });
    expect(nextProbe(rate, null, 4)).toEqual({ value: 2 });
    expect(nextProbe(rate, null, 0.8)).toEqual({ value: 0.5 });
    expect(nextProbe(rate, null, 0.5)).toEqual({ done: 'min' });
    expect(nextProbe(rate, 8, 16)).toEqual({ value: 12 });
    expect(nextProbe(rate, 10, 11)).toEqual({ done: 'converged' });
  });

  it('keeps concurrencies whole and stops when they are adjacent', () => {
    const c = { of: 'concurrency' as const, min: 0.1, max: 1000, tolerance: 0.01 };
    expect(nextProbe(c, 8, 16)).toEqual({ value: 12 });
    expect(nextProbe(c, 12, 13)).toEqual({ done: 'converged' });
    expect(nextProbe(c, null, 1)).toEqual({ done: 'min' });
    expect(nextProbe(c, null, 3)).toEqual({ value: 1 });
  });
});

describe('runSloSearch', () => {
  it('brackets then bisects to the capacity within the tolerance, and reports it as a metric', async () => {
    const fake = fakeCapacityServer({ capacityRps: 37 });
    const base = scenario({ constraints: ['ttft_ms.p90 < 100'], start: 1, tolerance: 0.05 });
    const results = await runSloSearch(base, base.slo_search!, fake.runStep, { clock: fake.clock });
    const [summary, ...steps] = results;
    const outcome = outcomeOf(summary);
    expect(summary.name).toBe('chat');
    expect(outcome.stopped).toBe('converged');
    expect(outcome.converged).toBe(true);
    const { passing, failing } = outcome.bracket;
    // The fake passes at ≤ 37 req/s and fails just above (queue growth breaks TTFT p90 < 100).
    expect(passing).not.toBeNull();
    expect(failing).not.toBeNull();
    expect(passing!).toBeLessThanOrEqual(37);
    expect(failing!).toBeGreaterThan(37);
    expect(failing! - passing!).toBeLessThanOrEqual(0.05 * passing!);
    expect(summary.metrics.capacity_rps).toBe(passing);
    // The summary carries the capacity step's measurements.
    const capacityStep = steps.find((s) => stepInfoOf(s)?.offered.rate === passing)!;
    expect(summary.requests).toBe(capacityStep.requests);
    expect(summary.config.sweep).toBeUndefined();
    // Doubling 1 → 64, then bisection; every probe is a step of its own.
    expect(steps.slice(0, 7).map((s) => s.name)).toEqual(['chat@rate=1', 'chat@rate=2', 'chat@rate=4', 'chat@rate=8', 'chat@rate=16', 'chat@rate=32', 'chat@rate=64']);
    expect(outcome.probes.map((p) => p.meetsSlo)).toEqual(steps.map((s) => stepInfoOf(s)?.meetsSlo));
    expect(stepInfoOf(steps[6])?.failures?.[0]).toMatch(/^ttft_ms\.p90 \d+(\.\d+)? is not < 100$/);
    expect(fake.ran.map((s) => s.load.warmup)).toEqual([1, ...Array(fake.ran.length - 1).fill(0)]);
  });

  it('finds an exact concurrency capacity', async () => {
    const fake = fakeCapacityServer({ capacityConcurrency: 12 });
    const base = scenario({ of: 'concurrency', constraints: ['ttft_ms.p90 < 100'], start: 4 }, { type: 'concurrency', requests: 40 });
    const [summary] = await runSloSearch(base, base.slo_search!, fake.runStep, { clock: fake.clock });
    expect(summary.metrics.capacity_concurrency).toBe(12);
    expect(outcomeOf(summary).bracket).toEqual({ passing: 12, failing: 13 });
    expect(fake.ran.map((s) => s.load.concurrency)).toEqual([4, 8, 16, 12, 14, 13]);
  });

  it('judges attainment with per-request SLOs and refuses attainment without them', async () => {
    const fake = fakeCapacityServer({ capacityRps: 10 });
    const base = scenario({ attainment: 0.9, slo: { ttft_ms: 100 }, start: 8, tolerance: 0.1 });
    const [summary] = await runSloSearch(base, base.slo_search!, fake.runStep, { clock: fake.clock });
    expect(summary.metrics.capacity_rps).toBeGreaterThanOrEqual(10 / 1.1);
    expect(summary.metrics.capacity_rps).toBeLessThanOrEqual(10.5);
    const noSlo = scenario({ attainment: 0.9 });
    await expect(runSloSearch(noSlo, noSlo.slo_search!, fake.runStep, { clock: fake.clock })).rejects.toThrow(InputError);
    await expect(runSloSearch(noSlo, noSlo.slo_search!, fake.runStep, { clock: fake.clock })).rejects.toThrow(/slo_search\.attainment needs per-request SLOs/);
    // The top-level SLOs serve when the search has none.
    const [viaTop] = await runSloSearch(noSlo, noSlo.slo_search!, fake.runStep, { clock: fake.clock, slo: { ttft_ms: 100 } });
    expect(viaTop.metrics.capacity_rps).toBeGreaterThan(0);
  });

  it('stops at the time cap with the bracket it has', async () => {
    const fake = fakeCapacityServer({ capacityRps: 37, stepS: 10 });
    const base = scenario({ constraints: ['ttft_ms.p90 < 100'], start: 1, max_duration_s: 35 });
    const [summary, ...steps] = await runSloSearch(base, base.slo_search!, fake.runStep, { clock: fake.clock });
    expect(steps).toHaveLength(4);
    expect(outcomeOf(summary)).toMatchObject({ stopped: 'time_cap', converged: false, capacity: 8, bracket: { passing: 8, failing: null } });
  });

  it('reports capacity 0 when even the minimum fails', async () => {
    const fake = fakeCapacityServer({ capacityRps: 0.1 });
    const base = scenario({ constraints: ['ttft_ms.p90 < 100'], start: 2, min: 0.5 });
    const [summary] = await runSloSearch(base, base.slo_search!, fake.runStep, { clock: fake.clock });
    expect(outcomeOf(summary)).toMatchObject({ stopped: 'min', capacity: 0, bracket: { passing: null, failing: 0.5 } });
    expect(summary.metrics.capacity_rps).toBe(0);
    expect(fake.ran.map((s) => s.load.rate)).toEqual([2, 1, 0.5]);
  });
});
