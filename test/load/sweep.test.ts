import { describe, expect, it } from 'vitest';
import { scenarioSchema, type ScenarioConfig } from '../../src/config/schema.js';
import { REPLAY_MAX_CONNECTIONS, plannedConnections, plannedMaxInFlight, runScenarioSteps } from '../../src/load/scenario-steps.js';
import { stepInfoOf } from '../../src/load/steps.js';
import { autoRates, runStages, runSweep, sweepValues } from '../../src/load/sweep.js';
import { fakeCapacityServer } from './fake-steps.js';

function scenario(extra: Record<string, unknown>, load: Record<string, unknown> = { type: 'poisson', requests: 40 }): ScenarioConfig {
  return scenarioSchema.parse({ name: 'chat', load: { warmup: 3, ...load }, ...extra });
}

describe('sweep values', () => {
  it('spreads linear and geometric steps and rounds concurrencies', () => {
    expect(sweepValues({ of: 'rate', linear: { from: 1, to: 5, steps: 5 } })).toEqual([1, 2, 3, 4, 5]);
    const geo = sweepValues({ of: 'rate', geometric: { from: 1, to: 64, steps: 4 } });
    [1, 4, 16, 64].forEach((v, i) => expect(geo[i]).toBeCloseTo(v, 12));
    expect(sweepValues({ of: 'concurrency', geometric: { from: 1, to: 8, steps: 6 } })).toEqual([1, 2, 3, 5, 8]);
    expect(sweepValues({ of: 'rate', values: [2, 1, 2] })).toEqual([2, 1]);
  });

  it('places automatic rates strictly between the synchronous and saturation rates', () => {
    expect(autoRates(2, 12, 4)).toEqual([4, 6, 8, 10]);
  });
});

describe('runSweep', () => {
  it('runs each listed rate as its own step and result, warming up only once', async () => {
    const fake = fakeCapacityServer({ capacityRps: 30 });
    const base = scenario({ sweep: { values: [5, 10, 20] } });
    const results = await runSweep(base, base.sweep!, fake.runStep);
    expect(results.map((r) => r.name)).toEqual(['chat@rate=5', 'chat@rate=10', 'chat@rate=20']);
    expect(fake.ran.map((s) => [s.load.rate, s.load.warmup, s.sweep, s.load.type])).toEqual([
      [5, 3, undefined, 'poisson'],
      [10, 0, undefined, 'poisson'],
      [20, 0, undefined, 'poisson'],
    ]);
    expect(stepInfoOf(results[1])).toEqual({ of: 'chat', index: 1, kind: 'sweep', offered: { rate: 10 } });
  });

  it('sweeps concurrency in a closed loop', async () => {
    const fake = fakeCapacityServer();
    const base = scenario({ sweep: { of: 'concurrency', values: [1, 4] } }, { type: 'concurrency', requests: 40 });
    const results = await runSweep(base, base.sweep!, fake.runStep);
    expect(results.map((r) => r.name)).toEqual(['chat@concurrency=1', 'chat@concurrency=4']);
    expect(stepInfoOf(results[1])?.offered).toEqual({ concurrency: 4 });
  });

  it('auto: measures the synchronous and the saturation rate, then spreads open-loop steps between', async () => {
    const fake = fakeCapacityServer({ capacityRps: 50 });
    const base = scenario({ sweep: { auto: { steps: 3, saturation_concurrency: 32 } } }, { type: 'poisson', requests: 40, ramp_up_s: 2 });
    const results = await runSweep(base, base.sweep!, fake.runStep);
    expect(results.map((r) => r.name)).toEqual(['chat@synchronous', 'chat@throughput', 'chat@auto-1', 'chat@auto-2', 'chat@auto-3']);
    expect(fake.ran[0].load).toMatchObject({ type: 'concurrency', concurrency: 1, ramp_up_s: undefined });
    expect(fake.ran[1].load).toMatchObject({ type: 'concurrency', concurrency: 32 });
    const sync = results[0].metrics.request_throughput_rps;
    const sat = results[1].metrics.request_throughput_rps;
    // The fake serves one user 10 req/s and saturates at 50 req/s; its windows end at the
    // last send, so 39 of 40 (sync) and 35 of 40 (saturated) requests end inside them.
    expect(sync).toBe(9.75);
    expect(sat).toBe(43.75);
    expect(fake.ran.slice(2).map((s) => s.load.rate)).toEqual([18.25, 26.75, 35.25]);
    expect(fake.ran[2].load).toMatchObject({ type: 'poisson', ramp_up_s: 2 });
    expect(stepInfoOf(results[0])?.kind).toBe('synchronous');
  });
});

