// Paired A/B rounds: the baseline server (A) and the candidate (B) measured in the same job,
// alternating A B A B … for k rounds. Each run is one callback call, so the same loop drives
// real HTTP runs (run-config.ts) and virtual-time runs (bench/paired-quality.ts, tests).
// The callback runs the same seeded workload every time; warmup is part of each run.
import type { PairedRound } from '../gate/paired.js';
import type { RunResult } from '../types.js';

export type PairedSide = 'baseline' | 'candidate';

/** One whole run of the config against `baseUrl`; `roundIndex` counts from 0. */
export type RunOnce = (baseUrl: string, roundIndex: number, side: PairedSide) => Promise<RunResult>;

export interface PairedPlan {
  baselineUrl: string;
  candidateUrl: string;
  rounds: number;
}

export interface PairedProgress {
  round: number;
  side: PairedSide;
  result: RunResult;
}

/** Runs the rounds in order A₁ B₁ A₂ B₂ …; one run at a time, so the servers never compete for the machine. */
export async function runPairedRounds(plan: PairedPlan, runOnce: RunOnce, onRun?: (p: PairedProgress) => void, signal?: AbortSignal): Promise<PairedRound[]> {
  if (!Number.isInteger(plan.rounds) || plan.rounds < 1) throw new RangeError(`paired rounds must be a whole number >= 1, got ${plan.rounds}`);
  const rounds: PairedRound[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    if (signal?.aborted) break;
    const baseline = await runOnce(plan.baselineUrl, r, 'baseline');
    onRun?.({ round: r, side: 'baseline', result: baseline });
    if (signal?.aborted) break;
    const candidate = await runOnce(plan.candidateUrl, r, 'candidate');
    onRun?.({ round: r, side: 'candidate', result: candidate });
    rounds.push({ baseline, candidate });
  }
  return rounds;
}
