// The run log's one line per scenario says the load as configured, with no "undefined" for
// a replay, whose requests carry their own arrival times.
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/config/schema.js';
import { describeLoad } from '../../src/run.js';

const scenario = (load: Record<string, unknown>, workload?: Record<string, unknown>) => scenarioSchema.parse({ name: 's', load, ...(workload ? { workload } : {}) });

describe('describeLoad', () => {
  it('names the loop, the rate or concurrency, and when it stops', () => {
    expect(describeLoad(scenario({ type: 'poisson', rate: 4, requests: 200 }))).toBe('poisson at 4 req/s, 200 requests');
    expect(describeLoad(scenario({ type: 'constant', rate: 2, concurrency: 8, duration_s: 30 }))).toBe('constant at 2 req/s (max 8 in flight), 30 s');
    expect(describeLoad(scenario({ type: 'concurrency', concurrency: 4, requests: 64, duration_s: 60 }))).toBe('closed loop at concurrency 4, 64 requests or 60 s');
  });
  it('describes a replay without a rate by its own arrival times', () => {
    const replay = scenario({ type: 'constant', duration_s: 60 }, { source: 'trace', format: 'mooncake', path: 'trace.jsonl' });
    expect(describeLoad(replay)).toBe("open loop on the workload's own arrival times, 60 s");
  });
});
