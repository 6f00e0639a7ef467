// Combining results files into one:
//  - mergeResults: the partial results of matrix shards (`shard: i/N`, run at the same time
//    on N runners against one server) become the scenario's whole run — records
//    concatenated, each shard's window aligned to a common start (runners start seconds
//    apart), throughputs summed; and results of different scenarios or models become one
//    combined run (one report, one comment).
//  - poolRounds: the runs of one server in paired rounds (one after the other) become one
//    pooled run for the report and the absolute limits.
// Distributions are always recomputed from the records with computeScenarioMetrics.
import { InputError } from '../errors.js';
import { mergeClientHealth } from '../load/client-health.js';
import { computeScenarioMetrics } from '../metrics/compute.js';
import type { RequestRecord, RunResult, ScenarioMetrics, ScenarioResult } from '../types.js';

/** Which slice of a scenario's load a shard ran: index 1..count. */
export interface ShardInfo {
  index: number;
  count: number;
}

/** The shard a scenario result ran as (its config's `shard`), or null for a whole run. */
export function shardOf(s: ScenarioResult): ShardInfo | null {
  const raw = (s.config as { shard?: unknown }).shard;
  if (raw === null || typeof raw !== 'object') return null;
  const { index, count } = raw as { index?: unknown; count?: unknown };
  if (!Number.isInteger(index) || !Number.isInteger(count) || (count as number) < 1 || (index as number) < 1 || (index as number) > (count as number)) return null;
  return { index: index as number, count: count as number };
}

function shifted(r: RequestRecord, deltaMs: number): RequestRecord {
  return { ...r, sentAt: r.sentAt + deltaMs, scheduledAt: r.scheduledAt === null ? null : r.scheduledAt + deltaMs };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function withoutShard(config: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...config };
  delete rest.shard;
  return rest;
}

function scenarioHealth(parts: ScenarioResult[], label: (i: number) => string): ScenarioResult['clientHealth'] {
  const withHealth = parts.flatMap((p, i) => (p.clientHealth ? [{ scenario: label(i), health: p.clientHealth }] : []));
  return withHealth.length > 0 ? mergeClientHealth(withHealth) : undefined;
}

/**
 * One scenario from its shards. Each shard's records move by (earliest shard start − its
 * start), so the shards' windows start together, as one load generator's would have.
 * Run-level throughputs are the sum of the shards' own (each over its own window): the
 * merged window is as long as the slowest shard's, and dividing everything by it would
 * understate the load the server carried.
 */
export function mergeShardScenarios(shards: readonly ScenarioResult[]): ScenarioResult {
  if (shards.length === 0) throw new RangeError('mergeShardScenarios needs at least one shard');
  const start = Math.min(...shards.map((s) => s.window.startMs));
  const records: RequestRecord[] = [];
  let end = start;
  for (const s of shards) {
    const delta = start - s.window.startMs;
    for (const r of s.requests) records.push(shifted(r, delta));
    end = Math.max(end, s.window.endMs + delta);
  }
  records.sort((a, b) => a.sentAt - b.sentAt);
  const window = { startMs: start, endMs: end };
  const metrics: ScenarioMetrics = computeScenarioMetrics(records, window);
  metrics.request_throughput_rps = sum(shards.map((s) => s.metrics.request_throughput_rps));
  metrics.output_token_throughput_tps = sum(shards.map((s) => s.metrics.output_token_throughput_tps));
  metrics.total_token_throughput_tps = sum(shards.map((s) => s.metrics.total_token_throughput_tps));
  const goodputs = shards.map((s) => s.metrics.goodput_rps);
  metrics.goodput_rps = goodputs.every((g) => g !== null) ? sum(goodputs as number[]) : null;
  const config = { ...withoutShard(shards[0].config), shards: shards.length };
  const merged: ScenarioResult = { name: shards[0].name, config, window, metrics, requests: records };
  const health = scenarioHealth([...shards], (i) => `${shards[0].name} shard ${shardOf(shards[i])?.index ?? i + 1}`);
  if (health) merged.clientHealth = health;
  return merged;
}

/** Checks that a scenario's parts are exactly the shards 1..N of one split. */
function checkShardSet(name: string, parts: readonly ScenarioResult[]): void {
  const infos = parts.map(shardOf);
  if (parts.length === 1 && (infos[0] === null || infos[0].count === 1)) return;
  if (infos.some((i) => i === null)) {
    throw new InputError(`merge: scenario '${name}' appears in ${parts.length} results files but not all of them are shards (shard: i/N); give each scenario once, or its N shards`);
  }
  const count = (infos[0] as ShardInfo).count;
  if (infos.some((i) => (i as ShardInfo).count !== count)) {
    throw new InputError(`merge: scenario '${name}': shards of different splits (${infos.map((i) => `${i?.index}/${i?.count}`).join(', ')}); run every shard with the same N`);
  }
  const seen = new Set(infos.map((i) => (i as ShardInfo).index));
  if (seen.size !== parts.length) throw new InputError(`merge: scenario '${name}': a shard appears twice (${infos.map((i) => `${i?.index}/${count}`).join(', ')})`);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new InputError(`merge: scenario '${name}': shard ${missing.map((i) => `${i}/${count}`).join(', ')} missing; a merge of part of the load would understate it — check that every matrix job uploaded its results`);
  }
}

