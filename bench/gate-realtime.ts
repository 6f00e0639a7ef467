// The gate's real-time check over HTTP: A/A and A/B pairs of one Poisson scenario (4 req/s,
// 256 → 128 tokens; the default scenario until the default became a closed loop) against
// the HTTP simulator, through the real client, each run on a fresh simulator start with
// 2 % speed drift. About a minute per run at 200 requests, so 10 + 10 pairs take about
// 40 minutes:
//   npx tsx bench/gate-realtime.ts [--pairs 10] [--speed 0.85] [--requests 200]
import { parseArgs } from 'node:util';
import { parseConfigText } from '../src/config/load.js';
import { gateRun } from '../src/gate/gate.js';
import { runConfig } from '../src/run.js';
import { startSim } from '../src/sim/server.js';
import type { RunResult } from '../src/types.js';

/** The scenario the figures in docs/statistics.md were measured with. */
const BENCH_CONFIG_YAML = `scenarios:
  - name: chat
    api: chat
    workload: { input_tokens: 256, output_tokens: 128 }
    load: { type: poisson, rate: 4, requests: 200, warmup: 4 }
`;

async function runOn(speed: number, start: number, requests: number): Promise<RunResult> {
  const sim = await startSim({ port: 0, speed, drift: 0.02, driftSeed: 1_000_003 * start + 17, seed: 7_919 * start + 3 });
  try {
    const config = parseConfigText(BENCH_CONFIG_YAML, 'bench config');
    for (const s of config.scenarios) s.load.requests = requests;
    return await runConfig(config, { baseUrl: sim.url });
  } finally {
    await sim.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { pairs: { type: 'string', default: '10' }, speed: { type: 'string', default: '0.85' }, requests: { type: 'string', default: '200' } } });
  const pairs = Number(values.pairs);
  const requests = Number(values.requests);
  let start = 5_000_000;
  for (const [label, speed] of [['A/A', 1], ['A/B', Number(values.speed)]] as const) {
    const counts: Record<string, number> = {};
    for (let i = 0; i < pairs; i++) {
      const baseline = await runOn(1, start++, requests);
      const current = await runOn(speed, start++, requests);
      const d = gateRun(current, [baseline]);
      counts[d.verdict] = (counts[d.verdict] ?? 0) + 1;
      const tpot = d.comparisons.find((c) => c.metric === 'tpot_ms');
      console.log(`${label} pair ${i + 1}: ${d.verdict} (tpot p50 ${tpot?.change === null || tpot === undefined ? '—' : (100 * (tpot.change as number)).toFixed(1) + ' %'})`);
    }
    console.log(`${label} at speed ${speed}: ${JSON.stringify(counts)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
