// The action end to end, as the runner runs it, against the simulator and a local fake of
// the GitHub REST API: baseline on push, sticky comment on PRs, regression → failed step,
// the accept label, a fork PR with a read-only token, and no secret anywhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimServer } from '../../src/sim/server.js';
import { startFakeGitHub, type FakeGitHub } from '../github/fake-github.js';
import { pullRequestEvent, pushEvent, runAction, USING_BUNDLE, type ActionRun, type ActionSetup } from './action-harness.js';

const TOKEN = 'ghs_E2eInstallationToken1234567890abcdef';
const READONLY = 'ghs_E2eForkReadOnlyToken1234567890abcdef';
const API_KEY = 'sk-e2e-Secret-ApiKey-0123456789';

// Short but steady: 60 requests at 15/s, a few seconds per run.
const CONFIG = `seed: 3
scenarios:
  - name: chat
    workload:
      input_tokens: 64
      output_tokens: 16
    load:
      type: poisson
      rate: 15
      requests: 60
      warmup: 2
`;

let fake: FakeGitHub;
let normal: SimServer;
let slow: SimServer;
const runs: ActionRun[] = [];

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.tokens.set(TOKEN, { login: 'github-actions[bot]', type: 'Bot', canWrite: true, installation: true });
  fake.tokens.set(READONLY, { login: 'github-actions[bot]', type: 'Bot', canWrite: false, installation: true });
  normal = await startSim({ port: 0, seed: 1 });
  slow = await startSim({ port: 0, seed: 1, speed: 0.6 });
});
afterAll(async () => {
  await Promise.all([fake?.close(), normal?.close(), slow?.close()]);
});

function setup(over: { sim?: SimServer; event: 'push' | 'pr' | 'fork'; labels?: string[]; token?: string; inputs?: Record<string, string> }): ActionSetup {
  const sim = over.sim ?? normal;
  return {
    eventName: over.event === 'push' ? 'push' : 'pull_request',
    payload: over.event === 'push' ? pushEvent() : pullRequestEvent({ number: 7, fork: over.event === 'fork', labels: over.labels }),
    refName: over.event === 'push' ? 'main' : undefined,
    apiUrl: fake.url,
    inputs: {
      'base-url': `${sim.url}/v1`,
      'api-key': API_KEY,
      'github-token': over.token ?? TOKEN,
      config: CONFIG,
      baseline: 'branch:perf-data',
      'wait-timeout': '30',
      ...over.inputs,
    },
  };
}

async function act(s: ActionSetup): Promise<ActionRun> {
  const r = await runAction(s);
  runs.push(r);
  return r;
}

const ourComments = () => (fake.comments.get(7) ?? []).filter((c) => c.body.includes('<!-- llm-perf-gate:perf:bench:default -->'));