/**
 * One results file from many: the shards of a scenario are merged, different scenarios
 * are listed one after another. When the files measured different models, each scenario is
 * named "model/scenario" so a matrix of models stays apart in the one report.
 */
export function mergeResults(parts: readonly RunResult[]): RunResult {
  if (parts.length === 0) throw new InputError('merge: no results files to merge');
  const models = [...new Set(parts.map((p) => p.target.model))];
  const byName = new Map<string, ScenarioResult[]>();
  for (const part of parts) {
    for (const s of part.scenarios) {
      const name = models.length > 1 ? `${part.target.model}/${s.name}` : s.name;
      const list = byName.get(name) ?? [];
      list.push({ ...s, name, requests: s.requests.map((r) => (r.scenario === name ? r : { ...r, scenario: name })) });
      byName.set(name, list);
    }
  }
  const scenarios: ScenarioResult[] = [];
  for (const [name, list] of byName) {
    checkShardSet(name, list);
    const sorted = [...list].sort((a, b) => (shardOf(a)?.index ?? 0) - (shardOf(b)?.index ?? 0));
    scenarios.push(sorted.length === 1 && shardOf(sorted[0]) === null ? sorted[0] : mergeShardScenarios(sorted));
  }
  const first = [...parts].sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
  const health = scenarios.flatMap((s) => (s.clientHealth ? [{ scenario: s.name, health: s.clientHealth }] : []));
  return {
    schemaVersion: 1,
    tool: first.tool,
    startedAt: first.startedAt,
    target: models.length > 1 ? { baseUrl: first.target.baseUrl, model: models.join(', ') } : first.target,
    environment: first.environment,
    clientHealth: health.length > 0 ? mergeClientHealth(health) : first.clientHealth,
    scenarios,
  };
}

/** Per-second figures a round measures over its steady window; pooled as time-weighted means. */
const ROUND_RATES = ['request_throughput_rps', 'output_token_throughput_tps', 'total_token_throughput_tps', 'goodput_rps', 'token_goodput_tps', 'offered_rate_rps', 'achieved_rate_rps'] as const;

/**
 * Sets the pooled rates from the rounds' own: what each round did in its measured window
 * (rate × its duration) summed, over the summed durations. Counting every pooled record
 * instead would add each round's fill and drain, which its window leaves out (2× the real
 * throughput, seen on a 2-round paired run), and the union window would count the gaps
 * between rounds, while the other server ran. A rate some round lacks is left out (null or
 * absent, as the round had it).
 */
function poolRates(pooled: ScenarioMetrics, rounds: readonly ScenarioMetrics[]): void {
  const measuredS = sum(rounds.map((m) => m.duration_s));
  pooled.duration_s = measuredS;
  for (const key of ROUND_RATES) {
    const values = rounds.map((m) => m[key]);
    if (values.some((v) => typeof v !== 'number')) {
      if (key === 'goodput_rps' || key === 'token_goodput_tps') pooled[key] = null;
      else delete pooled[key as 'offered_rate_rps'];
      continue;
    }
    pooled[key] = measuredS > 0 ? sum(rounds.map((m) => (m[key] as number) * m.duration_s)) / measuredS : 0;
  }
}

/**
 * One server's paired rounds pooled: the distributions and counts from all rounds' records
 * (ids get a "@round<r>" suffix so they stay unique), the rates from poolRates.
 */
export function poolRounds(runs: readonly RunResult[]): RunResult {
  if (runs.length === 0) throw new RangeError('poolRounds needs at least one run');
  const names = runs[0].scenarios.map((s) => s.name);
  const scenarios: ScenarioResult[] = [];
  for (const name of names) {
    const rounds = runs.map((r) => r.scenarios.find((s) => s.name === name)).filter((s): s is ScenarioResult => s !== undefined);
    const records = rounds.flatMap((s, r) => s.requests.map((q) => ({ ...q, id: `${q.id}@round${r + 1}` })));
    const window = { startMs: Math.min(...rounds.map((s) => s.window.startMs)), endMs: Math.max(...rounds.map((s) => s.window.endMs)) };
    const metrics = computeScenarioMetrics(records, window);
    poolRates(metrics, rounds.map((s) => s.metrics));
    const pooled: ScenarioResult = { name, config: { ...rounds[0].config, rounds: rounds.length }, window, metrics, requests: records };
    const health = scenarioHealth(rounds, (i) => `${name} round ${i + 1}`);
    if (health) pooled.clientHealth = health;
    scenarios.push(pooled);
  }
  const health = scenarios.flatMap((s) => (s.clientHealth ? [{ scenario: s.name, health: s.clientHealth }] : []));
  return { ...runs[0], clientHealth: health.length > 0 ? mergeClientHealth(health) : runs[0].clientHealth, scenarios };
}