describe('runStages and the dispatcher', () => {
  it('runs stages in order with their fields over the load', async () => {
    const fake = fakeCapacityServer();
    const base = scenario({}, { type: 'constant', rate: 2, requests: 10, stages: [{ rate: 4 }, { type: 'concurrency', concurrency: 3, duration_s: 5 }] });
    const results = await runStages(base, fake.runStep);
    expect(results.map((r) => r.name)).toEqual(['chat@stage=1', 'chat@stage=2']);
    expect(fake.ran[0].load).toMatchObject({ type: 'constant', rate: 4, requests: 10, warmup: 3 });
    expect(fake.ran[1].load).toMatchObject({ type: 'concurrency', concurrency: 3, duration_s: 5, requests: 10, warmup: 0 });
    expect('stages' in fake.ran[1].load).toBe(false);
  });

  it('runs a plain scenario as one step, unchanged', async () => {
    const fake = fakeCapacityServer();
    const base = scenario({}, { type: 'poisson', rate: 3, requests: 5 });
    const results = await runScenarioSteps(base, fake.runStep, { clock: fake.clock });
    expect(results.map((r) => r.name)).toEqual(['chat']);
    expect(fake.ran[0]).toBe(base);
  });

  it('sizes the connection pool for the largest step', () => {
    expect(plannedMaxInFlight(scenario({ sweep: { values: [1, 10] } }))).toBe(300);
    expect(plannedMaxInFlight(scenario({ sweep: { of: 'concurrency', values: [1, 48] } }, { type: 'concurrency', requests: 5 }))).toBe(48);
    expect(plannedMaxInFlight(scenario({}, { type: 'constant', rate: 1, requests: 5, stages: [{ rate: 2 }, { type: 'concurrency', concurrency: 90 }] }))).toBe(90);
  });

  it('sizes a replay of timestamps by the replay bound, not by a rate it ignores', () => {
    const trace = { source: 'trace', format: 'mooncake', path: 't.jsonl' };
    const log = { source: 'request_log', path: 'log.jsonl' };
    // The trace's own times govern: no rate, or a rate of 1 that the replay ignores (was 30 connections).
    expect(plannedConnections(scenario({ workload: trace }, { type: 'poisson', requests: 60 }))).toBe(REPLAY_MAX_CONNECTIONS);
    expect(plannedConnections(scenario({ workload: log }, { type: 'constant', rate: 1, requests: 60 }))).toBe(REPLAY_MAX_CONNECTIONS);
    // A cap on requests in flight bounds the pool; an untimed log follows the rate.
    expect(plannedConnections(scenario({ workload: trace }, { type: 'poisson', requests: 60, concurrency: 16 }))).toBe(16);
    expect(plannedConnections(scenario({ workload: { ...log, use_timestamps: false } }, { type: 'constant', rate: 2, requests: 60 }))).toBe(60);
    expect(plannedConnections(scenario({}, { type: 'poisson', rate: 3, requests: 5 }))).toBe(90);
    // The typical in-flight estimate (which decides on worker threads) is unchanged.
    expect(plannedMaxInFlight(scenario({ workload: trace }, { type: 'poisson', requests: 60 }), 5)).toBe(5);
  });
});
