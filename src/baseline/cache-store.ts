// The experimental `cache` store: the history file (history-file.ts form) kept in the
// GitHub Actions cache. Cache entries are immutable — a key once saved is never updated —
// so each commit saves its own entry (`llm-perf-gate-<name>@<branch>:<sha>`) and loading
// restores the newest entry whose key starts with the base branch's prefix; a pull
// request may read the caches of its base branch. Entries unused for 7 days are evicted and
// a repository holds 10 GB, so a missing baseline is an expected state and only a warning.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isFeatureAvailable, restoreCache, saveCache } from '@actions/cache';
import { readBoundedText } from '../report/results-file.js';
import type { RunResult } from '../types.js';
import { appendToHistory, formatHistoryText, parseHistoryText } from './history-file.js';
import type { BaselineLoad, BaselineStore, SaveOutcome } from './store.js';

/** The part of @actions/cache we use (tests inject a fake of the cache service). */
export interface CacheClientLike {
  /** False when the runner has no cache service (e.g. GHES without it, a local run). */
  isFeatureAvailable(): boolean;
  /** Restores into `paths`; the key that matched, or undefined on a miss. */
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  /** The cache id, or -1 when the library declined to save (it logs why). */
  saveCache(paths: string[], key: string): Promise<number>;
}

/** The real client: @actions/cache talking to the runner's cache service. */
export const actionsCacheClient: CacheClientLike = {
  isFeatureAvailable: () => isFeatureAvailable(),
  restoreCache: (paths, primaryKey, restoreKeys) => restoreCache(paths, primaryKey, restoreKeys),
  saveCache: (paths, key) => saveCache(paths, key),
};

export const CACHE_HISTORY_FILE = 'history.jsonl';
/** Runs kept in a cache entry's history (each commit's entry holds the history up to it). */
export const DEFAULT_CACHE_HISTORY_CAP = 30;
const DAY_MS = 86_400_000;
const MAX_KEY_LENGTH = 512;

export interface CacheStoreOptions {
  client: CacheClientLike;
  /** The action's `name` input: steps with different names keep different entries. */
  name: string;
  /** The branch whose entries are the baseline: the PR's base, or the pushed branch. */
  baseBranch: string;
  /** The branch this run saves under (the pushed branch). */
  branch: string;
  /** This run's commit (GITHUB_SHA): the saved entry's key ends with it. */
  sha: string;
  /** GITHUB_WORKSPACE: @actions/cache resolves relative cache paths against it. */
  workspace: string;
  now?: () => number;
  /** Warn when the newest stored run is older than this. */
  maxAgeDays?: number;
  cap?: number;
  /** Where a failed save is reported (core.warning in the action); a failed save never fails the job. */
  warn?: (line: string) => void;
}

/** `name` input → the part of a key that holds it: no `@` (it ends the name), no commas (keys refuse them). */
function safeName(name: string): string {
  const safe = name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return safe || 'default';
}

/**
 * The key prefix of one branch's entries. `@` ends the name (a safe name has none) and `:`
 * ends the branch (git forbids `:` in branch names), so `main`'s prefix never matches the
 * entries of `main-v2`, nor a step named `default-main`'s.
 */
export function cacheKeyPrefix(name: string, branch: string): string {
  return `llm-perf-gate-${safeName(name)}@${branch.replace(/,/g, '-')}:`;
}

/** The immutable per-commit key this run saves under. */
export function cacheKey(name: string, branch: string, sha: string): string {
  return cacheKeyPrefix(name, branch) + sha;
}

/**
 * The directory handed to @actions/cache, relative to the workspace. The cache service
 * versions an entry by the exact path strings, so save and restore must pass the same
 * string on every runner: a relative path, not RUNNER_TEMP's absolute one.
 */
export function cacheDirFor(name: string): string {
  return `.llm-perf-gate/cache/${safeName(name)}`;
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}

const EXPERIMENTAL = 'cache baseline (experimental)';

export class CacheStore implements BaselineStore {
  readonly label = 'cache';
  private loaded: RunResult[] | undefined;
  private readonly dir: string;
  private readonly absDir: string;

  constructor(private readonly opts: CacheStoreOptions) {
    this.dir = cacheDirFor(opts.name);
    this.absDir = resolve(opts.workspace, this.dir);
  }