describe(`the action (${USING_BUNDLE ? 'dist/index.js' : 'src/index.ts via tsx'})`, () => {
  it('stores the baseline on a push to the default branch', async () => {
    const r = await act(setup({ event: 'push' }));
    expect(r.stderr).not.toMatch(/Error:|\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('no-baseline');
    const history = fake.branches.get('perf-data')?.get('llm-perf-gate/default.jsonl')?.content ?? '';
    expect(history.trim().split('\n')).toHaveLength(1);
    expect(Number(r.outputs['ttft-p90-ms'])).toBeGreaterThan(0);
    expect(r.outputs['results-path']).toBe(join(r.runnerTemp, 'llm-perf-gate/default/results.json'));
    expect(JSON.parse(readFileSync(r.outputs['results-path'], 'utf8')).scenarios[0].metrics.completed).toBe(60);
  }, 90_000);

  it('creates the comment on the first PR run and updates the same comment on the second', async () => {
    const first = await act(setup({ event: 'pr' }));
    expect(first.code).toBe(0);
    expect(['pass', 'inconclusive']).toContain(first.outputs.verdict);
    expect(ourComments()).toHaveLength(1);
    const id = ourComments()[0].id;
    expect(first.outputs['comment-url']).toBe(`https://github.com/octo-org/octo-repo/pull/7#issuecomment-${id}`);
    expect(first.summary).toContain('## llm-perf-gate');

    const second = await act(setup({ event: 'pr' }));
    expect(second.code).toBe(0);
    expect(ourComments()).toHaveLength(1);
    expect(ourComments()[0].id).toBe(id);
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url']);
    // The PR run did not save a baseline (save-baseline: auto saves on push only).
    expect(fake.branches.get('perf-data')!.get('llm-perf-gate/default.jsonl')!.content.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  it('fails with verdict=regression against a slowed simulator, with an annotation', async () => {
    const r = await act(setup({ event: 'pr', sim: slow }));
    expect(r.outputs.verdict).toBe('regression');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error::llm-perf-gate: regression/m);
    // Annotation properties are escaped by @actions/core (':' → %3A); the runner decodes them.
    expect(r.stdout).toMatch(/^::error title=llm-perf-gate%3A [a-z_]+\.[a-z0-9]+ regression::chat: /m);
    expect(ourComments()).toHaveLength(1);
    expect(ourComments()[0].body).toContain('regression');
  }, 90_000);

  it('reports the same regression without failing when the PR has the accept label', async () => {
    const r = await act(setup({ event: 'pr', sim: slow, labels: ['perf-regression-accepted'] }));
    expect(r.outputs.verdict).toBe('regression');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::notice::llm-perf-gate: regression.*accepted by the 'perf-regression-accepted' label/m);
  }, 90_000);

  it('on a fork PR with a read-only token: writes the summary, notices, and exits by the verdict', async () => {
    const before = JSON.stringify(fake.comments.get(7));
    const r = await act(setup({ event: 'fork', sim: slow, token: READONLY }));
    expect(r.outputs.verdict).toBe('regression');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error::llm-perf-gate: regression/m);
    expect(r.stdout).not.toContain('internal error');
    expect(r.stdout).toMatch(/^::notice::llm-perf-gate: cannot comment on the PR \(HTTP 403/m);
    expect(r.summary).toContain('## llm-perf-gate');
    expect(r.summary).toContain('regression');
    expect(JSON.stringify(fake.comments.get(7))).toBe(before);
    expect(r.outputs['comment-url'] ?? '').toBe('');
  }, 90_000);

  it('keeps two comments for two names', async () => {
    const r = await act(setup({ event: 'pr', inputs: { name: 'second' } }));
    expect(r.code).toBe(0);
    const markers = (fake.comments.get(7) ?? []).map((c) => c.body.split('\n')[0]);
    expect(markers).toEqual(['<!-- llm-perf-gate:perf:bench:default -->', '<!-- llm-perf-gate:perf:bench:second -->']);
  }, 90_000);

  it('never lets the API key or the token reach stdout, stderr, the summary, a comment or a file', () => {
    expect(runs.length).toBeGreaterThanOrEqual(6);
    const secrets = [API_KEY, TOKEN, READONLY];
    const texts: [string, string][] = [];
    for (const [i, r] of runs.entries()) {
      // `::add-mask::` is how the secret reaches the runner's masker; the runner never prints that line.
      texts.push([`run ${i} stdout`, r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')]);
      texts.push([`run ${i} stderr`, r.stderr]);
      texts.push([`run ${i} summary`, r.summary]);
      texts.push([`run ${i} outputs`, JSON.stringify(r.outputs)]);
      texts.push([`run ${i} state`, JSON.stringify(r.state)]);
      for (const root of [r.runnerTemp, r.workspace]) for (const f of walk(root)) texts.push([f, readFileSync(f, 'utf8')]);
    }
    for (const c of fake.comments.get(7) ?? []) texts.push([`comment ${c.id}`, c.body]);
    for (const [branch, files] of fake.branches) for (const [path, f] of files) texts.push([`${branch}:${path}`, f.content]);
    for (const req of fake.requests) texts.push([`request ${req.method} ${req.path}`, req.body]);
    expect(texts.length).toBeGreaterThan(30);
    const leaks = texts.filter(([, text]) => secrets.some((s) => text.includes(s))).map(([where]) => where);
    expect(leaks).toEqual([]);
    // And the masking request itself was made for both secrets.
    expect(runs[0].stdout).toContain(`::add-mask::${API_KEY}`);
    expect(runs[0].stdout).toContain(`::add-mask::${TOKEN}`);
  });
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}
