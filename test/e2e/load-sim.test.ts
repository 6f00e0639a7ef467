// Load patterns, sweeps and SLO search end to end against the simulator (real time).
//
// The simulator here is configured so that its capacity is exact (docs/load.md, "The
// simulator's capacity"): prefill costs nothing (prefillBaseMs = prefillMsPerToken = 0),
// every step costs decodeBaseMs = 12.5 ms whatever the batch (decodePerSeqMs = 0), no
// noise. A request of 16 output tokens then holds one of maxBatch = 8 slots for exactly 16
// steps (its prefill step yields the first token), so the server completes at most
// 8 / (16 × 12.5 ms) = 40 requests/s. Below that an arrival waits at most one step for
// admission (TTFT ≤ 25 ms); above it the queue, and TTFT, grow without bound.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseConfigText } from '../../src/config/load.js';
import { gateRun } from '../../src/gate/gate.js';
import { sweepChartMarkdown } from '../../src/report/sweep-chart.js';
import { stepInfoOf } from '../../src/load/steps.js';
import type { SloSearchOutcome } from '../../src/load/slo-search.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { renderResultsTable } from '../../src/report/results-table.js';
import { runConfig } from '../../src/run.js';
import { startSim, type SimServer } from '../../src/sim/server.js';

const EXACT_SIM = { maxBatch: 8, prefillBaseMs: 0, prefillMsPerToken: 0, decodeBaseMs: 12.5, decodePerSeqMs: 0, noise: 0, drift: 0 };
const EXACT_SIM_FLAGS = ['--max-batch', '8', '--prefill-base-ms', '0', '--prefill-ms-per-token', '0', '--decode-base-ms', '12.5', '--decode-per-seq-ms', '0', '--noise', '0'];
const OUTPUT_TOKENS = 16;
/** maxBatch × 1000 / (output tokens × decodeBaseMs). */
const SIM_CAPACITY_RPS = (EXACT_SIM.maxBatch * 1000) / (OUTPUT_TOKENS * EXACT_SIM.decodeBaseMs);

let sim: SimServer | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  child?.kill();
  child = undefined;
});

/**
 * The simulator in a process of its own (as a real server is): its steps and the client's
 * schedule do not share one event loop. Resolves with its URL once it listens.
 */
async function startSimProcess(flags: string[]): Promise<string> {
  const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
  child = spawn(process.execPath, ['--import', 'tsx', cli, 'sim', '--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  const proc = child;
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`the simulator exited (${code})`)));
    proc.stdout!.on('data', (d: Buffer) => {
      const m = /listening on (\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
  });
}

function yaml(scenario: string, extra = ''): string {
  return `seed: 5
max_duration_s: 120
${extra}scenarios:
  - name: chat
    workload: { input_tokens: 8, output_tokens: ${OUTPUT_TOKENS} }
    body: { ignore_eos: true }
${scenario}`;
}

