// `llm-perf-gate demo`: the whole gate on the built-in simulator, in under a minute.
// 1. a baseline run (its results table), 2. a candidate on a simulator 25 % slower
// (--speed 0.8) → the PR comment with the regression, 3. an A/A run → pass.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../config/load.js';
import { InputError } from '../errors.js';
import { gateRun } from '../gate/gate.js';
import { renderMarkdownReport, renderResultsTable } from '../report/markdown.js';
import { writeRunResultFile } from '../report/results-file.js';
import { runConfig } from '../run.js';
import { startSimProcess } from '../sim/child-process.js';
import type { RunResult } from '../types.js';

/**
 * Two scenarios, each about 7 s on the simulator: a Poisson chat and a fixed concurrency.
 * No `ignore_eos` in a body: `output_length: auto` finds the simulator's vLLM and forces the length.
 */
export const DEMO_CONFIG_YAML = `seed: 7
scenarios:
  - name: chat-poisson
    api: chat
    workload:
      input_tokens: { dist: normal, mean: 256, std: 64, min: 32, max: 512 }
      output_tokens: 64
    load: { type: poisson, rate: 8, requests: 48, warmup: 2 }
  - name: chat-concurrency-8
    api: chat
    workload:
      input_tokens: 256
      output_tokens: 64
    load: { type: concurrency, concurrency: 8, requests: 48, warmup: 2 }
`;

const HELP = `llm-perf-gate demo — the whole gate on the built-in simulator

Usage: llm-perf-gate demo [--out-dir DIR] [--quick]

Runs a baseline, a candidate on a simulator 25 % slower (--speed 0.8), prints the
PR comment that catches the regression, then an A/A run that passes.
  --out-dir DIR   where to keep the results files and reports   [a new temp folder]
  --quick         only the baseline run and its results table (the foundation demo)
`;

async function benchAgainstSim(speed: number, driftSeed: number, log: (s: string) => void): Promise<RunResult> {
  // A little per-start drift, as on real runners, so the A/A run shows honest noise. The
  // simulator runs in its own process: sharing the client's event loop, its batch steps
  // stalled the client (a 225 ms stall once made the demo's A/A a regression).
  const sim = await startSimProcess(['--speed', String(speed), '--seed', String(driftSeed), '--noise', '0.02', '--drift', '0.01', '--drift-seed', String(driftSeed)]);
  try {
    const config = parseConfigText(DEMO_CONFIG_YAML, 'demo config');
    return await runConfig(config, { baseUrl: sim.url, log });
  } finally {
    await sim.close();
  }
}

export async function demoCommand(argv: string[]): Promise<number> {
  let values: { 'out-dir'?: string; quick?: boolean; help?: boolean };
  try {
    values = parseArgs({ args: argv, options: { 'out-dir': { type: 'string' }, quick: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    throw new InputError((err as Error).message.split('\n')[0]);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const outDir = values['out-dir'] ?? (await mkdtemp(join(tmpdir(), 'llm-perf-gate-demo-')));
  const log = (s: string) => process.stderr.write(s + '\n');
  const say = (s: string) => process.stdout.write(s + '\n');

  say('== 1. Baseline: the simulator at --speed 1.0');
  const baseline = await benchAgainstSim(1.0, 11, log);
  await writeRunResultFile(join(outDir, 'baseline.json'), baseline);
  say(renderResultsTable(baseline));
  if (values.quick) return 0;

  say('\n== 2. Candidate: the simulator at --speed 0.8 (everything 25 % slower)');
  const slow = await benchAgainstSim(0.8, 12, log);
  await writeRunResultFile(join(outDir, 'candidate-slow.json'), slow);
  const slowDecision = gateRun(slow, [baseline]);
  say(renderMarkdownReport(slowDecision, slow, [baseline], { title: 'llm-perf-gate demo: candidate at --speed 0.8' }));
  say(`\nverdict: ${slowDecision.verdict}  (exit code a CI job would get: ${slowDecision.verdict === 'regression' ? 1 : 0})`);

  say('\n== 3. A/A: the same simulator again at --speed 1.0');
  const same = await benchAgainstSim(1.0, 13, log);
  await writeRunResultFile(join(outDir, 'candidate-same.json'), same);
  const sameDecision = gateRun(same, [baseline]);
  say(renderMarkdownReport(sameDecision, same, [baseline], { title: 'llm-perf-gate demo: A/A at --speed 1.0' }));
  say(`\nverdict: ${sameDecision.verdict}`);
  say(`\nresults files in ${outDir}`);
  return 0;
}
