import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReserveCacheError } from '@actions/cache';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDirFor, cacheKey, cacheKeyPrefix, CACHE_HISTORY_FILE, CacheStore, type CacheClientLike, type CacheStoreOptions } from '../../src/baseline/cache-store.js';
import { formatHistoryText } from '../../src/baseline/history-file.js';
import { createBaselineStore } from '../../src/github/stores.js';
import type { ActionContext } from '../../src/github/context.js';
import { makeRun } from './make-run.js';

/**
 * The @actions/cache boundary, shaped like the service: entries are immutable (saving an
 * existing key throws ReserveCacheError), the primary key is tried first, then each restore
 * key as a prefix matching the newest entry; paths resolve against the workspace.
 */
class FakeCacheService implements CacheClientLike {
  entries: { key: string; paths: string[]; files: Map<string, string>; savedAt: number }[] = [];
  calls: { op: string; paths: string[]; key: string; restoreKeys?: string[] }[] = [];
  available = true;
  failRestore: Error | undefined;
  private clock = 0;

  constructor(private readonly workspace: string) {}

  put(key: string, files: Record<string, string>, paths = [cacheDirFor('default')]): void {
    this.entries.push({ key, paths, files: new Map(Object.entries(files)), savedAt: ++this.clock });
  }
  isFeatureAvailable(): boolean {
    return this.available;
  }
  async restoreCache(paths: string[], primaryKey: string, restoreKeys: string[] = []): Promise<string | undefined> {
    this.calls.push({ op: 'restore', paths, key: primaryKey, restoreKeys });
    if (this.failRestore) throw this.failRestore;
    // Only an entry saved with the same paths is a match (the service's "version").
    const same = this.entries.filter((e) => e.paths.join('|') === paths.join('|'));
    const newest = (match: (k: string) => boolean) => same.filter((e) => match(e.key)).sort((a, b) => b.savedAt - a.savedAt)[0];
    const hit = same.find((e) => e.key === primaryKey) ?? restoreKeys.map((p) => newest((k) => k.startsWith(p))).find((e) => e !== undefined);
    if (!hit) return undefined;
    const dir = resolve(this.workspace, paths[0]);
    await mkdir(dir, { recursive: true });
    for (const [name, text] of hit.files) await writeFile(join(dir, name), text);
    return hit.key;
  }
  async saveCache(paths: string[], key: string): Promise<number> {
    this.calls.push({ op: 'save', paths, key });
    if (this.entries.some((e) => e.key === key)) throw new ReserveCacheError(`Unable to reserve cache with key ${key}, another job may be creating this cache.`);
    const dir = resolve(this.workspace, paths[0]);
    const files = new Map<string, string>();
    for (const name of await readdir(dir)) files.set(name, await readFile(join(dir, name), 'utf8'));
    this.entries.push({ key, paths, files, savedAt: ++this.clock });
    return this.entries.length;
  }
}

const SHA = 'a'.repeat(40);
const NOW = Date.parse('2026-03-03T12:00:00Z'); // two days after make-run's startedAt
const MAIN = cacheKeyPrefix('default', 'main');

let workspace: string;
let cache: FakeCacheService;
let warned: string[];

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'cache-store-'));
  cache = new FakeCacheService(workspace);
  warned = [];
});
afterEach(() => rm(workspace, { recursive: true, force: true }));

function store(extra: Partial<CacheStoreOptions> = {}): CacheStore {
  return new CacheStore({ client: cache, name: 'default', baseBranch: 'main', branch: 'main', sha: SHA, workspace, now: () => NOW, warn: (l) => warned.push(l), ...extra });
}

