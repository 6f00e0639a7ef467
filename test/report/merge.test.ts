import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { mergeCommand } from '../../src/report/merge-command.js';
import { formatRunResult } from '../../src/report/results-file.js';
import { virtualRun } from '../../bench/gate-virtual-runs.js';
import { InputError } from '../../src/errors.js';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import { mergeResults, mergeShardScenarios, poolRounds, shardOf } from '../../src/report/merge.js';
import type { RunResult, ScenarioResult } from '../../src/types.js';

const scenario = { name: 'chat', rate: 4, requests: 120, warmup: 2, inputTokens: 128, outputTokens: 32, seed: 9 };

/** One whole virtual run, and its N shards as N runners would have recorded them: request j in shard j mod N, each runner's clock starting elsewhere. */
function whole(): RunResult {
  return virtualRun({ speed: 1, drift: 0, start: 1, scenario });
}

function shardsOf(run: RunResult, n: number): RunResult[] {
  const s = run.scenarios[0];
  return Array.from({ length: n }, (_, i) => {
    const delta = 7_000 * i + 123.25; // runners start seconds apart
    const requests = s.requests.filter((_, j) => j % n === i).map((r) => ({ ...r, sentAt: r.sentAt + delta, scheduledAt: (r.scheduledAt as number) + delta }));
    const window = { startMs: Math.min(...requests.map((r) => r.sentAt)), endMs: Math.max(...requests.map((r) => r.sentAt + (r.e2eMs ?? 0))) };
    const shard: ScenarioResult = { name: s.name, config: { ...s.config, shard: { index: i + 1, count: n } }, window, metrics: computeScenarioMetrics(requests, window), requests };
    return { ...run, startedAt: new Date(Date.parse(run.startedAt) + delta).toISOString(), scenarios: [shard] };
  });
}

describe('mergeResults: matrix shards', () => {
  for (const n of [2, 4]) {
    it(`${n} shards merge back into the unsharded run's records, distributions and throughput`, () => {
      const run = whole();
      const merged = mergeResults(shardsOf(run, n).reverse());
      const m = merged.scenarios[0];
      const w = run.scenarios[0];
      expect(merged.scenarios).toHaveLength(1);
      expect(new Set(m.requests.map((r) => r.id))).toEqual(new Set(w.requests.map((r) => r.id)));
      expect(m.requests).toHaveLength(w.requests.length);
      // Aligned: the shards' windows start together; shard 1 holds the first request, so its times from the start match.
      const byId = new Map(w.requests.map((r) => [r.id, r]));
      const shard1Ids = new Set(w.requests.filter((_, j) => j % n === 0).map((r) => r.id));
      for (const r of m.requests) {
        if (shard1Ids.has(r.id)) expect(r.sentAt - m.window.startMs).toBeCloseTo(byId.get(r.id)!.sentAt - w.window.startMs, 6);
      }
      for (const key of ['ttft_ms', 'tpot_ms', 'itl_ms', 'e2e_ms'] as const) expect(m.metrics[key]).toEqual(w.metrics[key]);
      expect(m.metrics.completed).toBe(w.metrics.completed);
      expect(m.metrics.total_output_tokens).toBe(w.metrics.total_output_tokens);
      // Throughput summed over the shards' own windows: within a few % of the whole run's.
      expect(m.metrics.output_token_throughput_tps / w.metrics.output_token_throughput_tps).toBeGreaterThan(0.95);
      expect(m.metrics.output_token_throughput_tps / w.metrics.output_token_throughput_tps).toBeLessThan(1.12);
      expect(m.config).toEqual({ ...w.config, shards: n });
      expect(shardOf(m)).toBeNull();
      expect(merged.startedAt).toBe(shardsOf(run, n)[0].startedAt); // the earliest shard's
    });
  }

  it('sums the shards own throughputs', () => {
    const parts = shardsOf(whole(), 2).map((p) => p.scenarios[0]);
    const m = mergeShardScenarios(parts);
    expect(m.metrics.request_throughput_rps).toBe(parts[0].metrics.request_throughput_rps + parts[1].metrics.request_throughput_rps);
    expect(m.metrics.output_token_throughput_tps).toBe(parts[0].metrics.output_token_throughput_tps + parts[1].metrics.output_token_throughput_tps);
    expect(m.window.startMs).toBe(Math.min(parts[0].window.startMs, parts[1].window.startMs));
  });

  it('refuses an incomplete, duplicated or mixed set of shards with one line', () => {
    const four = shardsOf(whole(), 4);
    expect(() => mergeResults([four[0], four[2], four[3]])).toThrow(
      new InputError("merge: scenario 'chat': shard 2/4 missing; a merge of part of the load would understate it — check that every matrix job uploaded its results"),
    );
    expect(() => mergeResults([four[0], four[0], four[1], four[2]])).toThrow("merge: scenario 'chat': a shard appears twice (1/4, 1/4, 2/4, 3/4)");
    expect(() => mergeResults([whole(), four[0]])).toThrow(/not all of them are shards/);
    const two = shardsOf(whole(), 2);
    expect(() => mergeResults([two[0], four[1]])).toThrow("merge: scenario 'chat': shards of different splits (1/2, 2/4); run every shard with the same N");
    expect(() => mergeResults([])).toThrow('merge: no results files to merge');
  });
});

