// The action through a two-shard matrix and a report step, as the runner runs it, against
// one simulator and a local fake of the GitHub REST API: the shard jobs comment nothing,
// the report job merges both shards and writes exactly one comment. Then paired mode: both
// servers up side by side, and one server at a time (each run starts and stops its own).
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/github/server-process.js';
import { downloadParts, mergeParts, partArtifactName, uploadPart } from '../../src/github/shards.js';
import { startSim, type SimServer } from '../../src/sim/server.js';
import { FakeRunArtifacts } from '../github/fake-artifacts.js';
import { startFakeGitHub, type FakeGitHub } from '../github/fake-github.js';
import { freePort } from '../github/free-port.js';
import { pullRequestEvent, runAction, runActionInProcess, simShellCommand, USING_BUNDLE, type ActionSetup } from './action-harness.js';

const TOKEN = 'ghs_E2ePairedShardsToken1234567890abcdef';

const CONFIG = `seed: 3
scenarios:
  - name: chat
    workload: { input_tokens: 64, output_tokens: 16 }
    load: { type: poisson, rate: 20, requests: 40, warmup: 1 }
    body: { ignore_eos: true }
`;

let fake: FakeGitHub;
let sim: SimServer;
let slow: SimServer;

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.tokens.set(TOKEN, { login: 'github-actions[bot]', type: 'Bot', canWrite: true, installation: true });
  sim = await startSim({ port: 0, seed: 1 });
  slow = await startSim({ port: 0, seed: 1, speed: 0.7 });
});
afterAll(async () => {
  await Promise.all([fake?.close(), sim?.close(), slow?.close()]);
});

function setup(inputs: Record<string, string>, workspaceFiles?: Record<string, string>): ActionSetup {
  return {
    eventName: 'pull_request',
    payload: pullRequestEvent({ number: 7 }),
    apiUrl: fake.url,
    workspaceFiles,
    inputs: { 'github-token': TOKEN, config: CONFIG, baseline: 'branch:perf-data', 'wait-timeout': '30', ...inputs },
  };
}

const ourComments = () => (fake.comments.get(7) ?? []).filter((c) => c.body.includes('<!-- llm-perf-gate:perf:bench:default -->'));

describe(`matrix shards and a report job (${USING_BUNDLE ? 'dist/index.js' : 'src/index.ts via tsx'})`, () => {
  it('two shard jobs upload partial results without commenting; the report job merges them and comments once', async () => {
    const shards = await Promise.all(['1/2', '2/2'].map((shard) => runAction(setup({ 'base-url': sim.url, shard }))));
    for (const r of shards) {
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(0);
      expect(r.outputs.verdict).toBe('no-baseline');
      // Outside a real runner there is no artifact service: the job says how to upload instead.
      expect(r.stdout).toMatch(/^::warning::could not upload the shard results/m);
    }
    expect(ourComments()).toHaveLength(0);

    // What actions/download-artifact would lay out: one folder per artifact.
    const files: Record<string, string> = {};
    for (const [i, r] of shards.entries()) files[`shards/part-${i + 1}/results.json`] = readFileSync(r.outputs['results-path'], 'utf8');
    const report = await runAction(setup({ mode: 'report', 'shards-path': 'shards' }, files));
    expect(report.stderr).not.toMatch(/\n\s+at /);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('merged 2 results files: chat');
    expect(report.outputs.verdict).toBe('no-baseline');
    const merged = JSON.parse(readFileSync(report.outputs['results-path'], 'utf8'));
    expect(merged.scenarios).toHaveLength(1);
    expect(merged.scenarios[0].requests).toHaveLength(40);
    expect(merged.scenarios[0].config.shards).toBe(2);
    expect(ourComments()).toHaveLength(1);
    expect(ourComments()[0].body).toContain('chat');

    // A second report run updates the same comment.
    const again = await runAction(setup({ mode: 'report', 'shards-path': 'shards' }, files));
    expect(again.code).toBe(0);
    expect(ourComments()).toHaveLength(1);
  }, 180_000);

  it('a report job with a missing shard is bad input, in one line', async () => {
    const one = await runAction(setup({ 'base-url': sim.url, shard: '1/2', name: 'lonely' }));
    const files = { 'parts/a/results.json': readFileSync(one.outputs['results-path'], 'utf8') };
    const report = await runAction(setup({ mode: 'report', 'shards-path': 'parts', name: 'lonely', comment: 'never' }, files));
    expect(report.outputs.verdict).toBe('error');
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/^::error::llm-perf-gate: the run failed: merge: scenario 'chat': shard 2\/2 missing/m);
  }, 120_000);

  it('paired mode: rounds against baseline-url, one comment, and a slower candidate fails the job', async () => {
    const r = await runAction(setup({ 'base-url': slow.url, 'baseline-url': sim.url, rounds: '4', name: 'paired', baseline: 'none' }));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toContain('paired round 4/4: candidate server');
    expect(r.outputs.verdict).toBe('regression');
    expect(r.code).toBe(1);
    const comments = (fake.comments.get(7) ?? []).filter((c) => c.body.includes('<!-- llm-perf-gate:perf:bench:paired -->'));
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/paired: 4 rounds, baseline server http:\/\/127\.0\.0\.1:\d+ against candidate http:\/\/127\.0\.0\.1:\d+/);
    expect(comments[0].body).toMatch(/tpot_ms\.p50 regressed/);
  }, 180_000);
});

