// Matrix shards: `shard: i/N` runs the i-th of N slices of a scenario's load, so N runners
// together offer one load generator's load to one server (docs/paired.md). The split is
// deterministic and needs no coordination between the runners:
//  - request j (of the unsharded run) belongs to shard (j mod N) + 1, so the N shards send
//    exactly the unsharded run's requests, each once;
//  - open loop: each request keeps the send time it has in the unsharded schedule (the same
//    seeded arrival process, ramp and fluctuation), so each shard offers rate/N and the
//    shards' schedules, aligned at their start, are the unsharded one;
//  - closed loop: the users are dealt out the same way (shard i gets ⌈(c − i + 1)/N⌉), and
//    so is an open loop's in-flight cap; either must be at least N (checkShardable).
import type { ScenarioConfig } from '../config/schema.js';
import { InputError } from '../errors.js';
import type { RequestSpec } from '../types.js';
import { scenarioArrivals } from './arrivals.js';

/** Slice `index` (1..count) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/N" (1 ≤ i ≤ N); `field` names the input or config key in the error. */
export function parseShard(text: string, field = 'shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InputError(`${field}: '${text}' is not i/N; write e.g. 2/4 for the second of four shards`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 256) throw new InputError(`${field}: '${text}': N must be between 1 and 256`);
  if (index < 1 || index > count) throw new InputError(`${field}: '${text}': i must be between 1 and ${count}`);
  return { index, count };
}

/** Whether request j of the unsharded run is this shard's. */
export function inShard(j: number, shard: Shard): boolean {
  return j % shard.count === shard.index - 1;
}

/** How many of the first n requests are this shard's. */
export function shardCount(n: number, shard: Shard): number {
  return Math.max(0, Math.ceil((n - (shard.index - 1)) / shard.count));
}

/**
 * The shard's part of `total` (users, an in-flight cap), dealt out one by one. Needs
 * total ≥ N (checkShardable): giving a shard "at least one" would run more users, or more
 * requests in flight, than the unsharded run.
 */
export function shardPart(total: number, shard: Shard): number {
  if (total < shard.count) throw new RangeError(`shardPart: ${total} is fewer than the ${shard.count} shards`);
  return shardCount(total, shard);
}

/**
 * Whether the scenario can be split into `shard.count` slices that add up to its load; one
 * clear line if not. The action checks every scenario before it starts or waits for a
 * server (a model load can take minutes); shardScenario checks again for the CLI.
 */
export function checkShardable(scenario: ScenarioConfig, shard: Shard): void {
  if (shard.count === 1) return;
  const where = `scenario '${scenario.name}': shard ${shard.index}/${shard.count}`;
  if (scenario.load.stages || scenario.sweep || scenario.slo_search) {
    throw new InputError(`${where}: stages, sweep and slo_search cannot be sharded; shard a plain scenario, or split the steps over a matrix of scenarios`);
  }
  const { requests, concurrency, type } = scenario.load;
  if (requests !== undefined && requests < shard.count) {
    throw new InputError(`${where}: the scenario has only ${requests} requests, fewer than the ${shard.count} shards`);
  }
  if (concurrency !== undefined && concurrency < shard.count) {
    const what = type === 'concurrency' ? `concurrency ${concurrency} (users)` : `concurrency ${concurrency} (the in-flight cap)`;
    throw new InputError(`${where}: ${what} is less than the ${shard.count} shards; each shard needs at least one, so together they would exceed it — use at most ${concurrency} shards or raise concurrency`);
  }
}

export interface ShardedScenario {
  /** The scenario with the shard's load: its request count, users, in-flight cap and (for the record) rate. */
  scenario: ScenarioConfig;
  /** The shard's requests: its k-th is request index−1 + k·N of the unsharded run, with that run's send offset. */
  measured: (k: number) => RequestSpec | undefined;
}

/** The arrival offsets the unsharded run would use (the runner's own seeded stream); null for a trace. */
function unshardedOffsets(scenario: ScenarioConfig, seed: number): ((j: number) => number) | null {
  const gen = scenarioArrivals(scenario, seed);
  if (gen === null) return null;
  const cache: number[] = [];
  return (j) => {
    while (cache.length <= j) cache.push(gen.next().value);
    return cache[j];
  };
}

/** Slices a scenario for one shard. `measured` is the unsharded run's request source. */
export function shardScenario(scenario: ScenarioConfig, seed: number, measured: (j: number) => RequestSpec | undefined, shard: Shard): ShardedScenario {
  if (shard.count === 1) return { scenario, measured };
  checkShardable(scenario, shard);
  const load = { ...scenario.load };
  if (load.requests !== undefined) load.requests = shardCount(load.requests, shard);
  if (load.concurrency !== undefined) load.concurrency = shardPart(load.concurrency, shard);
  const open = load.type !== 'concurrency';
  if (open && load.rate !== undefined) load.rate = load.rate / shard.count;
  const offsets = open ? unshardedOffsets(scenario, seed) : null;
  const sliced = (k: number): RequestSpec | undefined => {
    const j = shard.index - 1 + k * shard.count;
    const spec = measured(j);
    if (spec === undefined) return undefined;
    // A trace's own timestamps win, as in the runner; else the unsharded schedule's.
    if (offsets === null || spec.arrivalOffsetMs !== undefined) return spec;
    return { ...spec, arrivalOffsetMs: offsets(j) };
  };
  return { scenario: { ...scenario, load }, measured: sliced };
}
