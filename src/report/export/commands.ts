// The CLI commands of the interop part: `export`, `trend` and `report`. They read files,
// call the pure renderers and write files; user mistakes become one-line InputErrors.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseHistoryText } from '../../baseline/history-file.js';
import { InputError } from '../../errors.js';
import type { RunResult } from '../../types.js';
import { renderHtmlReport } from '../html/render.js';
import { readAnyResultsFile } from '../import/index.js';
import { trendMarkdown } from '../trend.js';
import { requestsCsv } from './csv.js';
import { gabExport } from './gab.js';

export interface CommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: CommandIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function flags(argv: string[], options: Options, command: string): Record<string, string | string[] | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Record<string, string | string[] | boolean | undefined>;
  } catch (err) {
    throw new InputError(`${(err as Error).message.split('\n')[0]} (see llm-perf-gate ${command} --help)`);
  }
}

function required(value: unknown, flag: string, command: string): string {
  if (typeof value !== 'string' || value === '') throw new InputError(`${command}: --${flag} is required (see llm-perf-gate ${command} --help)`);
  return value;
}

async function write(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the folder exists and is writable`);
  }
}

/** Runs from a results file (any format), a JSONL history, or every such file in a folder; newest first. */
export async function readRuns(path: string, from?: string): Promise<RunResult[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InputError(`${path}: no such file or folder; check the --history/--baseline path`);
  }
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((n) => /\.(json|jsonl)$/i.test(n)).sort();
    const runs = (await Promise.all(names.map((n) => readRuns(join(path, n), from)))).flat();
    return newestFirst(runs);
  }
  if (/\.jsonl$/i.test(path)) {
    const parsed = parseHistoryText(await readFile(path, 'utf8'), path);
    return parsed.history;
  }
  return [await readAnyResultsFile(path, from)];
}

function newestFirst(runs: RunResult[]): RunResult[] {
  return [...runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export const EXPORT_HELP = `llm-perf-gate export --in RESULTS.json --format gab|csv --out FILE [--from FORMAT]

  --format gab   github-action-benchmark custom JSON: writes FILE-smaller.json
                 (customSmallerIsBetter: latencies, error rate) and FILE-bigger.json
                 (customBiggerIsBetter: throughputs)
  --format csv   one row per request (RFC 4180)
  --from         vllm | guidellm | genai-perf | inference-perf | llm-perf-gate (detected when left out)
`;

export async function exportCommand(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  const f = flags(argv, { in: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'export');
  if (f.help) {
    io.out(EXPORT_HELP);
    return 0;
  }
  const input = required(f.in, 'in', 'export');
  const out = required(f.out, 'out', 'export');
  const format = required(f.format, 'format', 'export');
  if (format !== 'gab' && format !== 'csv') throw new InputError(`export: --format ${format} is not gab or csv`);
  const run = await readAnyResultsFile(input, f.from as string | undefined);
  if (format === 'csv') {
    const count = run.scenarios.reduce((n, s) => n + s.requests.length, 0);
    await write(out, requestsCsv(run));
    io.err(`${count} request(s) written to ${out}${count === 0 ? ' (the results file has no per-request records)' : ''}\n`);
    return 0;
  }
  const gab = gabExport(run);
  const stem = out.replace(/\.json$/i, '');
  await write(`${stem}-smaller.json`, `${JSON.stringify(gab.customSmallerIsBetter, null, 2)}\n`);
  await write(`${stem}-bigger.json`, `${JSON.stringify(gab.customBiggerIsBetter, null, 2)}\n`);
  io.err(`github-action-benchmark files: ${stem}-smaller.json (${gab.customSmallerIsBetter.length} entries), ${stem}-bigger.json (${gab.customBiggerIsBetter.length} entries)\n`);
  return 0;
}

export const TREND_HELP = `llm-perf-gate trend --history DIR|FILE [--history …] [--last N] [--scenario NAME] [--from FORMAT]

  Prints a mermaid chart per headline metric (TTFT p90, TPOT p50, output throughput) and a
  table of the last N runs (default 20), oldest first. A FILE is a results file of any known
  format or a JSONL history; a DIR is every .json/.jsonl file in it.
`;

export async function trendCommand(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  const f = flags(argv, { history: { type: 'string', multiple: true }, last: { type: 'string' }, scenario: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'trend');
  if (f.help) {
    io.out(TREND_HELP);
    return 0;
  }
  const paths = (f.history as string[] | undefined) ?? [];
  if (paths.length === 0) throw new InputError('trend: --history is required (a folder, a JSONL history or results files)');
  const last = f.last === undefined ? 20 : Number(f.last);
  if (!Number.isInteger(last) || last < 1) throw new InputError(`trend: --last must be a whole number ≥ 1, got '${String(f.last)}'`);
  const runs = newestFirst((await Promise.all(paths.map((p) => readRuns(p, f.from as string | undefined)))).flat());
  io.out(trendMarkdown(runs, { last, ...(typeof f.scenario === 'string' ? { scenario: f.scenario } : {}) }));
  return 0;
}

export const REPORT_HELP = `llm-perf-gate report --current RESULTS.json --html OUT.html [--baseline FILE|DIR …] [--decision DECISION.json] [--title TEXT] [--from FORMAT]

  Writes one self-contained HTML file: summary tables, latency CDFs, sweep curves, the trend
  over the baselines and the gate decision when given. Opens with no network.
`;

export async function reportCommand(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  const f = flags(
    argv,
    { current: { type: 'string' }, baseline: { type: 'string', multiple: true }, decision: { type: 'string' }, html: { type: 'string' }, title: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'report',
  );
  if (f.help) {
    io.out(REPORT_HELP);
    return 0;
  }
  const from = f.from as string | undefined;
  const current = await readAnyResultsFile(required(f.current, 'current', 'report'), from);
  const out = required(f.html, 'html', 'report');
  const baselines = newestFirst((await Promise.all(((f.baseline as string[] | undefined) ?? []).map((p) => readRuns(p, from)))).flat());
  let decision: unknown;
  if (typeof f.decision === 'string') {
    try {
      decision = JSON.parse(await readFile(f.decision, 'utf8'));
    } catch (e) {
      throw new InputError(`${f.decision}: cannot read the decision JSON (${(e as Error).message.split('\n')[0]})`);
    }
  }
  await write(out, renderHtmlReport({ current, baselines, decision, ...(typeof f.title === 'string' ? { title: f.title } : {}) }));
  io.err(`HTML report written to ${out}\n`);
  return 0;
}