describe('shard artifacts through the artifact client boundary', () => {
  it('uploads each shard under its own name and the report side downloads and merges them all', async () => {
    const client = new FakeRunArtifacts();
    const work = mkdtempSync(join(tmpdir(), 'lpg-parts-'));
    const { runConfig } = await import('../../src/run.js');
    const { parseConfigText } = await import('../../src/config/load.js');
    const { writeRunResultFile } = await import('../../src/report/results-file.js');
    for (const shard of ['1/2', '2/2']) {
      const result = await runConfig({ ...parseConfigText(CONFIG, 'test'), shard }, { baseUrl: sim.url });
      const dir = join(work, shard.replace('/', '-'));
      mkdirSync(dir);
      await writeRunResultFile(join(dir, 'results.json'), result);
      expect(await uploadPart(client, 'default', shard, join(dir, 'results.json'), dir)).toMatch(/^shard results uploaded as artifact llm-perf-gate-part-default-\d-of-2 \(id \d\)$/);
    }
    client.artifacts.set('unrelated', { id: 50, files: new Map() });
    expect([...client.artifacts.keys()]).toEqual([partArtifactName('default', '1/2'), partArtifactName('default', '2/2'), 'unrelated']);
    const got = await downloadParts(client, work, 'default');
    expect(got.names).toEqual(['llm-perf-gate-part-default-1-of-2', 'llm-perf-gate-part-default-2-of-2']);
    const { merged, files } = await mergeParts([got.dir]);
    expect(files).toBe(2);
    expect(merged.scenarios[0].requests).toHaveLength(40);
    cpSync(got.dir, join(work, 'copy'), { recursive: true });
    await expect(downloadParts(new FakeRunArtifacts(), work, 'default')).rejects.toThrow(/has no llm-perf-gate-part-default-<i>-of-<N> artifacts/);
  }, 60_000);
});

