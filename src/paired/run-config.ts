// Paired mode over HTTP: every scenario of the config against the baseline server and the
// candidate server in alternating rounds, each run the same seeded workload (the config's
// seed), then the rounds pooled per server for the report and the absolute limits.
import type { Config } from '../config/schema.js';
import { InputError, RunFailedError } from '../errors.js';
import type { PairedRound } from '../gate/paired.js';
import { poolRounds } from '../report/merge.js';
import { runConfig, type RunOptions } from '../run.js';
import type { RunResult } from '../types.js';
import { runPairedRounds, type PairedSide } from './rounds.js';

export const DEFAULT_PAIRED_ROUNDS = 6;

export interface PairedRunOptions extends RunOptions {
  /** The baseline server; else the config's paired.baseline_url. */
  baselineUrl?: string;
  /** Rounds; else the config's paired.rounds (default 6). */
  rounds?: number;
  /** Wraps each run, e.g. to start that side's server before it and stop it after (one server at a time). */
  around?: (side: PairedSide, baseUrl: string, run: () => Promise<RunResult>) => Promise<RunResult>;
}

export interface PairedRun {
  rounds: PairedRound[];
  /** All baseline rounds pooled (poolRounds): the report's baseline column. */
  baseline: RunResult;
  /** All candidate rounds pooled: the report's current column and the limits' input. */
  candidate: RunResult;
}

export function pairedSettings(config: Config, opts: PairedRunOptions): { baselineUrl: string; candidateUrl: string; rounds: number } {
  const baselineUrl = opts.baselineUrl ?? config.paired?.baseline_url;
  if (!baselineUrl) throw new InputError('paired: no baseline server; set paired.baseline_url in the config or pass --baseline-url');
  const candidateUrl = opts.baseUrl ?? config.target?.base_url;
  if (!candidateUrl) throw new InputError('config: target.base_url: no candidate server given; set it or pass --base-url');
  const rounds = opts.rounds ?? config.paired?.rounds ?? DEFAULT_PAIRED_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 2 || rounds > 100) throw new InputError(`paired: rounds must be a whole number from 2 to 100, got ${rounds}`);
  if (config.shard) throw new InputError('config: shard and paired cannot be combined; pair whole runs, or shard a stored-baseline run');
  return { baselineUrl, candidateUrl, rounds };
}

export async function runPairedConfig(config: Config, opts: PairedRunOptions = {}): Promise<PairedRun> {
  const plan = pairedSettings(config, opts);
  const log = opts.log ?? (() => {});
  const rounds = await runPairedRounds(
    plan,
    (baseUrl, round, side) => {
      log(`paired round ${round + 1}/${plan.rounds}: ${side} server`);
      const run = () => runConfig(config, { ...opts, baseUrl });
      return opts.around ? opts.around(side, baseUrl, run) : run();
    },
    undefined,
    opts.signal,
  );
  if (rounds.length === 0) throw new RunFailedError('paired: the run was cancelled before a round finished');
  return { rounds, baseline: poolRounds(rounds.map((r) => r.baseline)), candidate: poolRounds(rounds.map((r) => r.candidate)) };
}
