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
    // This PR run (workflow 55), two main runs, one of another workflow, one failed.
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
  it("downloads the history of the newest successful run of the same workflow on the base branch", async () => {
    client.put(401, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('b'), makeRun('a')]) });
    client.put(300, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('other-workflow')]) });
    const load = await store().load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-b', 'commit-a']);
    expect(load.warnings).toEqual([]);
    expect(load.provenance?.description).toBe(`artifact ${NAME} of run 401 on main`);
    const get = client.calls.find((c) => c.op === 'get')!;
    expect(get.findBy).toEqual({ token: TOKEN, workflowRunId: 401, repositoryOwner: fake.owner, repositoryName: fake.repo });
    // It asked the REST API for successful runs of workflow 55 on main.
    expect(fake.requests.some((r) => r.path.startsWith(`/repos/${fake.owner}/${fake.repo}/actions/workflows/55/runs?`) && r.path.includes('branch=main') && r.path.includes('status=success'))).toBe(true);
  });

  it('falls back to an older run when the newest artifact is gone, and warns that it is old', async () => {
    client.put(400, NAME, { [HISTORY_FILE_NAME]: formatHistoryText([makeRun('a')]) });
    const load = await store().load();
    expect(load.history.map((r) => r.environment.commit)).toEqual(['commit-a']);
    expect(load.warnings).toEqual([
      'the baseline is 68 days old (run 400 on main); artifacts expire after 90 days by default — push to main to refresh it, or use baseline: branch:NAME',
      'the newest 1 successful run(s) on main had no baseline artifact; using an older one',
    ]);
  });

  it('says so when every artifact has expired', async () => {
    const load = await store().load();
    expect(load.history).toEqual([]);
    expect(load.warnings).toEqual([
      `artifact baseline: none of the last 2 successful runs on main has the artifact ${NAME} (expired, or never saved: save-baseline runs on a push to the default branch)`,
    ]);
  });

  it('says so when the base branch has no successful run yet', async () => {
    const load = await store({ baseBranch: 'release' }).load();
    expect(load).toEqual({ history: [], warnings: ['artifact baseline: no successful run of this workflow on release yet; a push to release stores one'] });
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