describe('the action\'s own shard uploads and downloads (main in this process, a fake artifact service)', () => {
  const SMALL = CONFIG.replace('rate: 20, requests: 40', 'rate: 50, requests: 20');
  const marker = (name: string) => `<!-- llm-perf-gate:perf:bench:${name} -->`;

  it('shard jobs upload their parts; the report job downloads its own name\'s parts itself (no shards-path) and comments once', async () => {
    const artifacts = new FakeRunArtifacts();
    const deps = { artifactClient: async () => artifacts };
    // Runs one after another: in-process runs share process.env.
    for (const shard of ['1/2', '2/2']) {
      const r = await runActionInProcess(setup({ 'base-url': sim.url, shard, name: 'uploaded', config: SMALL }), deps);
      expect(r.code).toBe(0);
      expect(r.outputs.verdict).toBe('no-baseline');
      expect(r.stdout).toMatch(new RegExp(`^shard results uploaded as artifact llm-perf-gate-part-uploaded-${shard[0]}-of-2 \\(id \\d+\\)$`, 'm'));
      expect(r.stdout).not.toContain('::warning::');
    }
    // Another sharded gate of the same workflow run: its part must not join this merge.
    const other = await runActionInProcess(setup({ 'base-url': sim.url, shard: '1/1', name: 'other', config: SMALL }), deps);
    expect(other.code).toBe(0);
    // Shard jobs upload their part only: the HTML report comes from the report job.
    expect(artifacts.uploads.map((u) => u.name)).toEqual(['llm-perf-gate-part-uploaded-1-of-2', 'llm-perf-gate-part-uploaded-2-of-2', 'llm-perf-gate-part-other-1-of-1']);

    const report = await runActionInProcess(setup({ mode: 'report', name: 'uploaded', config: SMALL }), deps);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('downloaded 2 artifacts: llm-perf-gate-part-uploaded-1-of-2, llm-perf-gate-part-uploaded-2-of-2');
    expect(report.stdout).toContain('merged 2 results files: chat');
    expect(report.outputs.verdict).toBe('no-baseline');
    const merged = JSON.parse(readFileSync(report.outputs['results-path'], 'utf8'));
    expect(merged.scenarios.map((s: { name: string }) => s.name)).toEqual(['chat']);
    expect(merged.scenarios[0].requests).toHaveLength(20);
    expect(merged.scenarios[0].config.shards).toBe(2);
    const comments = (fake.comments.get(7) ?? []).filter((c) => c.body.includes(marker('uploaded')));
    expect(comments).toHaveLength(1);
    expect(artifacts.uploads.at(-1)).toEqual({ name: 'llm-perf-gate-html-uploaded', files: ['report.html'] });
  }, 120_000);

  it('two matrix jobs with the same name and shard: the second fails in one line saying to give each job a distinct name', async () => {
    const artifacts = new FakeRunArtifacts();
    const deps = { artifactClient: async () => artifacts };
    const first = await runActionInProcess(setup({ 'base-url': sim.url, shard: '1/1', name: 'models', config: SMALL }), deps);
    expect(first.code).toBe(0);
    const second = await runActionInProcess(setup({ 'base-url': slow.url, shard: '1/1', name: 'models', config: SMALL }), deps);
    expect(second.code).toBe(1);
    expect(second.outputs.verdict).toBe('error');
    expect(second.stdout).toMatch(
      /^::error::llm-perf-gate: the run failed: shard 1\/1: the artifact llm-perf-gate-part-models-1-of-1 already exists in this workflow run: another job uploaded the same name and shard; give each matrix job a distinct name \(e\.g\. name: \$\{\{ matrix\.model \}\}\)$/m,
    );
  }, 120_000);

  it('a concurrency the shards cannot split is bad input before the server is waited for', async () => {
    const closed = CONFIG.replace('{ type: poisson, rate: 20, requests: 40, warmup: 1 }', '{ type: concurrency, concurrency: 2, requests: 40 }');
    const r = await runActionInProcess(setup({ 'base-url': 'http://127.0.0.1:9', shard: '1/4', name: 'split', config: closed, 'wait-timeout': '600' }), { artifactClient: async () => new FakeRunArtifacts() });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('error');
    expect(r.stdout).not.toContain('Waiting for the server');
    expect(r.stdout).toMatch(/^::error::llm-perf-gate: the run failed: scenario 'chat': shard 1\/4: concurrency 2 \(users\) is less than the 4 shards/m);
  }, 30_000);
});