const commits = (runs: { environment: { commit?: string } }[]) => runs.map((r) => r.environment.commit);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('cache keys', () => {
  it('is per commit under a prefix that cannot match another branch or step name', () => {
    expect(cacheKey('default', 'main', SHA)).toBe(`llm-perf-gate-default@main:${SHA}`);
    expect(cacheKey('Chat / 8B', 'release/1.x', 'b'.repeat(40))).toBe(`llm-perf-gate-Chat-8B@release/1.x:${'b'.repeat(40)}`);
    // The prefix of main must not match main-v2's entries, nor those of a step named "default-main".
    expect(cacheKey('default', 'main-v2', SHA).startsWith(MAIN)).toBe(false);
    expect(cacheKey('default-main', 'x', SHA).startsWith(MAIN)).toBe(false);
    expect(cacheKeyPrefix('', 'a,b')).toBe('llm-perf-gate-default@a-b:');
  });
});

describe('CacheStore.load', () => {
  it('restores the entry of this exact commit when there is one', async () => {
    cache.put(MAIN + 'f'.repeat(40), { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('older')]) });
    cache.put(MAIN + SHA, { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('b'), makeRun('a')]) });
    const load = await store().load();
    expect(commits(load.history)).toEqual(['commit-b', 'commit-a']);
    expect(load.warnings).toEqual([]);
    expect(load.provenance).toEqual({ description: `Actions cache entry ${MAIN + SHA} (this commit; experimental store)`, createdAt: '2026-03-01T12:00:00.000Z' });
    expect(cache.calls).toEqual([{ op: 'restore', paths: ['.llm-perf-gate/cache/default'], key: MAIN + SHA, restoreKeys: [MAIN] }]);
    // The restored directory is removed once read: the user's checkout stays clean.
    expect(await exists(join(workspace, '.llm-perf-gate/cache/default'))).toBe(false);
  });

  it("restores the newest entry of the base branch by prefix (a PR's merge commit has none of its own)", async () => {
    cache.put(MAIN + '1'.repeat(40), { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('first')]) });
    cache.put(MAIN + '2'.repeat(40), { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('second'), makeRun('first')]) });
    cache.put(cacheKey('default', 'main-v2', '3'.repeat(40)), { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('other-branch')]) });
    cache.put(cacheKey('other', 'main', '4'.repeat(40)), { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('other-step')]) });
    const load = await store({ branch: '7/merge', sha: 'c'.repeat(40) }).load();
    expect(commits(load.history)).toEqual(['commit-second', 'commit-first']);
    expect(load.provenance?.description).toBe(`Actions cache entry ${MAIN + '2'.repeat(40)} (newest of main; experimental store)`);
  });

  it('is no baseline, with a warning that the entry may have been evicted, on a miss', async () => {
    const load = await store().load();
    expect(load).toEqual({
      history: [],
      warnings: [
        `cache baseline (experimental): no cache entry ${MAIN}* — none saved on main yet, or evicted (entries unused for 7 days are removed, and a repository keeps at most 10 GB); a push to main saves one, and baseline: branch:NAME keeps history for good`,
      ],
    });
  });

  it('ignores a corrupt restored file with a warning, never a crash, and the next save starts afresh', async () => {
    cache.put(MAIN + SHA, { [CACHE_HISTORY_FILE]: '{"schemaVersion": 1, "this is": not json\n\u0000garbage\n' });
    const s = store({ sha: 'd'.repeat(40) }); // prefix restore of the corrupt entry
    const load = await s.load();
    expect(load.history).toEqual([]);
    expect(load.provenance).toBeUndefined();
    expect(load.warnings).toHaveLength(3);
    expect(load.warnings[0]).toMatch(new RegExp(`^cache entry ${MAIN + SHA}:1: skipped an unreadable stored run`));
    expect(load.warnings[1]).toMatch(new RegExp(`^cache entry ${MAIN + SHA}:2: skipped an unreadable stored run`));
    expect(load.warnings[2]).toBe(`cache baseline (experimental): cache entry ${MAIN + SHA} holds no readable run; ignored as a baseline, the next save starts a new history`);
    await s.save(makeRun('new'));
    const saved = cache.entries.find((e) => e.key === MAIN + 'd'.repeat(40))!;
    expect(commits(saved.files.get(CACHE_HISTORY_FILE)!.trim().split('\n').map((l) => JSON.parse(l)))).toEqual(['commit-new']);
  });

  it('keeps the readable runs of a partly damaged history and says which line was skipped', async () => {
    const text = formatHistoryText([makeRun('b'), makeRun('a')]);
    const [lineA, lineB] = text.trim().split('\n');
    cache.put(MAIN + SHA, { [CACHE_HISTORY_FILE]: `${lineA}\n{"truncated":\n${lineB}\n` });
    const load = await store().load();
    expect(commits(load.history)).toEqual(['commit-b', 'commit-a']);
    expect(load.warnings).toHaveLength(1);
    expect(load.warnings[0]).toMatch(new RegExp(`^cache entry ${MAIN + SHA}:2: skipped an unreadable stored run \\(`));
  });

  it('warns when the restored entry has no history file', async () => {
    cache.put(MAIN + SHA, { 'other.txt': 'x' });
    const load = await store().load();
    expect(load).toEqual({
      history: [],
      warnings: [`cache baseline (experimental): cache entry ${MAIN + SHA} has no history.jsonl; ignored as a baseline, the next save starts a new history`],
    });
  });

  it('never reads a stale directory left by an earlier job as if it were restored', async () => {
    const dir = join(workspace, cacheDirFor('default'));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, CACHE_HISTORY_FILE), formatHistoryText([makeRun('stale')]));
    cache.put(MAIN + SHA, { 'other.txt': 'x' });
    const load = await store().load();
    expect(load.history).toEqual([]);
  });

  it('warns when the newest stored run is old', async () => {
    cache.put(MAIN + SHA, { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('a')]) });
    const load = await store({ now: () => Date.parse('2026-04-15T12:00:00Z') }).load();
    expect(load.history).toHaveLength(1);
    expect(load.warnings).toEqual([`the baseline is 45 days old (cache entry ${MAIN + SHA}); push to main to refresh it`]);
  });

  it('is no baseline, with a warning, when the cache service is missing or fails', async () => {
    cache.available = false;
    expect(await store().load()).toEqual({
      history: [],
      warnings: ['cache baseline (experimental): the Actions cache service is not available on this runner; use baseline: artifact or branch:NAME'],
    });
    cache.available = true;
    cache.failRestore = new Error('cache read denied: untrusted event\nmore detail');
    expect(await store().load()).toEqual({
      history: [],
      warnings: [`cache baseline (experimental): cannot restore ${MAIN}* (cache read denied: untrusted event); no baseline this run`],
    });
  });
});

