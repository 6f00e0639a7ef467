import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BranchStore, historyPathFor } from '../../src/baseline/branch-store.js';
import { parseHistoryText } from '../../src/baseline/history-file.js';
import { startFakeGitHub, type FakeGitHub } from '../github/fake-github.js';
import { makeRun } from './make-run.js';

let fake: FakeGitHub;
const TOKEN = 'ghs_branchstoretoken0000000000000000';
const READONLY = 'ghs_readonlytoken000000000000000000000';

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.tokens.set(TOKEN, { login: 'github-actions[bot]', type: 'Bot', canWrite: true, installation: true });
  fake.tokens.set(READONLY, { login: 'github-actions[bot]', type: 'Bot', canWrite: false, installation: true });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.branches = new Map([['main', new Map()]]);
  fake.stats = { conflicts: 0, writes: 0 };
  fake.readDelayMs = 0;
});

function store(token = TOKEN, extra: Partial<ConstructorParameters<typeof BranchStore>[0]> = {}): BranchStore {
  return new BranchStore({
    octokit: getOctokit(token, { baseUrl: fake.url }),
    owner: fake.owner,
    repo: fake.repo,
    branch: 'perf-data',
    path: historyPathFor('default'),
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
    ...extra,
  });
}

describe('BranchStore', () => {
  it('maps a name to a safe file path', () => {
    expect(historyPathFor('default')).toBe('llm-perf-gate/default.jsonl');
    expect(historyPathFor('GPU A100 / chat')).toBe('llm-perf-gate/GPU-A100-chat.jsonl');
    expect(historyPathFor('../..')).toBe('llm-perf-gate/default.jsonl');
  });

  it('loads an empty history, with a line saying so, when the branch does not exist', async () => {
    const load = await store().load();
    expect(load.history).toEqual([]);
    expect(load.warnings).toEqual(['no stored history yet at branch:perf-data llm-perf-gate/default.jsonl']);
  });

  it('creates the orphan data branch on the first save, then appends newest-first', async () => {
    const s = store();
    await s.save(makeRun('a'));
    expect(fake.branches.get('perf-data')?.has('llm-perf-gate/default.jsonl')).toBe(true);
    await s.save(makeRun('b'));
    const load = await s.load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-b', 'commit-a']);
    // Only the newest keeps its per-request records.
    expect(load.history[0].scenarios[0].requests).toHaveLength(3);
    expect(load.history[1].scenarios[0].requests).toHaveLength(0);
    expect(load.provenance?.description).toBe('2 stored runs on branch perf-data (llm-perf-gate/default.jsonl)');
    // The file is JSONL: one run per line, oldest first.
    const text = fake.branches.get('perf-data')!.get('llm-perf-gate/default.jsonl')!.content;
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(JSON.parse(text.split('\n')[0]).environment.commit).toBe('commit-a');
  });

  it('caps the history length', async () => {
    const s = store(TOKEN, { cap: 3 });
    for (const tag of ['1', '2', '3', '4', '5']) await s.save(makeRun(tag));
    const load = await s.load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-5', 'commit-4', 'commit-3']);
  });

  it('keeps every one of 10 concurrent appends while stale writes get 409', async () => {
    await store().save(makeRun('seed'));
    fake.readDelayMs = 15;
    const tags = Array.from({ length: 10 }, (_, i) => `c${i}`);
    await Promise.all(tags.map((t) => store().save(makeRun(t))));
    const { history } = await store().load();
    expect(history).toHaveLength(11);
    expect(new Set(history.map((r) => r.environment.commit))).toEqual(new Set(['commit-seed', ...tags.map((t) => `commit-${t}`)]));
    expect(fake.stats.conflicts).toBeGreaterThan(0);
    // One successful PUT per append (the seed created the branch through the git API).
    expect(fake.stats.writes).toBe(10);
  });

  it('keeps every append when 10 runs race to create the branch itself', async () => {
    const tags = Array.from({ length: 10 }, (_, i) => `r${i}`);
    await Promise.all(tags.map((t) => store().save(makeRun(t))));
    const { history } = await store().load();
    expect(new Set(history.map((r) => r.environment.commit))).toEqual(new Set(tags.map((t) => `commit-${t}`)));
  });

  it('skips an unreadable line with a warning instead of losing the history', async () => {
    await store().save(makeRun('good'));
    const file = fake.branches.get('perf-data')!.get('llm-perf-gate/default.jsonl')!;
    file.content = '{"not":"a run"}\n' + file.content;
    const load = await store().load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-good']);
    expect(load.warnings).toHaveLength(1);
    expect(load.warnings[0]).toMatch(/^branch:perf-data llm-perf-gate\/default\.jsonl:1: skipped an unreadable stored run/);
  });

  it('says which permission is missing when the token is read-only', async () => {
    await expect(store(READONLY).save(makeRun('x'))).rejects.toThrow(/HTTP 403.*contents: write/);
  });

  it('parses a single pretty-printed results file as a one-run history', () => {
    const { history } = parseHistoryText(JSON.stringify(makeRun('solo'), null, 2), 'x.json');
    expect(history.map((r) => r.environment.commit)).toEqual(['commit-solo']);
  });
});
