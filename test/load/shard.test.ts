import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { ScenarioConfig } from '../../src/config/schema.js';
import { InputError } from '../../src/errors.js';
import { checkShardable, shardPart, shardScenario, type Shard } from '../../src/load/shard.js';

function scenarioWith(load: string): ScenarioConfig {
  return parseConfigText(`scenarios:\n  - name: chat\n    workload: { input_tokens: 16, output_tokens: 8 }\n    load: ${load}\n`, 'perf.yml', {}).scenarios[0];
}

const none = () => undefined;
const shards = (count: number): Shard[] => Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));

describe('sharding never raises the load it slices', () => {
  it('closed loop: concurrency 2 over 4 shards is bad input on every shard, naming the scenario, the concurrency and the shard count', () => {
    const scenario = scenarioWith('{ type: concurrency, concurrency: 2, requests: 40 }');
    for (const shard of shards(4)) {
      const run = () => shardScenario(scenario, 1, none, shard);
      expect(run).toThrow(InputError);
      expect(run).toThrow(`scenario 'chat': shard ${shard.index}/4: concurrency 2 (users) is less than the 4 shards; each shard needs at least one, so together they would exceed it — use at most 2 shards or raise concurrency`);
    }
  });

  it('open loop: an in-flight cap below the shard count is bad input too', () => {
    const scenario = scenarioWith('{ type: poisson, rate: 8, concurrency: 3, requests: 40 }');
    expect(() => checkShardable(scenario, { index: 1, count: 4 })).toThrow(
      "scenario 'chat': shard 1/4: concurrency 3 (the in-flight cap) is less than the 4 shards; each shard needs at least one, so together they would exceed it — use at most 3 shards or raise concurrency",
    );
    expect(() => checkShardable(scenario, { index: 1, count: 3 })).not.toThrow();
  });

  it('fewer requests than shards is bad input on every shard, not only on the empty ones', () => {
    const scenario = scenarioWith('{ type: constant, rate: 8, requests: 3 }');
    expect(() => shardScenario(scenario, 1, none, { index: 1, count: 4 })).toThrow("scenario 'chat': shard 1/4: the scenario has only 3 requests, fewer than the 4 shards");
  });

  it("the shards' users and in-flight caps add up to exactly the scenario's own, each at least 1", () => {
    for (const count of [1, 2, 3, 4, 7]) {
      for (const total of [count, count + 1, 2 * count + 1, 64]) {
        const parts = shards(count).map((s) => shardPart(total, s));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.min(...parts)).toBeGreaterThanOrEqual(1);
      }
    }
    const closed = scenarioWith('{ type: concurrency, concurrency: 5, requests: 40 }');
    expect(shards(4).map((s) => shardScenario(closed, 1, none, s).scenario.load.concurrency)).toEqual([2, 1, 1, 1]);
    const open = scenarioWith('{ type: poisson, rate: 8, concurrency: 4, requests: 40 }');
    expect(shards(4).map((s) => shardScenario(open, 1, none, s).scenario.load)).toEqual(shards(4).map(() => expect.objectContaining({ concurrency: 1, rate: 2, requests: 10 })));
  });

  it('a single shard (1/1) is the whole scenario, whatever its concurrency', () => {
    const scenario = scenarioWith('{ type: concurrency, concurrency: 1, requests: 1 }');
    expect(() => checkShardable(scenario, { index: 1, count: 1 })).not.toThrow();
    expect(shardScenario(scenario, 1, none, { index: 1, count: 1 }).scenario).toBe(scenario);
  });
});
