// The interface every baseline store implements, and the choice of store from the
// action's `baseline:` input. A store hands the gate the history form (newest first,
// empty when there is none) and saves one new run; it knows nothing of statistics.
import { InputError } from '../errors.js';
import type { RunResult } from '../types.js';

/** Where a loaded baseline came from, for the report ("baseline: run #123 of main, 2 days old"). */
export interface BaselineProvenance {
  /** Human-readable: "branch llm-perf-gate-data, llm-perf-gate/default.jsonl". */
  description: string;
  /** A link for the report when there is one (a workflow run, a file on GitHub). */
  url?: string;
  /** ISO 8601 time the newest stored run was made, when known. */
  createdAt?: string;
}

export interface BaselineLoad {
  /** Stored runs, newest first; empty when there is no baseline. */
  history: RunResult[];
  /** Lines for the report: an old or expired baseline, a skipped unreadable entry. */
  warnings: string[];
  provenance?: BaselineProvenance;
}

export interface SaveOutcome {
  /** One line for the log: where the run went. */
  message: string;
  /** A file the user should commit (file store). */
  path?: string;
}

export interface BaselineStore {
  /** Short name for logs: "artifact", "branch:perf-data", "file:perf/baseline.json". */
  readonly label: string;
  load(): Promise<BaselineLoad>;
  save(result: RunResult): Promise<SaveOutcome>;
}

export type BaselineSpec =
  | { kind: 'artifact' }
  | { kind: 'branch'; branch: string }
  | { kind: 'file'; path: string }
  | { kind: 'cache' }
  | { kind: 'none' };

/** Git refuses these in branch names; we refuse them early with one clear line. */
const BAD_BRANCH = /(^[-/.])|([/.]$)|\.\.|[\s~^:?*[\\]|@\{|\/\/|\.lock$/;

/** Parses the `baseline:` input: `artifact` (default), `branch:NAME`, `file:PATH`, `cache`, `none`. */
export function parseBaselineSpec(value: string): BaselineSpec {
  const v = value.trim();
  if (v === '' || v === 'artifact') return { kind: 'artifact' };
  if (v === 'cache') return { kind: 'cache' };
  if (v === 'none') return { kind: 'none' };
  if (v.startsWith('branch:')) {
    const branch = v.slice('branch:'.length).trim();
    if (!branch || BAD_BRANCH.test(branch)) {
      throw new InputError(`input baseline: '${v}' does not name a valid branch; write branch:NAME, e.g. branch:llm-perf-gate-data`);
    }
    return { kind: 'branch', branch };
  }
  if (v.startsWith('file:')) {
    const path = v.slice('file:'.length).trim();
    if (!path) throw new InputError(`input baseline: '${v}' has no path; write file:PATH, e.g. file:perf/baseline.json`);
    return { kind: 'file', path };
  }
  throw new InputError(`input baseline: '${v}' is not one of artifact, branch:NAME, file:PATH, cache, none`);
}

/** A run that failed to measure (overall verdict `error`) is never stored as a baseline. */
export function isSavable(verdict: string): boolean {
  return verdict !== 'error';
}

/** A store that keeps nothing: `baseline: none` (absolute limits still apply). */
export const noBaselineStore: BaselineStore = {
  label: 'none',
  load: async () => ({ history: [], warnings: [] }),
  save: async () => ({ message: 'baseline: none, nothing saved' }),
};
