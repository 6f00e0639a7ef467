// `llm-perf-gate merge`: the results of matrix shards (or of a matrix of scenarios or
// models) → one results file, which `compare` then gates once.
import { parseArgs } from 'node:util';
import { InputError } from '../errors.js';
import { mergeResults } from './merge.js';
import { readResultsFiles } from './merge-inputs.js';
import { renderResultsTable } from './results-table.js';
import { writeRunResultFile } from './results-file.js';

export const MERGE_HELP = `llm-perf-gate merge — merge shard results (or a matrix of scenarios/models) into one results file

Usage: llm-perf-gate merge --out merged.json FILE|DIR [FILE|DIR ...]

  FILE|DIR        results files, or folders searched for *.json (e.g. downloaded shard artifacts)
  --out FILE      the merged results file (required)
  -h, --help      this help

Shards of a scenario (run with shard: i/N) are merged: records concatenated, the shards'
windows aligned to a common start, throughputs summed, distributions recomputed. All N
shards must be present. Different scenarios are listed one after another; results of
different models get "model/scenario" names. Then: llm-perf-gate compare --current merged.json …
Exit codes: 0 merged; 2 bad input (a missing shard, an unreadable file).
`;

type Io = { out: (s: string) => void; err: (s: string) => void };
const defaultIo: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

export async function mergeCommand(argv: string[], io: Io = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError(`${(err as Error).message.split('\n')[0]} (see llm-perf-gate merge --help)`);
  }
  if (parsed.values.help) {
    io.out(MERGE_HELP);
    return 0;
  }
  if (!parsed.values.out) throw new InputError('--out: give the file to write the merged results to (see llm-perf-gate merge --help)');
  if (parsed.positionals.length === 0) throw new InputError('merge: give the results files or folders to merge (see llm-perf-gate merge --help)');
  const parts = await readResultsFiles(parsed.positionals);
  const merged = mergeResults(parts);
  await writeRunResultFile(parsed.values.out, merged);
  io.out(renderResultsTable(merged) + '\n');
  io.err(`merged ${parts.length} results files into ${parsed.values.out}\n`);
  return 0;
}
