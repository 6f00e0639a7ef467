#!/usr/bin/env node
// The CLI entry point: picks the command and maps errors to the Contracts' exit codes.
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { runCommand } from './cli/run-command.js';
import { demoCommand } from './cli/demo-command.js';
import { simCommand } from './sim/cli.js';
import { compareCommand } from './gate/compare-command.js';
import { calibrateCommand } from './gate/calibrate-command.js';
import { exportCommand, reportCommand, trendCommand } from './report/export/commands.js';
import { mergeCommand } from './report/merge-command.js';
import { pairedCommand } from './paired/paired-command.js';
import { TOOL_VERSION } from './version.js';

export const MAIN_HELP = `llm-perf-gate ${TOOL_VERSION} — benchmark an OpenAI-compatible LLM server and gate on regressions

Usage: llm-perf-gate <command> [options]

Commands:
  run        benchmark a server (a config file or flags) and write a results file
  compare    compare results with one or more baselines; print the verdict and the report
  paired     baseline and candidate servers in alternating rounds in one job, then the verdict
  merge      merge matrix shards' results (or a matrix of scenarios/models) into one file
  calibrate  run A/A against a server and print the noise floor per metric
  report     write a self-contained HTML report of results (and baselines)
  trend      the last N runs of a history as a chart and a table
  export     results as github-action-benchmark JSON or a per-request CSV
  sim        start the built-in simulated OpenAI-compatible server
  demo       the whole gate on the built-in simulator, in under a minute

Run 'llm-perf-gate <command> --help' for a command's options.
Exit codes: 0 pass/no-baseline/inconclusive, 1 regression, 2 bad input, 3 the run failed.
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: (argv) => runCommand(argv),
  compare: compareCommand,
  calibrate: calibrateCommand,
  sim: simCommand,
  demo: demoCommand,
  export: (argv) => exportCommand(argv),
  trend: (argv) => trendCommand(argv),
  report: (argv) => reportCommand(argv),
  paired: (argv) => pairedCommand(argv),
  merge: (argv) => mergeCommand(argv),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(TOOL_VERSION + '\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`llm-perf-gate: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    const code = (err as { exitCode?: unknown }).exitCode;
    if (code === 2 || code === 3) {
      process.stderr.write(`llm-perf-gate ${name}: ${(err as Error).message}\n`);
      return code;
    }
    // Not a user error: a bug. Say so with the stack, and never report it as a verdict.
    process.stderr.write(`llm-perf-gate ${name}: internal error, please report it: ${(err as Error)?.stack ?? String(err)}\n`);
    return 3;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
// Not in a worker thread: the client's worker threads re-enter this bundle (src/client/worker-pool.ts).
if (isMainThread && (invokedDirectly || process.env.LLM_PERF_GATE_CLI === '1')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`llm-perf-gate: ${String(err)}\n`);
      process.exitCode = 3;
    },
  );
}
