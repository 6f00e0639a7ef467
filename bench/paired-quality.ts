// The paired gate's verdict quality under strong environment noise, reproducible with:
//   npx tsx bench/paired-quality.ts [--jobs 100] [--rounds 6] [--json OUT.json]
// Each job is one CI job of k paired rounds (bench/paired-virtual.ts): a 10 % machine
// factor shared by both servers, a slow 4 % wander of the speed, 3 % per-step jitter. It
// counts the overall verdicts of gatePaired with the default paired thresholds for A/A
// (both servers the same) and A/B (the candidate's decode steps 5 % slower). For contrast
// it also gates round 1 of each job against round 1 of the next job's baseline server with
// the stored-baseline gate (another runner's machine factor): what paired mode avoids.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gateRun } from '../src/gate/gate.js';
import { gatePaired } from '../src/gate/paired.js';
import type { PairedRound } from '../src/gate/paired.js';
import type { GateDecision } from '../src/gate/types.js';
import { poolRounds } from '../src/report/merge.js';
import { PAIRED_VIRTUAL_SCENARIO, pairedVirtualJob, STRONG_NOISE } from './paired-virtual.js';

export interface Tally {
  setting: string;
  jobs: number;
  verdicts: Record<string, number>;
  /** Per metric.statistic: how often each verdict came up. */
  perComparison: Record<string, Record<string, number>>;
  /** Per metric.statistic: the mean and sd of the estimated change over jobs. */
  change: Record<string, { mean: number; sd: number }>;
}

function newTally(setting: string): Tally & { changes: Record<string, number[]> } {
  return { setting, jobs: 0, verdicts: {}, perComparison: {}, change: {}, changes: {} };
}

function count(t: ReturnType<typeof newTally>, d: GateDecision): void {
  t.jobs++;
  t.verdicts[d.verdict] = (t.verdicts[d.verdict] ?? 0) + 1;
  for (const c of d.comparisons) {
    const key = c.statistic === 'value' ? c.metric : `${c.metric}.${c.statistic}`;
    const row = (t.perComparison[key] ??= {});
    row[c.verdict] = (row[c.verdict] ?? 0) + 1;
    if (c.change !== null) (t.changes[key] ??= []).push(c.change);
  }
}

function finish(t: ReturnType<typeof newTally>): Tally {
  for (const [k, xs] of Object.entries(t.changes)) {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    t.change[k] = { mean, sd };
  }
  const { changes: _changes, ...rest } = t;
  return rest;
}

export async function pairedQuality(jobs: number, rounds: number, firstJob = 1): Promise<Tally[]> {
  const aa = newTally('A/A paired');
  const ab = newTally('A/B paired, decode 5 % slower');
  const unpaired = newTally('A/A unpaired: round 1 against the next job (another machine)');
  let previous: PairedRound[] | undefined;
  for (let j = 0; j < jobs; j++) {
    const job = firstJob + j;
    const same = await pairedVirtualJob({ job, rounds, noise: STRONG_NOISE, candidateDecodeFactor: 1 });
    count(aa, gatePaired(same, poolRounds(same.map((r) => r.candidate))));
    const slower = await pairedVirtualJob({ job: job + 1_000_000, rounds, noise: STRONG_NOISE, candidateDecodeFactor: 1.05 });
    count(ab, gatePaired(slower, poolRounds(slower.map((r) => r.candidate))));
    if (previous) count(unpaired, gateRun(same[0].candidate, [previous[0].baseline]));
    previous = same;
  }
  return [finish(aa), finish(ab), finish(unpaired)];
}

function pct(n: number | undefined, d: number): string {
  return `${((100 * (n ?? 0)) / d).toFixed(1)} %`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { jobs: { type: 'string', default: '100' }, rounds: { type: 'string', default: '6' }, json: { type: 'string' } } });
  const jobs = Number(values.jobs);
  const rounds = Number(values.rounds);
  const s = PAIRED_VIRTUAL_SCENARIO;
  console.log(`round: Poisson ${s.rate}/s, ${s.requests} measured requests (+${s.warmup} warmup), ${s.inputTokens}/${s.outputTokens} tokens; ${rounds} rounds per job`);
  console.log(`noise: machine factor sd ${STRONG_NOISE.machine}, wander ±${STRONG_NOISE.wanderAmplitude} over ${STRONG_NOISE.wanderPeriodS} s, jitter 3 %; ${jobs} jobs per setting\n`);
  const t0 = performance.now();
  const tallies = await pairedQuality(jobs, rounds);
  for (const t of tallies) {
    console.log(`${t.setting}: regression ${pct(t.verdicts.regression, t.jobs)}   verdicts ${JSON.stringify(t.verdicts)}`);
    for (const [k, row] of Object.entries(t.perComparison)) {
      const ch = t.change[k];
      console.log(`    ${k.padEnd(30)} ${JSON.stringify(row)}  change ${(100 * (ch?.mean ?? 0)).toFixed(2)} % ± ${(100 * (ch?.sd ?? 0)).toFixed(2)} %`);
    }
  }
  console.log(`\n${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ jobs, rounds, noise: STRONG_NOISE, scenario: s, tallies }, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
