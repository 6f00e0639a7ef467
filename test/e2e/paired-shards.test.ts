// Paired rounds and matrix shards in real time over HTTP, against the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { gatePaired } from '../../src/gate/paired.js';
import { runPairedConfig } from '../../src/paired/run-config.js';
import { mergeResults } from '../../src/report/merge.js';
import { runConfig } from '../../src/run.js';
import { startSim, type SimServer } from '../../src/sim/server.js';
import type { SendLogEntry } from '../../src/sim/send-log.js';
import type { RunResult } from '../../src/types.js';

function config(shard?: string): string {
  return `seed: 4
${shard ? `shard: "${shard}"\n` : ''}scenarios:
  - name: s
    workload: { input_tokens: { dist: uniform, min: 32, max: 96 }, output_tokens: { dist: uniform, min: 8, max: 24 } }
    load: { type: poisson, rate: 24, requests: 48, warmup: 1 }
    body: { ignore_eos: true }
`;
}

describe('matrix shards against one simulator', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSim({ port: 0, seed: 2, noise: 0, drift: 0, keepSendLog: true });
  });
  afterAll(async () => {
    await sim?.close();
  });

  /** Runs the N shards at once (N runners) and returns their results and what the server saw. */
  async function shardsOf(n: number): Promise<{ parts: RunResult[]; sent: SendLogEntry[] }> {
    const before = sim.sendLog.length;
    const parts = await Promise.all(
      Array.from({ length: n }, (_, i) => runConfig(parseConfigText(config(n === 1 ? undefined : `${i + 1}/${n}`), 'test'), { baseUrl: sim.url })),
    );
    return { parts, sent: sim.sendLog.slice(before).filter((e) => !e.requestId.includes('warmup')) };
  }

  it('1, 2 and 4 shards send exactly the same requests on the same schedule, and merge to the same aggregates', async () => {
    const one = await shardsOf(1);
    const two = await shardsOf(2);
    const four = await shardsOf(4);
    const key = (e: SendLogEntry) => `${e.requestId} ${e.inputTokens} ${e.outputTokens}`;
    const expected = one.sent.map(key).sort();
    expect(expected).toHaveLength(48);
    expect(two.sent.map(key).sort()).toEqual(expected);
    expect(four.sent.map(key).sort()).toEqual(expected);

    // Each shard keeps the unsharded schedule: gaps between its planned send times are the whole run's.
    const planned = new Map(one.parts[0].scenarios[0].requests.map((r) => [r.id, r.scheduledAt as number]));
    for (const { parts } of [two, four]) {
      for (const part of parts) {
        const rs = part.scenarios[0].requests;
        expect(part.scenarios[0].config.shard).toMatchObject({ count: parts.length });
        for (const r of rs.slice(1)) {
          expect((r.scheduledAt as number) - (rs[0].scheduledAt as number)).toBeCloseTo(planned.get(r.id)! - planned.get(rs[0].id)!, 6);
        }
      }
    }

    const whole = one.parts[0].scenarios[0].metrics;
    for (const { parts } of [two, four]) {
      const merged = mergeResults(parts).scenarios[0];
      expect(merged.requests).toHaveLength(48);
      expect(merged.metrics.total_output_tokens).toBe(whole.total_output_tokens);
      expect(merged.metrics.tpot_ms!.p50 / whole.tpot_ms!.p50).toBeGreaterThan(0.85);
      expect(merged.metrics.tpot_ms!.p50 / whole.tpot_ms!.p50).toBeLessThan(1.15);
      expect(merged.metrics.ttft_ms!.p50 / whole.ttft_ms!.p50).toBeGreaterThan(0.6);
      expect(merged.metrics.ttft_ms!.p50 / whole.ttft_ms!.p50).toBeLessThan(1.6);
      // The same requests over (nearly) the same span: the summed throughput is the whole run's, within noise.
      expect(merged.metrics.output_token_throughput_tps / whole.output_token_throughput_tps).toBeGreaterThan(0.8);
      expect(merged.metrics.output_token_throughput_tps / whole.output_token_throughput_tps).toBeLessThan(1.3);
    }
  });
});

describe('paired rounds over HTTP', () => {
  const sims: SimServer[] = [];
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.close()));
  });

  async function job(candidateDecode: number): Promise<ReturnType<typeof gatePaired>> {
    // Both servers of a job run on one machine: the same speed factor, whatever it is.
    const speed = 0.9;
    const a = await startSim({ port: 0, seed: 5, speed });
    const b = await startSim({ port: 0, seed: 6, speed, decodeBaseMs: 12 * candidateDecode, decodePerSeqMs: 0.25 * candidateDecode });
    sims.push(a, b);
    const c = parseConfigText(config(), 'test');
    const log: string[] = [];
    const paired = await runPairedConfig(c, { baseUrl: b.url, baselineUrl: `${a.url}/v1`, rounds: 4, log: (l) => log.push(l) });
    expect(log.filter((l) => l.startsWith('paired round'))).toEqual([
      'paired round 1/4: baseline server',
      'paired round 1/4: candidate server',
      'paired round 2/4: baseline server',
      'paired round 2/4: candidate server',
      'paired round 3/4: baseline server',
      'paired round 3/4: candidate server',
      'paired round 4/4: baseline server',
      'paired round 4/4: candidate server',
    ]);
    expect(paired.rounds).toHaveLength(4);
    expect(paired.candidate.scenarios[0].requests).toHaveLength(4 * 48);
    return gatePaired(paired.rounds, paired.candidate, { thresholds: { 'ttft_ms.p50': 'off', 'ttft_ms.p90': 'off' } });
  }

  it('A/A passes and a 15 % slower decode step is a TPOT regression', { timeout: 180_000 }, async () => {
    const same = await job(1);
    expect(same.verdict).not.toBe('regression');
    const slower = await job(1.15);
    const summary = slower.comparisons.map((x) => `${x.metric}.${x.statistic} ${x.verdict} ${x.change} ${x.interval}`).join('\n');
    expect(slower.verdict, summary).toBe('regression');
    expect(slower.comparisons.find((x) => x.metric === 'tpot_ms')!.verdict).toBe('regression');
  });
});
