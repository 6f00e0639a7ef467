// The paired gate in real time over HTTP, through the real client and runner:
//   npx tsx bench/paired-realtime.ts [--jobs 10] [--rounds 6] [--requests 64] [--rate 16] [--speed 1]
// Each job starts two HTTP simulators with the same machine factor (1 + 0.10·z, z from the
// job's own seed: one runner, both servers), runs runPairedConfig (A B A B …) and gates the
// rounds with the default paired thresholds. A/A jobs serve the same model; A/B jobs give
// the candidate 5 % slower decode steps. The machine's own noise (two shared cores, other
// processes) is the within-job wander here. Targets (issue 8): A/A ≤ 1 regression of 10,
// A/B ≥ 9 of 10.
import { parseArgs } from 'node:util';
import { parseConfigText } from '../src/config/load.js';
import { gatePaired } from '../src/gate/paired.js';
import { runPairedConfig } from '../src/paired/run-config.js';
import { DEFAULT_ENGINE_PARAMS, driftFactor } from '../src/sim/engine.js';
import { startSim } from '../src/sim/server.js';

function config(requests: number, rate: number): string {
  return `seed: 1
scenarios:
  - name: chat
    workload: { input_tokens: 256, output_tokens: 64 }
    load: { type: poisson, rate: ${rate}, requests: ${requests}, warmup: 4 }
    body: { ignore_eos: true }
`;
}

async function job(index: number, decodeFactor: number, rounds: number, yaml: string, baseSpeed: number): Promise<{ verdict: string; tpot: string; seconds: number }> {
  const t0 = performance.now();
  const speed = baseSpeed * driftFactor(0.1, 2_147_483 * index + 11);
  const a = await startSim({ port: 0, seed: 2 * index, speed });
  const b = await startSim({
    port: 0,
    seed: 2 * index + 1,
    speed,
    decodeBaseMs: DEFAULT_ENGINE_PARAMS.decodeBaseMs * decodeFactor,
    decodePerSeqMs: DEFAULT_ENGINE_PARAMS.decodePerSeqMs * decodeFactor,
  });
  try {
    const paired = await runPairedConfig(parseConfigText(yaml, 'bench'), { baseUrl: b.url, baselineUrl: a.url, rounds });
    const d = gatePaired(paired.rounds, paired.candidate);
    const tpot = d.comparisons.find((c) => c.metric === 'tpot_ms');
    const regressed = d.comparisons.filter((c) => c.verdict === 'regression').map((c) => (c.statistic === 'value' ? c.metric : `${c.metric}.${c.statistic}`));
    const tpotText = `${tpot?.verdict} ${((tpot?.change ?? 0) * 100).toFixed(2)} %${regressed.length ? `; regressed: ${regressed.join(', ')}` : ''}`;
    return { verdict: d.verdict, tpot: tpotText, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { jobs: { type: 'string', default: '10' }, rounds: { type: 'string', default: '6' }, requests: { type: 'string', default: '64' }, rate: { type: 'string', default: '16' }, speed: { type: 'string', default: '1' } },
  });
  const jobs = Number(values.jobs);
  const rounds = Number(values.rounds);
  const yaml = config(Number(values.requests), Number(values.rate));
  console.log(`${jobs} A/A and ${jobs} A/B jobs (decode 5 % slower), ${rounds} rounds of ${values.requests} requests at ${values.rate}/s, base speed ${values.speed}, machine factor sd 0.10`);
  const counts: Record<string, Record<string, number>> = { 'A/A': {}, 'A/B': {} };
  for (let j = 1; j <= jobs; j++) {
    for (const [name, factor] of [['A/A', 1], ['A/B', 1.05]] as const) {
      const r = await job(j + (factor === 1 ? 0 : 10_000), factor, rounds, yaml, Number(values.speed));
      counts[name][r.verdict] = (counts[name][r.verdict] ?? 0) + 1;
      console.log(`job ${j} ${name}: ${r.verdict} (TPOT p50 ${r.tpot}) ${r.seconds.toFixed(0)} s`);
    }
  }
  console.log(`A/A: ${JSON.stringify(counts['A/A'])}   A/B: ${JSON.stringify(counts['A/B'])}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
