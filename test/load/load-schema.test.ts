// The load part of the config: new fields parse, and every misuse is one line naming the field.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

function config(scenario: string): string {
  return `scenarios:\n  - name: chat\n${scenario}`;
}

function errorOf(text: string): string {
  try {
    parseConfigText(text, 'perf.yml', {});
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('load config', () => {
  it('accepts gamma burstiness, ramp-up, fluctuation, think time and stages', () => {
    const c = parseConfigText(
      config(`    load:
      type: gamma
      rate: 4
      burstiness: 0.5
      ramp_up_s: 10
      fluctuation:
        - { kind: sinusoidal, amplitude: 0.3, period_s: 60 }
        - { kind: spike, at_s: 30, duration_s: 5, factor: 3 }
      requests: 100
`),
      'x',
      {},
    );
    expect(c.scenarios[0].load).toMatchObject({ type: 'gamma', burstiness: 0.5, ramp_up_s: 10 });
    expect(c.scenarios[0].load.fluctuation).toEqual([
      { kind: 'sinusoidal', amplitude: 0.3, period_s: 60, phase_s: 0 },
      { kind: 'spike', at_s: 30, duration_s: 5, factor: 3 },
    ]);
    const closed = parseConfigText(config('    load: { type: concurrency, concurrency: 4, think_time_ms: 500, duration_s: 30 }\n'), 'x', {});
    expect(closed.scenarios[0].load.think_time_ms).toBe(500);
    const staged = parseConfigText(config('    load: { type: constant, requests: 50, stages: [{ rate: 1 }, { rate: 5 }, { type: concurrency, concurrency: 8 }] }\n'), 'x', {});
    expect(staged.scenarios[0].load.stages).toHaveLength(3);
  });

  it('accepts a sweep or an SLO search without a rate of its own', () => {
    const swept = parseConfigText(config('    load: { type: poisson, requests: 100 }\n    sweep: { geometric: { from: 1, to: 16, steps: 5 } }\n'), 'x', {});
    expect(swept.scenarios[0].sweep).toEqual({ of: 'rate', geometric: { from: 1, to: 16, steps: 5 } });
    const auto = parseConfigText(config('    load: { type: constant, duration_s: 10 }\n    sweep: { auto: true }\n'), 'x', {});
    expect(auto.scenarios[0].sweep?.auto).toBe(true);
    const search = parseConfigText(config('    load: { type: constant, requests: 100 }\n    slo_search: { constraints: ["ttft_ms.p90 < 500"], attainment: 0.95 }\n'), 'x', {});
    expect(search.scenarios[0].slo_search).toMatchObject({ of: 'rate', tolerance: 0.05, max_duration_s: 600, min: 0.1 });
  });

  it('names the field of each misuse in one line', () => {
    expect(errorOf(config('    load: { type: poisson, rate: 2, burstiness: 0.5, requests: 5 }\n'))).toBe(
      "perf.yml: scenarios.0.load.burstiness: burstiness applies to type gamma (k = 1 is Poisson), not 'poisson'",
    );
    expect(errorOf(config('    load: { type: gamma, requests: 5 }\n'))).toBe("perf.yml: scenarios.0.load.rate: load type 'gamma' needs a rate (requests per second)");
    expect(errorOf(config('    load: { type: constant, rate: 2, think_time_ms: 5, requests: 5 }\n'))).toMatch(/^perf\.yml: scenarios\.0\.load\.think_time_ms: think_time_ms applies to the closed loop/);
    expect(errorOf(config('    load: { type: concurrency, concurrency: 2, requests: 5, fluctuation: { kind: spike, at_s: 1, duration_s: 1, factor: 2 } }\n'))).toMatch(
      /^perf\.yml: scenarios\.0\.load\.fluctuation: fluctuation shapes a request rate/,
    );
    expect(errorOf(config('    load: { type: constant, rate: 2, requests: 5, fluctuation: { kind: sinusoidal, amplitude: 1, period_s: 5 } }\n'))).toMatch(
      /^perf\.yml: scenarios\.0\.load\.fluctuation/,
    );
    expect(errorOf(config('    load: { type: constant, requests: 5, stages: [{ rate: 1 }, { duration_s: 3 }] }\n'))).toBe(
      "perf.yml: scenarios.0.load.stages.1.rate: load type 'constant' needs a rate (requests per second)",
    );
    expect(errorOf(config('    load: { type: concurrency, requests: 5 }\n    sweep: { values: [1, 2] }\n'))).toBe(
      "perf.yml: scenarios.0.sweep.of: sweep of rate needs an open-loop load type (poisson, constant or gamma), not 'concurrency'",
    );
    expect(errorOf(config('    load: { type: constant, requests: 5 }\n    sweep: { values: [1], linear: { from: 1, to: 2, steps: 2 } }\n'))).toBe(
      'perf.yml: scenarios.0.sweep.linear: give exactly one of values, linear, geometric or auto',
    );
    expect(errorOf(config('    load: { type: constant, requests: 5 }\n    sweep: { of: concurrency, values: [1.5] }\n'))).toBe(
      'perf.yml: scenarios.0.sweep.values: concurrencies must be whole numbers',
    );
    expect(errorOf(config('    load: { type: constant, requests: 5 }\n    slo_search: { constraints: ["ttft_ms < 5"] }\n'))).toMatch(
      /^perf\.yml: scenarios\.0\.slo_search\.constraints\.0: "ttft_ms < 5": ttft_ms is a distribution/,
    );
    expect(errorOf(config('    load: { type: constant, requests: 5 }\n    slo_search: {}\n'))).toMatch(/^perf\.yml: scenarios\.0\.slo_search\.constraints: give constraints/);
    expect(errorOf(config('    load: { type: constant, rate: 1, requests: 5 }\n    sweep: { values: [1] }\n    slo_search: { constraints: ["error_rate < 0.1"] }\n'))).toBe(
      'perf.yml: scenarios.0.slo_search: use one of sweep, slo_search per scenario (make two scenarios)',
    );
  });
});