describe('load patterns against the simulator', () => {
  it('holds a constant 200 req/s with schedule slip p99 under 2 ms', async (ctx) => {
    const url = await startSimProcess(['--noise', '0']);
    // Two output tokens keep the simulator cheap; the client runs on this thread (workers: 0).
    const text = yaml('    load: { type: constant, rate: 200, requests: 600, warmup: 2 }\n', 'client: { workers: 0 }\n').replace(`output_tokens: ${OUTPUT_TOKENS}`, 'output_tokens: 2');
    const config = parseConfigText(text, 'test');
    // A shared machine can take the CPU away for tens of ms, so the best of three runs must
    // hold the bound. On a machine loaded beyond 1.5 runnable tasks per core the 2 ms claim
    // cannot be measured; then the run must at least not pass itself off as trustworthy.
    const p99s: number[] = [];
    for (let attempt = 0; attempt < 3 && !(p99s.length > 0 && Math.min(...p99s) < 2); attempt++) {
      const result = await runConfig(config, { baseUrl: url });
      const s = result.scenarios[0];
      expect(s.metrics.completed).toBe(600);
      expect(s.metrics.offered_rate_rps).toBeCloseTo(200, 6);
      const slip = s.clientHealth!.scheduleSlipMs;
      if (slip.p99 > 10) expect(result.clientHealth.trustworthy).toBe(false);
      else expect(Math.abs(s.metrics.achieved_rate_rps! - 200) / 200).toBeLessThan(0.01);
      p99s.push(slip.p99);
      console.log(`200 req/s: slip p50 ${slip.p50.toFixed(3)} p99 ${slip.p99.toFixed(3)} max ${slip.max.toFixed(3)} ms (load average ${loadavg()[0].toFixed(1)})`);
    }
    const overloaded = loadavg()[0] > 1.5 * availableParallelism();
    if (overloaded && Math.min(...p99s) >= 2) {
      // Reported as skipped, not passed: the claim was not checked on this run.
      ctx.skip(`machine overloaded (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores): the 2 ms bound was not measurable`);
    }
    expect(Math.min(...p99s)).toBeLessThan(2);
  }, 40_000);

  it('a rate sweep shows latency rising and throughput saturating at the capacity', async () => {
    const url = await startSimProcess(EXACT_SIM_FLAGS);
    const config = parseConfigText(yaml('    load: { type: constant, duration_s: 1.5, warmup: 2 }\n    sweep: { values: [10, 20, 60, 90] }\n', 'slo: { ttft_ms: 100 }\n'), 'test');
    const result = await runConfig(config, { baseUrl: url });
    expect(result.scenarios.map((s) => s.name)).toEqual(['chat@rate=10', 'chat@rate=20', 'chat@rate=60', 'chat@rate=90']);
    const thr = result.scenarios.map((s) => s.metrics.request_throughput_rps);
    const p90 = result.scenarios.map((s) => s.metrics.ttft_ms!.p90);
    const good = result.scenarios.map((s) => s.metrics.goodput_rps!);
    console.log('sweep throughput', thr.map((x) => x.toFixed(1)).join(' '), 'ttft p90', p90.map((x) => x.toFixed(0)).join(' '), 'goodput', good.map((x) => x.toFixed(1)).join(' '));
    // Below the capacity the server keeps up with the offered rate...
    expect(Math.abs(thr[0] - 10) / 10).toBeLessThan(0.1);
    expect(Math.abs(thr[1] - 20) / 20).toBeLessThan(0.1);
    // ...above it throughput flattens at 40 req/s while the offered rate grows by half (a
    // short step overshoots a little: the first batch of 8 completes together at its start),
    for (const t of thr.slice(2)) expect(Math.abs(t - SIM_CAPACITY_RPS) / SIM_CAPACITY_RPS).toBeLessThan(0.15);
    expect(thr[3] / thr[2]).toBeLessThan(1.15);
    // and latency rises with every step past the capacity.
    // Model: TTFT ≤ 25 ms below capacity (plus what a busy machine adds).
    expect(Math.max(p90[0], p90[1])).toBeLessThan(60);
    expect(p90[2]).toBeGreaterThan(3 * Math.max(p90[0], p90[1]));
    expect(p90[3]).toBeGreaterThan(p90[2]);
    expect(good[3]).toBeLessThan(good[1]);
    const md = sweepChartMarkdown(result.scenarios);
    expect(md).toContain('#### Sweep: chat');
    expect(md).toContain('["10", "20", "60", "90"]');
  }, 40_000);

  it(`SLO search finds the simulator's capacity (${SIM_CAPACITY_RPS} req/s) within its tolerance, in bounded time`, async () => {
    const url = await startSimProcess(EXACT_SIM_FLAGS);
    const search = '    slo_search: { attainment: 0.95, slo: { ttft_ms: 100 }, start: 25, tolerance: 0.05, max_duration_s: 40 }\n';
    const config = parseConfigText(yaml(`    load: { type: constant, requests: 80, warmup: 2 }\n${search}`), 'test');
    const started = performance.now();
    const result = await runConfig(config, { baseUrl: url });
    const elapsedS = (performance.now() - started) / 1000;
    const [summary, ...steps] = result.scenarios;
    const outcome = summary.config.capacity as SloSearchOutcome;
    console.log(
      `SLO search: capacity ${summary.metrics.capacity_rps} req/s, bracket ${JSON.stringify(outcome.bracket)}, ${steps.length} steps in ${elapsedS.toFixed(1)} s:`,
      outcome.probes.map((p) => `${p.value.toFixed(2)}${p.meetsSlo ? '✓' : '✗'}`).join(' '),
    );
    expect(outcome.stopped).toBe('converged');
    const capacity = summary.metrics.capacity_rps!;
    expect(Math.abs(capacity - SIM_CAPACITY_RPS) / SIM_CAPACITY_RPS).toBeLessThanOrEqual(0.05);
    expect(outcome.bracket.failing! - outcome.bracket.passing!).toBeLessThanOrEqual(0.05 * outcome.bracket.passing!);
    expect(elapsedS).toBeLessThan(45);
    expect(steps.every((s) => stepInfoOf(s)?.kind === 'slo_search')).toBe(true);
    // Capacity is a run-level metric the gate can compare (and the results file validates).
    const schema = JSON.parse(readFileSync(new URL('../../docs/results.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(JSON.parse(JSON.stringify(result)))).toBe(true);
  }, 60_000);

  it('flags a run whose client is starved (event loop blocked) as untrustworthy in the results and the report', async () => {
    sim = await startSim({ port: 0, noise: 0, drift: 0 });
    const config = parseConfigText(yaml('    load: { type: constant, rate: 50, requests: 60, warmup: 1 }\n'), 'test');
    // The test hook: every 50 ms, block the main thread (client and in-process server) for 30 ms.
    const busy = setInterval(() => {
      const until = performance.now() + 30;
      while (performance.now() < until) {
        /* spin */
      }
    }, 50);
    let result;
    try {
      result = await runConfig(config, { baseUrl: sim.url });
    } finally {
      clearInterval(busy);
    }
    expect(result.clientHealth.trustworthy).toBe(false);
    expect(result.clientHealth.reasons.join('\n')).toMatch(/event-loop delay p99 [\d.]+ ms > 20 ms/);
    expect(result.clientHealth.reasons.join('\n')).toMatch(/schedule slip p99 [\d.]+ ms > 10 ms/);
    expect(result.scenarios[0].clientHealth!.trustworthy).toBe(false);
    // In the results file...
    const schema = JSON.parse(readFileSync(new URL('../../docs/results.schema.json', import.meta.url), 'utf8'));
    expect(new Ajv2020({ strict: false }).compile(schema)(JSON.parse(JSON.stringify(result)))).toBe(true);
    expect(JSON.parse(JSON.stringify(result)).clientHealth.trustworthy).toBe(false);
    // ...the text table and the markdown report.
    expect(renderResultsTable(result)).toMatch(/NOT trustworthy: chat: schedule slip p99/);
    const md = renderMarkdownReport(gateRun(result, []), result, []);
    expect(md).toMatch(/not trustworthy/);
  }, 30_000);
});
