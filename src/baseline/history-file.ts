// The stored history of runs as text: JSON Lines, oldest first, one RunResult per line, so
// appending a run is appending a line. Newest-first is the form the gate takes; the file is
// capped in runs, and only the newest runs keep their per-request records, which keeps a
// 100-run history small enough for the contents API.
import { parseRunResult } from '../report/results-file.js';
import type { RunResult } from '../types.js';

/** Runs kept in a history file (older ones are dropped when a new one is appended). */
export const DEFAULT_HISTORY_CAP = 100;
/** Newest runs that keep their per-request records; older ones keep metrics only. */
export const DEFAULT_KEEP_REQUESTS = 1;

export interface HistoryParse {
  /** Newest first. */
  history: RunResult[];
  warnings: string[];
}

/** Reads a JSONL history (or a single results file, or a JSON array of them) into newest-first runs. */
export function parseHistoryText(text: string, source: string): HistoryParse {
  const trimmed = text.trim();
  if (trimmed === '') return { history: [], warnings: [] };
  const warnings: string[] = [];
  const oldestFirst: RunResult[] = [];
  if (trimmed.startsWith('[')) {
    let items: unknown;
    try {
      items = JSON.parse(trimmed);
    } catch {
      return { history: [], warnings: [`${source}: not valid JSON; ignored as a baseline`] };
    }
    for (const [i, item] of (items as unknown[]).entries()) pushParsed(() => JSON.stringify(item), `${source}[${i}]`, oldestFirst, warnings);
  } else if (isSingleDocument(trimmed)) {
    pushParsed(() => trimmed, source, oldestFirst, warnings);
  } else {
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      pushParsed(() => line, `${source}:${i + 1}`, oldestFirst, warnings);
    }
  }
  return { history: oldestFirst.reverse(), warnings };
}

/** A pretty-printed results file is one JSON document over many lines. */
function isSingleDocument(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** `text` is a thunk: re-serialising a hostile entry (nested too deep) may throw too, and must be skipped like any other. */
function pushParsed(text: () => string, where: string, into: RunResult[], warnings: string[]): void {
  try {
    into.push(parseRunResult(text(), where));
  } catch (err) {
    // One damaged entry must not lose the rest of the history; the report says it was skipped.
    warnings.push(`${where}: skipped an unreadable stored run (${firstLine(err)})`);
  }
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}

/** A run without its per-request records (metrics stay), for older history entries. */
export function withoutRequests(run: RunResult): RunResult {
  return { ...run, scenarios: run.scenarios.map((s) => ({ ...s, requests: [] })) };
}

export interface AppendOptions {
  cap?: number;
  keepRequests?: number;
}

/** Newest-first history after adding `run` as the newest, capped and compacted. */
export function appendToHistory(history: RunResult[], run: RunResult, opts: AppendOptions = {}): RunResult[] {
  const cap = Math.max(1, opts.cap ?? DEFAULT_HISTORY_CAP);
  const keep = Math.max(0, opts.keepRequests ?? DEFAULT_KEEP_REQUESTS);
  return [run, ...history].slice(0, cap).map((r, i) => (i < keep ? r : withoutRequests(r)));
}

/** Serialises newest-first runs as JSONL, oldest first, one line each, ending in a newline. */
export function formatHistoryText(history: RunResult[]): string {
  return [...history].reverse().map((r) => JSON.stringify(r) + '\n').join('');
}
