import { getOctokit } from '@actions/github';
import { mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { FindOptions } from '@actions/artifact';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore, baselineArtifactName, HISTORY_FILE_NAME, type ArtifactClientLike } from '../../src/baseline/artifact-store.js';
import { formatHistoryText } from '../../src/baseline/history-file.js';
import { startFakeGitHub, type FakeGitHub } from '../github/fake-github.js';
import { makeRun } from './make-run.js';

/** The @actions/artifact client boundary: artifacts per workflow run, found by name. */
class FakeArtifactClient implements ArtifactClientLike {
  byRun = new Map<number, Map<string, { id: number; files: Map<string, string> }>>();
  calls: { op: string; name?: string; id?: number; findBy?: FindOptions['findBy'] }[] = [];
  uploads: { name: string; files: Map<string, string> }[] = [];
  private nextId = 1;

  put(runId: number, name: string, files: Record<string, string>): void {
    const run = this.byRun.get(runId) ?? new Map();
    run.set(name, { id: this.nextId++, files: new Map(Object.entries(files)) });
    this.byRun.set(runId, run);
  }
  async getArtifact(name: string, options?: FindOptions) {
    this.calls.push({ op: 'get', name, findBy: options?.findBy });
    const a = this.byRun.get(options?.findBy?.workflowRunId ?? -1)?.get(name);
    if (!a) {
      const err = new Error(`Artifact not found for name: ${name}`);
      err.name = 'ArtifactNotFoundError';
      throw err;
    }
    return { artifact: { name, id: a.id, size: 1 } };
  }
  async downloadArtifact(id: number, options?: { path?: string; findBy?: FindOptions['findBy'] }) {
    this.calls.push({ op: 'download', id, findBy: options?.findBy });
    for (const run of this.byRun.values()) {
      for (const a of run.values()) {
        if (a.id !== id) continue;
        for (const [file, text] of a.files) await writeFile(join(options!.path!, file), text);
        return { downloadPath: options!.path };
      }
    }
    throw new Error('no such artifact id');
  }
  async uploadArtifact(name: string, files: string[], _root: string) {
    this.uploads.push({ name, files: new Map(files.map((f) => [basename(f), readFileSync(f, 'utf8')])) });
    return { id: 99, size: 1 };
  }
}

let fake: FakeGitHub;
const TOKEN = 'ghs_artifacttoken000000000000000000000';
const NOW = Date.parse('2026-03-10T00:00:00Z');
const NAME = baselineArtifactName('default');

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.tokens.set(TOKEN, { login: 'github-actions[bot]', type: 'Bot', canWrite: true, installation: true });
});
afterAll(() => fake.close());

let client: FakeArtifactClient;
beforeEach(() => {
  client = new FakeArtifactClient();
  fake.runs = [
    // This PR run (workflow 55); three push runs on main, the newest of which failed (a
    // regression still saves its baseline); one run of another workflow.
    { id: 500, workflow_id: 55, head_branch: 'feature', head_sha: 'f', event: 'pull_request', status: 'in_progress', conclusion: null, created_at: '2026-03-09T23:00:00Z' },
    { id: 401, workflow_id: 55, head_branch: 'main', head_sha: 'b', event: 'push', status: 'completed', conclusion: 'success', created_at: '2026-03-08T00:00:00Z' },
    { id: 400, workflow_id: 55, head_branch: 'main', head_sha: 'a', event: 'push', status: 'completed', conclusion: 'success', created_at: '2026-01-01T00:00:00Z' },
    { id: 402, workflow_id: 55, head_branch: 'main', head_sha: 'c', event: 'push', status: 'completed', conclusion: 'failure', created_at: '2026-03-09T00:00:00Z' },
    { id: 300, workflow_id: 77, head_branch: 'main', head_sha: 'd', event: 'push', status: 'completed', conclusion: 'success', created_at: '2026-03-09T12:00:00Z' },
  ];
});

function store(extra: Partial<ConstructorParameters<typeof ArtifactStore>[0]> = {}): ArtifactStore {
  return new ArtifactStore({
    octokit: getOctokit(TOKEN, { baseUrl: fake.url }),
    client,
    token: TOKEN,
    owner: fake.owner,
    repo: fake.repo,
    runId: 500,
    baseBranch: 'main',
    artifactName: NAME,
    workDir: mkdtempSync(join(tmpdir(), 'artifact-store-')),
    now: () => NOW,
    ...extra,
  });
}