  async load(): Promise<BaselineLoad> {
    this.loaded = [];
    const { client, name, baseBranch, sha } = this.opts;
    const prefix = cacheKeyPrefix(name, baseBranch);
    if (!client.isFeatureAvailable()) {
      return { history: [], warnings: [`${EXPERIMENTAL}: the Actions cache service is not available on this runner; use baseline: artifact or branch:NAME`] };
    }
    // A self-hosted runner may keep an earlier job's directory: never read that as restored.
    await rm(this.absDir, { recursive: true, force: true });
    let matched: string | undefined;
    try {
      matched = await client.restoreCache([this.dir], prefix + sha, [prefix]);
    } catch (err) {
      return { history: [], warnings: [`${EXPERIMENTAL}: cannot restore ${prefix}* (${firstLine(err)}); no baseline this run`] };
    }
    if (matched === undefined) {
      return {
        history: [],
        warnings: [
          `${EXPERIMENTAL}: no cache entry ${prefix}* — none saved on ${baseBranch} yet, or evicted (entries unused for 7 days are removed, and a repository keeps at most 10 GB); a push to ${baseBranch} saves one, and baseline: branch:NAME keeps history for good`,
        ],
      };
    }
    try {
      return this.readRestored(matched, prefix);
    } finally {
      // The entry is in memory now; keep the user's checkout clean.
      await rm(this.absDir, { recursive: true, force: true });
    }
  }

  private async readRestored(matched: string, prefix: string): Promise<BaselineLoad> {
    const where = `cache entry ${matched}`;
    let text: string;
    try {
      text = await readBoundedText(join(this.absDir, CACHE_HISTORY_FILE));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? `has no ${CACHE_HISTORY_FILE}` : `cannot be read (${code ?? firstLine(err)})`;
      return { history: [], warnings: [`${EXPERIMENTAL}: ${where} ${why}; ignored as a baseline, the next save starts a new history`] };
    }
    // Restored bytes are data another run wrote: validated like any untrusted file.
    const parsed = parseHistoryText(text, where);
    const warnings = [...parsed.warnings];
    if (parsed.history.length === 0) {
      warnings.push(`${EXPERIMENTAL}: ${where} holds no readable run; ignored as a baseline, the next save starts a new history`);
      return { history: [], warnings };
    }
    this.loaded = parsed.history;
    const newest = parsed.history[0];
    const ageDays = ((this.opts.now ?? Date.now)() - Date.parse(newest.startedAt)) / DAY_MS;
    const maxAge = this.opts.maxAgeDays ?? 30;
    if (ageDays > maxAge) {
      warnings.push(`the baseline is ${Math.floor(ageDays)} days old (${where}); push to ${this.opts.baseBranch} to refresh it`);
    }
    const how = matched === prefix + this.opts.sha ? 'this commit' : `newest of ${this.opts.baseBranch}`;
    return {
      history: parsed.history,
      warnings,
      provenance: { description: `Actions cache entry ${matched} (${how}; experimental store)`, createdAt: newest.startedAt },
    };
  }

  async save(result: RunResult): Promise<SaveOutcome> {
    const key = cacheKey(this.opts.name, this.opts.branch, this.opts.sha);
    if (key.length > MAX_KEY_LENGTH) {
      return this.notSaved(key, `the key is longer than the cache's ${MAX_KEY_LENGTH} characters; use a shorter name input`);
    }
    try {
      const previous = this.loaded ?? (await this.load()).history;
      const history = appendToHistory(previous, result, { cap: this.opts.cap ?? DEFAULT_CACHE_HISTORY_CAP });
      await mkdir(this.absDir, { recursive: true });
      await writeFile(join(this.absDir, CACHE_HISTORY_FILE), formatHistoryText(history), 'utf8');
      const id = await this.opts.client.saveCache([this.dir], key);
      if (id === -1) {
        return this.notSaved(key, 'the cache service declined it: an entry with this key exists (a re-run of the same commit), another job is saving it, or this event may not write caches');
      }
      return { message: `baseline: saved Actions cache entry ${key} (${history.length} runs; experimental store)` };
    } catch (err) {
      const e = err as { name?: string };
      const why =
        e?.name === 'ReserveCacheError' || e?.name === 'CacheWriteDeniedError'
          ? `another job saved or is saving this key, or writes are denied (${firstLine(err)})`
          : firstLine(err);
      return this.notSaved(key, why);
    } finally {
      await rm(this.absDir, { recursive: true, force: true });
    }
  }

  private notSaved(key: string, why: string): SaveOutcome {
    (this.opts.warn ?? (() => undefined))(`${EXPERIMENTAL}: did not save ${key}: ${why}; the stored baseline is unchanged`);
    return { message: `baseline: cache entry ${key} not saved (${why})` };
  }
}