describe('mergeResults: a matrix of scenarios or models', () => {
  it('lists different scenarios one after another', () => {
    const a = whole();
    const b = { ...whole(), scenarios: whole().scenarios.map((s) => ({ ...s, name: 'long' })) };
    const merged = mergeResults([a, b]);
    expect(merged.scenarios.map((s) => s.name)).toEqual(['chat', 'long']);
    expect(merged.scenarios[1].metrics).toEqual(b.scenarios[0].metrics);
    expect(merged.scenarios[1].requests.every((r) => r.scenario === 'long')).toBe(true);
  });

  it('names scenarios model/scenario when the files measured different models', () => {
    const a = whole();
    const b = { ...whole(), target: { ...a.target, model: 'other-model' } };
    const merged = mergeResults([a, b]);
    expect(merged.scenarios.map((s) => s.name)).toEqual(['sim-model/chat', 'other-model/chat']);
    expect(merged.scenarios[1].requests.every((r) => r.scenario === 'other-model/chat')).toBe(true);
    expect(merged.target.model).toBe('sim-model, other-model');
  });
});

describe('poolRounds', () => {
  it('pools one server’s rounds: unique ids, distributions from all records, rates over the measured time only', () => {
    // Each round's steady window leaves out its first and last 3 s (fill and drain), as the
    // pipeline's does, so in-window counts differ from all records.
    const steady = (run: RunResult): RunResult => {
      const s = run.scenarios[0];
      const window = { startMs: s.window.startMs + 3000, endMs: s.window.endMs - 3000 };
      return { ...run, scenarios: [{ ...s, window, metrics: computeScenarioMetrics(s.requests, window) }] };
    };
    const r1 = steady(virtualRun({ speed: 1, drift: 0, start: 1, scenario }));
    const r2 = steady(virtualRun({ speed: 1, drift: 0, start: 2, scenario }));
    const pooled = poolRounds([r1, r2]);
    const s = pooled.scenarios[0];
    expect(s.requests).toHaveLength(240);
    expect(new Set(s.requests.map((r) => r.id)).size).toBe(240);
    expect(s.requests[0].id).toBe(`${r1.scenarios[0].requests[0].id}@round1`);
    const d1 = r1.scenarios[0].metrics.duration_s;
    const d2 = r2.scenarios[0].metrics.duration_s;
    expect(s.metrics.duration_s).toBeCloseTo(d1 + d2, 9);
    const m1 = r1.scenarios[0].metrics;
    const m2 = r2.scenarios[0].metrics;
    expect(s.metrics.request_throughput_rps).toBeCloseTo((m1.request_throughput_rps * d1 + m2.request_throughput_rps * d2) / (d1 + d2), 9);
    expect(s.metrics.output_token_throughput_tps).toBeCloseTo((m1.output_token_throughput_tps * d1 + m2.output_token_throughput_tps * d2) / (d1 + d2), 9);
    // Two rounds of the same load run at the rate of one, not twice it (fill and drain are
    // outside each round's window, so counting every record over the windows overstates it).
    expect(s.metrics.request_throughput_rps / m1.request_throughput_rps).toBeGreaterThan(0.9);
    expect(s.metrics.request_throughput_rps / m1.request_throughput_rps).toBeLessThan(1.1);
    expect(s.metrics.achieved_rate_rps! / m1.achieved_rate_rps!).toBeCloseTo(1, 1);
    expect(s.metrics.completed).toBe(240);
    expect(s.metrics.tpot_ms!.count).toBe(r1.scenarios[0].metrics.tpot_ms!.count + r2.scenarios[0].metrics.tpot_ms!.count);
  });
});

describe('llm-perf-gate merge', () => {
  it('merges the shards found under folders (as download-artifact lays them out) into one results file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpg-merge-'));
    const parts = shardsOf(whole(), 2);
    parts.forEach((p, i) => {
      mkdirSync(join(dir, 'shards', `llm-perf-gate-part-default-${i + 1}-of-2`), { recursive: true });
      writeFileSync(join(dir, 'shards', `llm-perf-gate-part-default-${i + 1}-of-2`, 'results.json'), formatRunResult(p));
    });
    const out: string[] = [];
    const err: string[] = [];
    const code = await mergeCommand(['--out', join(dir, 'merged.json'), join(dir, 'shards')], { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(code).toBe(0);
    expect(err.join('')).toBe(`merged 2 results files into ${join(dir, 'merged.json')}\n`);
    const merged = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8'));
    expect(merged.scenarios[0].requests).toHaveLength(120);
    expect(out.join('')).toContain('chat');
  });

  it('exits 2 with one line when a shard is missing or a folder is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpg-merge-'));
    writeFileSync(join(dir, 'one.json'), formatRunResult(shardsOf(whole(), 2)[1]));
    mkdirSync(join(dir, 'empty'));
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((t: string) => (stderr.push(t), true)) as typeof process.stderr.write;
    try {
      expect(await main(['merge', '--out', join(dir, 'm.json'), join(dir, 'one.json')])).toBe(2);
      expect(await main(['merge', '--out', join(dir, 'm.json'), join(dir, 'empty')])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr).toEqual([
      "llm-perf-gate merge: merge: scenario 'chat': shard 1/2 missing; a merge of part of the load would understate it — check that every matrix job uploaded its results\n",
      `llm-perf-gate merge: ${join(dir, 'empty')}: no results files (*.json) in this folder; did the shard jobs upload theirs?\n`,
    ]);
  });
});
