// The whole pipeline in real time against the simulator: measured timings against the
// simulator's logged send times, and the performance model's response to speed and load.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseConfigText } from '../../src/config/load.js';
import { runConfig } from '../../src/run.js';
import { startSim, type SimServer } from '../../src/sim/server.js';
import type { RunResult } from '../../src/types.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function config(load: string, extra = ''): string {
  return `seed: 3
scenarios:
  - name: s
    workload: { input_tokens: 128, output_tokens: 32 }
    load: ${load}
    body: { ignore_eos: true }
${extra}`;
}

async function run(yaml: string, simOpts: Parameters<typeof startSim>[0]): Promise<RunResult> {
  sim = await startSim({ port: 0, noise: 0, drift: 0, keepSendLog: true, ...simOpts });
  const result = await runConfig(parseConfigText(yaml, 'test'), { baseUrl: sim.url });
  return result;
}

describe('pipeline against the simulator (real time)', () => {
  it('measures TTFT and TPOT within 2 ms of the simulator’s send times', async () => {
    const result = await run(config('{ type: concurrency, concurrency: 4, requests: 24, warmup: 2 }'), { seed: 1 });
    const scenario = result.scenarios[0];
    expect(scenario.requests).toHaveLength(24);
    const log = new Map(sim!.sendLog.map((e) => [e.requestId, e]));
    const ttftErrors: number[] = [];
    const tpotErrors: number[] = [];
    for (const r of scenario.requests) {
      expect(r.status).toBe('ok');
      const sent = log.get(r.id);
      expect(sent, `send log entry for ${r.id}`).toBeDefined();
      // Receive error: when we saw the first/last content chunk minus when the server wrote it.
      ttftErrors.push(r.sentAt + r.ttftMs! - sent!.firstContentAt!);
      const measuredTpot = (r.e2eMs! - r.ttftMs!) / (r.outputTokens! - 1);
      const sentTpot = (sent!.lastContentAt! - sent!.firstContentAt!) / (sent!.outputTokens - 1);
      tpotErrors.push(measuredTpot - sentTpot);
      expect(r.outputTokens).toBe(32);
      expect(r.tokenSource).toBe('usage');
    }
    for (const e of ttftErrors) expect(e).toBeGreaterThanOrEqual(-0.5);
    for (const e of ttftErrors) expect(e).toBeLessThan(2);
    for (const e of tpotErrors) expect(Math.abs(e)).toBeLessThan(2);
    // Warmup requests are not in the records.
    expect(scenario.requests.some((r) => r.id.includes('warmup'))).toBe(false);
  });

  it('reports about twice the median TPOT at --speed 0.5', async () => {
    const load = '{ type: concurrency, concurrency: 2, requests: 10, warmup: 1 }';
    const fast = await run(config(load), { speed: 1 });
    await sim!.close();
    const slow = await run(config(load), { speed: 0.5 });
    const ratio = slow.scenarios[0].metrics.tpot_ms!.p50 / fast.scenarios[0].metrics.tpot_ms!.p50;
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThan(2.1);
  });

  it('p90 TTFT rises with the Poisson rate', async () => {
    const p90s: number[] = [];
    for (const rate of [2, 20, 60]) {
      const r = await run(config(`{ type: poisson, rate: ${rate}, requests: 60, warmup: 1 }`).replace('input_tokens: 128', 'input_tokens: 1024'), { maxBatch: 8 });
      p90s.push(r.scenarios[0].metrics.ttft_ms!.p90);
      await sim!.close();
      sim = undefined;
    }
    expect(p90s[1]).toBeGreaterThan(p90s[0]);
    expect(p90s[2]).toBeGreaterThan(p90s[1]);
  });

  it('writes a results file that validates against docs/results.schema.json', async () => {
    const result = await run(config('{ type: poisson, rate: 20, requests: 20, warmup: 1 }'), {});
    const schema = JSON.parse(readFileSync(new URL('../../docs/results.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const ok = validate(JSON.parse(JSON.stringify(result)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(result.clientHealth.trustworthy).toBe(true);
    const m = result.scenarios[0].metrics;
    expect(m.completed).toBe(20);
    expect(m.failed).toBe(0);
    expect(m.error_rate).toBe(0);
    expect(m.ttft_from_schedule_ms!.p50).toBeGreaterThanOrEqual(m.ttft_ms!.p50);
  });
});