describe('CacheStore.save', () => {
  it('saves the restored history with this run appended, capped, under the per-commit key', async () => {
    cache.put(MAIN + '1'.repeat(40), { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('b'), makeRun('a')]) });
    const s = store({ cap: 2 });
    await s.load();
    const out = await s.save(makeRun('new'));
    expect(out).toEqual({ message: `baseline: saved Actions cache entry ${MAIN + SHA} (2 runs; experimental store)` });
    expect(warned).toEqual([]);
    const save = cache.calls.find((c) => c.op === 'save')!;
    expect(save).toEqual({ op: 'save', paths: ['.llm-perf-gate/cache/default'], key: MAIN + SHA });
    const lines = cache.entries.at(-1)!.files.get(CACHE_HISTORY_FILE)!.trim().split('\n').map((l) => JSON.parse(l));
    // Oldest first on disk; only the newest run keeps its per-request records.
    expect(commits(lines)).toEqual(['commit-b', 'commit-new']);
    expect(lines.map((r) => r.scenarios[0].requests.length)).toEqual([0, 3]);
    expect(await exists(join(workspace, '.llm-perf-gate'))).toBe(true);
    expect(await exists(join(workspace, cacheDirFor('default')))).toBe(false);
    // The next commit's PR run restores what was just saved.
    const next = await store({ sha: 'e'.repeat(40) }).load();
    expect(commits(next.history)).toEqual(['commit-new', 'commit-b']);
  });

  it('loads first when save is called without a load', async () => {
    cache.put(MAIN + '1'.repeat(40), { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('a')]) });
    await store().save(makeRun('new'));
    const text = cache.entries.at(-1)!.files.get(CACHE_HISTORY_FILE)!;
    expect(commits(text.trim().split('\n').map((l) => JSON.parse(l)))).toEqual(['commit-a', 'commit-new']);
  });

  it('warns and does not fail when the key exists already (another job saved it)', async () => {
    cache.put(MAIN + SHA, { [CACHE_HISTORY_FILE]: formatHistoryText([makeRun('first-attempt')]) });
    const s = store();
    await s.load();
    const out = await s.save(makeRun('re-run'));
    expect(out.message).toBe(
      `baseline: cache entry ${MAIN + SHA} not saved (another job saved or is saving this key, or writes are denied (Unable to reserve cache with key ${MAIN + SHA}, another job may be creating this cache.))`,
    );
    expect(warned).toEqual([
      `cache baseline (experimental): did not save ${MAIN + SHA}: another job saved or is saving this key, or writes are denied (Unable to reserve cache with key ${MAIN + SHA}, another job may be creating this cache.); the stored baseline is unchanged`,
    ]);
    expect(cache.entries).toHaveLength(1);
  });

  it('warns when the library declines to save (it returns -1 after catching the error itself)', async () => {
    const declining: CacheClientLike = { ...cache, isFeatureAvailable: () => true, restoreCache: async () => undefined, saveCache: async () => -1 };
    const out = await store({ client: declining }).save(makeRun('new'));
    expect(out.message).toMatch(/^baseline: cache entry .* not saved \(the cache service declined it: an entry with this key exists/);
    expect(warned).toHaveLength(1);
  });

  it('warns on any other save error (a network failure), never throws', async () => {
    const failing: CacheClientLike = { isFeatureAvailable: () => true, restoreCache: async () => undefined, saveCache: async () => Promise.reject(new Error('socket hang up')) };
    await expect(store({ client: failing }).save(makeRun('new'))).resolves.toEqual({ message: `baseline: cache entry ${MAIN + SHA} not saved (socket hang up)` });
    expect(warned).toEqual([`cache baseline (experimental): did not save ${MAIN + SHA}: socket hang up; the stored baseline is unchanged`]);
  });

  it('refuses a key over the 512 characters the cache allows, with a warning', async () => {
    const out = await store({ branch: 'b'.repeat(500) }).save(makeRun('new'));
    expect(out.message).toMatch(/not saved \(the key is longer than the cache's 512 characters; use a shorter name input\)$/);
    expect(cache.calls.filter((c) => c.op === 'save')).toEqual([]);
  });
});

describe('createBaselineStore(cache)', () => {
  const ctx = (over: Partial<ActionContext> = {}): ActionContext => ({
    eventName: 'pull_request',
    owner: 'o',
    repo: 'r',
    runId: 1,
    runAttempt: 1,
    workflow: 'w',
    job: 'j',
    sha: SHA,
    refName: '7/merge',
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    pullRequest: { number: 7, baseRef: 'main', fromFork: false, labels: [] },
    runnerTemp: '',
    workspace,
    ...over,
  });
  const deps = { spec: { kind: 'cache' as const }, name: 'default', artifactClient: async () => Promise.reject(new Error('unused')) };

  it('builds the cache store for the base branch of a PR', async () => {
    const s = await createBaselineStore({ ...deps, ctx: ctx() });
    expect(s).toBeInstanceOf(CacheStore);
    expect(s.label).toBe('cache');
  });

  it('needs GITHUB_SHA for its per-commit key', async () => {
    await expect(createBaselineStore({ ...deps, ctx: ctx({ sha: undefined }) })).rejects.toThrow(
      'input baseline: cache needs GITHUB_SHA (set by the Actions runner) for its per-commit key; use artifact or branch:NAME elsewhere',
    );
  });
});
