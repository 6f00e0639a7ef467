// `llm-perf-gate paired`: the baseline server and the candidate server in alternating
// rounds in one job, gated on the paired rounds (docs/paired.md).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { resolveRunConfig } from '../cli/run-command.js';
import { InputError } from '../errors.js';
import { decisionJson } from '../gate/compare-command.js';
import { exitCodeFor } from '../gate/gate.js';
import { gateSettingsFromConfig } from '../gate/gate-config.js';
import { gatePaired } from '../gate/paired.js';
import { plainText } from '../report/escape.js';
import { renderMarkdownReport } from '../report/markdown.js';
import { writeRunResultFile } from '../report/results-file.js';
import { runPairedConfig } from './run-config.js';

export const PAIRED_HELP = `llm-perf-gate paired — baseline and candidate servers in alternating rounds, one job

Usage:
  llm-perf-gate paired --baseline-url URL --base-url URL [--config FILE] [--rounds K] [options]

  --baseline-url URL        the baseline server (A)              [config paired.baseline_url]
  --base-url URL            the candidate server (B)             [config target.base_url]
  --rounds K                rounds A B A B …, each every scenario once per server [config paired.rounds, 6]
  --config FILE             YAML config (docs/config.md); without it the default scenario
  --model NAME              model to request on both               [each server's first model]
  --api-key-env NAME        read the API key from this environment variable [OPENAI_API_KEY]
  --seed N                  the workload's seed (the same in every round)
  --out FILE                write the candidate's rounds, pooled, as a results file
  --baseline-out FILE       write the baseline's rounds, pooled, as a results file
  --markdown FILE           write the report there (otherwise it goes to stdout)
  --json FILE               write the decision as JSON
  --fail-on WHAT            regression (default), inconclusive or never
  -h, --help                this help

The rounds are the unit: per round, log(B / A) of each gated statistic; the verdict comes
from their mean and Student's t interval (docs/statistics.md, "Paired rounds"). Default
thresholds are tighter than a stored baseline's (tpot_ms.p50 +3 %, …; docs/gate.md).
Exit codes: 0 pass or inconclusive; 1 regression; 2 bad input; 3 a run failed.
`;

const options = {
  'baseline-url': { type: 'string' },
  'base-url': { type: 'string' },
  rounds: { type: 'string' },
  config: { type: 'string' },
  model: { type: 'string' },
  'api-key-env': { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  'baseline-out': { type: 'string' },
  markdown: { type: 'string' },
  json: { type: 'string' },
  'fail-on': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Io = { out: (s: string) => void; err: (s: string) => void };
const defaultIo: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

function parseRounds(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2 || n > 100) throw new InputError(`--rounds: expected a whole number from 2 to 100, got '${raw}'`);
  return n;
}

export async function pairedCommand(argv: string[], io: Io = defaultIo): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new InputError(`${(err as Error).message.split('\n')[0]} (see llm-perf-gate paired --help)`);
  }
  if (values.help) {
    io.out(PAIRED_HELP);
    return 0;
  }
  const failOn = values['fail-on'];
  if (failOn !== undefined && failOn !== 'regression' && failOn !== 'inconclusive' && failOn !== 'never') {
    throw new InputError(`--fail-on: '${failOn}' is not one of regression, inconclusive, never`);
  }
  const config = await resolveRunConfig({ config: values.config, seed: values.seed });
  const settings = gateSettingsFromConfig(config);
  const keyEnv = values['api-key-env'] ?? 'OPENAI_API_KEY';
  const paired = await runPairedConfig(config, {
    baseUrl: values['base-url'],
    baselineUrl: values['baseline-url'],
    rounds: parseRounds(values.rounds),
    model: values.model,
    apiKey: config.target?.api_key ?? process.env[keyEnv],
    log: (line) => io.err(line + '\n'),
  });
  const decision = gatePaired(paired.rounds, paired.candidate, {
    thresholds: config.thresholds,
    rule: settings.options.rule,
    alpha: settings.options.alpha,
    minSuccessful: config.min_successful,
  });
  const exitCode = exitCodeFor(decision, failOn ?? settings.failOn);
  if (values.out) await writeRunResultFile(values.out, paired.candidate);
  if (values['baseline-out']) await writeRunResultFile(values['baseline-out'], paired.baseline);
  if (values.json) await writeFile(values.json, decisionJson(decision, exitCode));
  const markdown = renderMarkdownReport(decision, paired.candidate, [paired.baseline], { title: 'llm-perf-gate (paired rounds)' });
  if (values.markdown) {
    await writeFile(values.markdown, markdown);
    io.out(`verdict: ${decision.verdict}\n${decision.reasons.map((r) => `  ${plainText(r)}\n`).join('')}`);
  } else io.out(markdown);
  return exitCode;
}
