// Reads a production trace in its own format, streaming (one line in memory at a time),
// and selects the requests to replay: the time window, the seeded sample, and the arrival
// offsets the runner replays (trace time from the window's start, divided by `speedup`).
// Reading stops at the window's end (traces are in time order) or once the run has all the
// requests it can send, so a long trace costs only the part that is replayed.
import type { TraceFormat, TraceWorkload } from '../config/schema.js';
import { InputError } from '../errors.js';
import { DataIssues, RowError } from './data-issues.js';
import { readLines } from './line-reader.js';
import { Random, deriveSeed } from './random.js';
import { azureParser } from './traces/azure.js';
import { bailianParser } from './traces/bailian.js';
import { burstGptParser } from './traces/burstgpt.js';
import { mooncakeParser } from './traces/mooncake.js';
import type { ParsedRow, TraceParser, TraceRow } from './traces/row.js';

export type { TraceRow } from './traces/row.js';

export interface ReplayRow extends TraceRow {
  /** When to send, ms after the scenario's start. */
  offsetMs: number;
}

export interface SelectedTrace {
  rows: ReplayRow[];
  /** Data rows read (valid or not), failed rows left out (BurstGPT), rows of other models. */
  read: number;
  failed: number;
  filtered: number;
  notes: string[];
}

export interface TraceLimits {
  seed: number;
  /** Stop after this many selected requests (the scenario's `requests`). */
  maxRows?: number;
  /** Stop once offsets pass this (the scenario's `duration_s`, ms). */
  maxOffsetMs?: number;
}

export function traceParser(format: TraceFormat, model?: string): TraceParser {
  switch (format) {
    case 'mooncake':
      return mooncakeParser();
    case 'azure':
      return azureParser();
    case 'bailian':
      return bailianParser();
    case 'burstgpt':
      return burstGptParser(model);
  }
}

/** Every data row of the file, parsed; bad rows go to `issues` (which throws unless skipping). */
export async function* readTraceRows(path: string, parser: TraceParser, issues: DataIssues): AsyncGenerator<ParsedRow> {
  let sawHeader = parser.header === undefined;
  for await (const line of readLines(path)) {
    if (line.text.trim() === '') continue;
    if (!sawHeader) {
      sawHeader = true;
      try {
        parser.header?.(line.text);
      } catch (err) {
        // A wrong header is the wrong file or format, never a row to skip.
        if (err instanceof RowError) throw new InputError(`${path}:${line.number}: ${err.message}`);
        throw err;
      }
      continue;
    }
    let parsed: ParsedRow;
    try {
      parsed = parser.row(line.text, line.number, line.unterminated);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      issues.report(line.number, err.message);
      continue;
    }
    yield parsed;
  }
}

export async function loadTrace(path: string, workload: TraceWorkload, limits: TraceLimits): Promise<SelectedTrace> {
  const issues = new DataIssues(path, workload.skip_invalid);
  const parser = traceParser(workload.format, workload.model);
  const rng = new Random(deriveSeed(limits.seed, `trace-sample\u0000${path}`));
  const startS = workload.window?.start_s ?? 0;
  const durationS = workload.window?.duration_s;
  const rows: ReplayRow[] = [];
  let read = 0;
  let failed = 0;
  let filtered = 0;
  let windowStartMs: number | undefined;
  let previousMs = -Infinity;
  let inOrder = true;
  for await (const parsed of readTraceRows(path, parser, issues)) {
    read++;
    if ('skip' in parsed) {
      if (parsed.skip === 'failed') failed++;
      else filtered++;
      continue;
    }
    const row = parsed.row;
    windowStartMs ??= row.timestampMs + startS * 1000;
    if (row.timestampMs < previousMs) inOrder = false;
    previousMs = row.timestampMs;
    const sinceStart = row.timestampMs - windowStartMs;
    if (durationS !== undefined && sinceStart >= durationS * 1000) {
      if (inOrder) break;
      continue;
    }
    if (sinceStart < 0) continue;
    if (workload.sample < 1 && rng.float() >= workload.sample) continue;
    // Rounded to 0.1 µs, the finest digit any trace format has, to drop subtraction noise.
    const offsetMs = Math.round((sinceStart / workload.speedup) * 1e4) / 1e4;
    if (inOrder && limits.maxOffsetMs !== undefined && offsetMs >= limits.maxOffsetMs) break;
    rows.push({ ...row, offsetMs });
    if (inOrder && limits.maxRows !== undefined && rows.length >= limits.maxRows) break;
  }
  if (read === 0) throw new InputError(`${path}: no data rows (is it a ${workload.format} trace?)`);
  const notes: string[] = [];
  const skipped = issues.note();
  if (skipped) notes.push(skipped);
  if (failed > 0) notes.push(`left out ${failed} failed request${failed === 1 ? '' : 's'} (0 response tokens) of ${path}`);
  if (!inOrder) {
    rows.sort((a, b) => a.offsetMs - b.offsetMs);
    notes.push(`${path} is not in time order; its requests were sorted by timestamp`);
  }
  if (rows.length === 0) {
    throw new InputError(`${path}: no request of the trace is in the chosen window and sample (${read} rows read); widen workload.window or raise workload.sample`);
  }
  const first = parser.firstTimestamp?.();
  if (first) notes.push(`the trace starts at ${first}`);
  if (workload.speedup !== 1) notes.push(`arrival times divided by ${workload.speedup} (speedup)`);
  return { rows, read, failed, filtered, notes };
}