describe('paired mode one server at a time (baseline-server-command and server-command, main in this process)', () => {
  // Both servers on one port, as on a GPU that holds one: a run can only start its server
  // once the previous run's server has let go of the port.
  const ONE_AT_A_TIME = `seed: 3
scenarios:
  - name: chat
    workload: { input_tokens: 32, output_tokens: 32 }
    load: { type: poisson, rate: 30, requests: 30, warmup: 2 }
    body: { ignore_eos: true }
`;
  // Three rounds, not two: with two, Student's t has one degree of freedom (12.7 at 95 %, far
  // more after Holm), so freshly started servers' round-to-round jitter often leaves even a
  // 25 % slower candidate inconclusive.
  const ROUNDS = 3;
  /** The simulator wrapped so each start and stop leaves a line in `events` (bash defers the TERM trap until the sim has exited). */
  const sideCommand = (side: string, port: number, events: string, simFlags: string): string =>
    `trap ':' TERM; echo "start ${side} $$" >> ${events}; ${simShellCommand(port)} ${simFlags} >> ${events} 2>&1; echo "stopped ${side} $?" >> ${events}`;
  const portFree = (port: number): Promise<boolean> =>
    new Promise((resolveFree) => {
      const probe = createServer();
      probe.once('error', () => resolveFree(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolveFree(true)));
    });

  it('starts, waits for and stops each side\'s server per run, alternating, and a slower candidate is a regression in one comment', async () => {
    const port = await freePort();
    const events = join(mkdtempSync(join(tmpdir(), 'lpg-paired-one-')), 'events.log');
    const url = `http://127.0.0.1:${port}`;
    const r = await runActionInProcess(
      setup({
        config: ONE_AT_A_TIME,
        name: 'one-at-a-time',
        baseline: 'none',
        rounds: String(ROUNDS),
        'base-url': url,
        'baseline-url': url,
        // The same seed, no per-step noise: the candidate differs by its speed only (0.8 = 1.25x slower).
        'baseline-server-command': sideCommand('baseline', port, events, '--seed 1 --noise 0'),
        'server-command': sideCommand('candidate', port, events, '--seed 1 --noise 0 --speed 0.8'),
      }),
    );
    expect(r.outputs.verdict).toBe('regression');
    expect(r.code).toBe(1);

    // Each run: its side's server started, listened (at its own speed), and stopped (exit 0
    // after SIGTERM) before the next run's server started, baseline and candidate in turn.
    const lines = readFileSync(events, 'utf8').trim().split('\n');
    const run = (side: string, speed: string) => [
      new RegExp(`^start ${side} (\\d+)$`),
      new RegExp(`^llm-perf-gate sim listening on http://127\\.0\\.0\\.1:${port} \\(speed ${speed},`),
      new RegExp(`^stopped ${side} 0$`),
    ];
    const expected = Array.from({ length: ROUNDS }, () => [...run('baseline', '1'), ...run('candidate', '0.8')]).flat();
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => expect(line).toMatch(expected[i]));
    // Every run had its own server process group, and none is left.
    const pids = lines.filter((l) => l.startsWith('start ')).map((l) => Number(l.split(' ')[2]));
    expect(new Set(pids).size).toBe(2 * ROUNDS);
    for (const pid of pids) expect(groupAlive(pid)).toBe(false);
    expect(Number(r.state['server-pid'])).toBe(pids.at(-1));
    expect(await portFree(port)).toBe(true);

    // The job log tells the same order.
    const steps = r.stdout.split('\n').filter((l) => /^(paired round \d\/\d: \w+ server|starting the \w+ server)/.test(l));
    expect(steps).toEqual(
      Array.from({ length: ROUNDS }, (_, i) => [
        `paired round ${i + 1}/${ROUNDS}: baseline server`,
        'starting the baseline server (baseline-server-command)',
        `paired round ${i + 1}/${ROUNDS}: candidate server`,
        'starting the candidate server (server-command)',
      ]).flat(),
    );

    const comments = (fake.comments.get(7) ?? []).filter((c) => c.body.includes('<!-- llm-perf-gate:perf:bench:one-at-a-time -->'));
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(`paired: ${ROUNDS} rounds, baseline server ${url} against candidate ${url}`);
    expect(comments[0].body).toMatch(/tpot_ms\.p50 regressed/);
  }, 90_000);
});