describe('ArtifactStore', () => {
  it('downloads the history of the newest finished run of the same workflow on the base branch that has the artifact', async () => {
    client.put(401, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('b'), makeRun('a')]) });
    client.put(300, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('other-workflow')]) });
    const load = await store().load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-b', 'commit-a']);
    // 402 (newer, concluded failure) was looked at first and had no artifact.
    expect(load.warnings).toEqual(['the newest 1 finished run(s) on main had no baseline artifact; using an older one']);
    expect(load.provenance?.description).toBe(`artifact ${NAME} of run 401 on main`);
    expect(client.calls.filter((c) => c.op === 'get').map((c) => c.findBy?.workflowRunId)).toEqual([402, 401]);
    const get = client.calls.find((c) => c.op === 'get' && c.findBy?.workflowRunId === 401)!;
    expect(get.findBy).toEqual({ token: TOKEN, workflowRunId: 401, repositoryOwner: fake.owner, repositoryName: fake.repo });
  });

  it('asks for completed runs of this workflow on the base branch, one page per trusted event, never pull_request', async () => {
    const before = fake.requests.length;
    await store().load();
    const lists = fake.requests.slice(before).filter((r) => r.path.startsWith(`/repos/${fake.owner}/${fake.repo}/actions/workflows/55/runs?`));
    const params = lists.map((r) => new URL(r.path, 'http://x').searchParams);
    expect(params.map((p) => p.get('event'))).toEqual(['push', 'schedule', 'workflow_dispatch']);
    for (const p of params) {
      expect([p.get('branch'), p.get('status'), p.get('per_page'), p.get('page')]).toEqual(['main', 'completed', '30', null]);
    }
  });

  it('uses a newer push run that concluded failure (a regression saved on main) when it has the artifact', async () => {
    client.put(401, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('b'), makeRun('a')]) });
    client.put(402, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('c'), makeRun('b'), makeRun('a')]) });
    const load = await store().load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-c', 'commit-b', 'commit-a']);
    expect(load.warnings).toEqual([]);
    expect(load.provenance?.description).toBe(`artifact ${NAME} of run 402 on main`);
  });

  it('never takes the baseline from a pull_request run, even one from a fork branch named like the base branch', async () => {
    fake.runs.push({ id: 403, workflow_id: 55, head_branch: 'main', head_sha: 'evil', event: 'pull_request', status: 'completed', conclusion: 'success', created_at: '2026-03-09T22:00:00Z' });
    client.put(403, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('evil', 1)]) });
    client.put(401, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('b')]) });
    const load = await store().load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-b']);
    expect(client.calls.some((c) => c.findBy?.workflowRunId === 403)).toBe(false);
  });

  it('takes a scheduled run on the base branch (save-baseline: always) when it is the newest with the artifact', async () => {
    fake.runs.push({ id: 404, workflow_id: 55, head_branch: 'main', head_sha: 'n', event: 'schedule', status: 'completed', conclusion: 'success', created_at: '2026-03-09T06:00:00Z' });
    client.put(404, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('nightly')]) });
    client.put(401, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('b')]) });
    const load = await store().load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-nightly']);
    expect(client.calls.filter((c) => c.op === 'get').map((c) => c.findBy?.workflowRunId)).toEqual([404]);
  });

  it('looks at no more than maxRunsToSearch runs for the artifact', async () => {
    const load = await store({ maxRunsToSearch: 2 }).load();
    expect(load.history).toEqual([]);
    expect(client.calls.filter((c) => c.op === 'get').map((c) => c.findBy?.workflowRunId)).toEqual([402, 401]);
  });

  it('falls back to an older run when the newer artifacts are gone, and warns that it is old', async () => {
    client.put(400, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('a')]) });
    const load = await store().load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-a']);
    expect(load.warnings).toEqual([
      'the baseline is 68 days old (run 400 on main); artifacts expire after 90 days by default — push to main to refresh it, or use baseline: branch:NAME',
      'the newest 2 finished run(s) on main had no baseline artifact; using an older one',
    ]);
  });

  it('says so when every artifact has expired', async () => {
    const load = await store().load();
    expect(load.history).toEqual([]);
    expect(load.warnings).toEqual([
      `artifact baseline: none of the last 3 finished runs on main has the artifact ${NAME} (expired, or never saved: save-baseline: auto saves on a push to the default branch, and a run whose verdict is error saves nothing)`,
    ]);
  });

  it('says so when the base branch has no finished run yet', async () => {
    const load = await store({ baseBranch: 'release' }).load();
    expect(load).toEqual({ history: [], warnings: ['artifact baseline: no finished push, schedule or workflow_dispatch run of this workflow on release yet; a push to release stores one'] });
  });

  it('uploads the loaded history with this run added, newest first, capped', async () => {
    client.put(401, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('b'), makeRun('a')]) });
    const s = store({ cap: 2 });
    await s.load();
    const out = await s.save(makeRun('new'));
    expect(out.message).toBe(`baseline: uploaded artifact ${NAME} (2 runs, id 99)`);
    expect(client.uploads).toHaveLength(1);
    const text = client.uploads[0].files.get(HISTORY_FILE_NAME)!;
    const commits = text.trim().split('\n').map((l) => JSON.parse(l).environment.commit);
    expect(commits).toEqual(['commit-b', 'commit-new']);
  });
});
