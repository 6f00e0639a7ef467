// `llm-perf-gate compare`: a results file against one or more baselines → the verdict, the
// Markdown report and the Contracts' exit code.
import { stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadHistory, pathExists } from '../baseline/history.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { InputError } from '../errors.js';
import { plainText } from '../report/escape.js';
import { renderMarkdownReport } from '../report/markdown.js';
import { readAnyResultsFile, RESULTS_FORMATS } from '../report/import/index.js';
import { renderHtmlReport } from '../report/html/render.js';
import type { RunResult } from '../types.js';
import { exitCodeFor, gateRun } from './gate.js';
import { gateSettingsFromConfig } from './gate-config.js';
import type { GateDecision } from './types.js';

export const COMPARE_HELP = `llm-perf-gate compare — compare a run with its baseline(s) and decide

Usage: llm-perf-gate compare --current B.json [--baseline A.json ...] [options]

  --current FILE              the results file of the run under test (required)
  --baseline PATH             a results file, a directory of them, or a JSONL history;
                              repeat for several (a history of past runs)
  --config FILE               the YAML config: thresholds and the gate section
  --markdown FILE             write the report there (otherwise it goes to stdout)
  --html FILE                 also write a self-contained HTML report
  --from FORMAT               the files' format: llm-perf-gate, vllm, guidellm, genai-perf or
                              inference-perf (default: detected from each .json file)
  --json FILE                 write the decision as JSON
  --fail-on WHAT              regression (default), inconclusive or never
  --allow-missing-baseline    a baseline path that does not exist means "no baseline"
  --title TEXT                the report's heading            [llm-perf-gate]
  --marker TEXT               a hidden marker for a sticky comment
  --run-url URL               a link to this run in the report
  --baseline-url URL          a link to the baseline's run

Exit codes: 0 pass, no-baseline or inconclusive; 1 regression (or inconclusive with
--fail-on inconclusive); 2 bad input; 3 the run failed (too few successful requests).
`;

type FailOn = 'regression' | 'inconclusive' | 'never';

function parseFailOn(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  if (value === 'regression' || value === 'inconclusive' || value === 'never') return value;
  throw new InputError(`--fail-on: '${value}' is not one of regression, inconclusive, never`);
}

/** The decision as the JSON output carries it. */
export function decisionJson(decision: GateDecision, exitCode: number): string {
  return JSON.stringify({ ...decision, exitCode }, null, 2) + '\n';
}

export async function compareCommand(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        current: { type: 'string' },
        baseline: { type: 'string', multiple: true },
        config: { type: 'string' },
        markdown: { type: 'string' },
        html: { type: 'string' },
        from: { type: 'string' },
        json: { type: 'string' },
        'fail-on': { type: 'string' },
        'allow-missing-baseline': { type: 'boolean' },
        title: { type: 'string' },
        marker: { type: 'string' },
        'run-url': { type: 'string' },
        'baseline-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new InputError(`${(e as Error).message.split('\n')[0]} (see llm-perf-gate compare --help)`);
  }
  if (values.help) {
    out(COMPARE_HELP);
    return 0;
  }
  if (!values.current) throw new InputError('--current: give the results file of the run under test (see llm-perf-gate compare --help)');
  const failOnFlag = parseFailOn(values['fail-on']);
  const config: Config | undefined = values.config ? await loadConfigFile(values.config) : undefined;
  const settings = gateSettingsFromConfig(config);
  const current = await readAnyResultsFile(values.current, values.from);
  const paths: string[] = [];
  for (const p of values.baseline ?? []) {
    if (values['allow-missing-baseline'] && !(await pathExists(p))) continue;
    paths.push(p);
  }
  const history = await readHistory(paths, values.from);
  const decision = gateRun(current, history, settings.options);
  const exitCode = exitCodeFor(decision, failOnFlag ?? settings.failOn);
  const markdown = renderMarkdownReport(decision, current, history, {
    title: values.title,
    marker: values.marker,
    runUrl: values['run-url'],
    baselineUrl: values['baseline-url'],
  });
  if (values.json) await writeFile(values.json, decisionJson(decision, exitCode));
  if (values.html) await writeFile(values.html, renderHtmlReport({ current, baselines: history, decision, title: values.title }));
  if (values.markdown) {
    await writeFile(values.markdown, markdown);
    out(`verdict: ${decision.verdict}\n${decision.reasons.map((r) => `  ${plainText(r)}\n`).join('')}`);
  } else {
    out(markdown);
  }
  return exitCode;
}

/**
 * The baselines, newest first: a single .json file may be another tool's results (detected,
 * or named by --from); directories and JSONL histories hold our own results files.
 */
async function readHistory(paths: string[], from: string | undefined): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const path of paths) {
    if (/\.json$/i.test(path) && (await isFile(path))) runs.push(await readAnyResultsFile(path, from));
    else runs.push(...(await loadHistory([path])));
  }
  return runs.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export const COMPARE_FORMATS = RESULTS_FORMATS;
