// server-command end to end: the action starts the simulator as the server under test,
// waits for it, and stops it — after a good run, after a failed run, and (through the post
// step) after the main step was killed as a cancelled job's would be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/github/server-process.js';
import { freePort } from '../github/free-port.js';
import { startFakeGitHub, type FakeGitHub } from '../github/fake-github.js';
import { pullRequestEvent, runPost, simShellCommand, startAction, USING_BUNDLE, type ActionSetup } from './action-harness.js';

const TOKEN = 'ghs_E2eServerToken000000000000000000000';

const simCommand = simShellCommand;

const SHORT = `scenarios:
  - name: chat
    workload: { input_tokens: 32, output_tokens: 8 }
    load: { type: constant, rate: 20, requests: 20, warmup: 1 }
`;
const LONG = `scenarios:
  - name: chat
    workload: { input_tokens: 32, output_tokens: 8 }
    load: { type: constant, rate: 5, requests: 2000, warmup: 1 }
`;

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.tokens.set(TOKEN, { login: 'github-actions[bot]', type: 'Bot', canWrite: true, installation: true });
});
afterAll(() => fake.close());

async function setupFor(config: string, extra: Record<string, string> = {}): Promise<{ s: ActionSetup; port: number }> {
  const port = await freePort();
  return {
    port,
    s: {
      eventName: 'pull_request',
      payload: pullRequestEvent({ number: 3 }),
      apiUrl: fake.url,
      inputs: {
        'base-url': `http://127.0.0.1:${port}`,
        'server-command': simCommand(port),
        'github-token': TOKEN,
        baseline: 'none',
        comment: 'never',
        'wait-timeout': '60',
        config,
        ...extra,
      },
    },
  };
}

const serverDown = async (port: number) => {
  try {
    await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
};

describe(`server-command (${USING_BUNDLE ? 'the bundle' : 'src via tsx'})`, () => {
  it('starts the server, waits until healthy, runs, stops it and folds its log', async () => {
    const { s, port } = await setupFor(SHORT);
    // The server's environment has no INPUT_* variables (they hold the api-key and the token).
    s.inputs['server-command'] = `echo "inputs-seen=$(env | grep -c '^INPUT_' || true)"; exec ${simCommand(port)}`;
    const r = await startAction(s).done;
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('no-baseline');
    expect(r.stdout).toContain('inputs-seen=0');
    expect(r.stdout).toContain("::group::Benchmark: scenario 'chat'");
    expect(r.stdout).toMatch(/server ready after/);
    expect(r.stdout).toContain('::group::Server log (server-command)');
    expect(r.stdout).toContain(`llm-perf-gate sim listening on http://127.0.0.1:${port}`);
    const pid = Number(r.state['server-pid']);
    expect(pid).toBeGreaterThan(0);
    expect(r.state['server-stopped']).toBe('true');
    expect(groupAlive(pid)).toBe(false);
    expect(await serverDown(port)).toBe(true);
    // The post step then has nothing left to do.
    const post = await runPost(r.state);
    expect(post.code).toBe(0);
    expect(post.stdout).not.toContain('stopping');
  }, 90_000);

  it('rejects a bad config before starting the server', async () => {
    const { s } = await setupFor('scenarios:\n  - name: chat\n    load: { type: poisson, requests: 5 }\n');
    const r = await startAction(s).done;
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('error');
    expect(r.stdout).toMatch(/^::error::llm-perf-gate: the run failed: input config: scenarios\.0\.load\.rate: .*/m);
    expect(r.state['server-pid']).toBeUndefined();
  }, 60_000);

  it('stops the server when the run fails (every request times out)', async () => {
    const { s, port } = await setupFor(`scenarios:
  - name: chat
    workload: { input_tokens: 32, output_tokens: 200 }
    load: { type: constant, rate: 20, requests: 10, warmup: 0 }
    timeouts: { request_s: 0.001 }
`);
    const r = await startAction(s).done;
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('error');
    expect(r.stdout).toMatch(/^::error::llm-perf-gate: the run failed: .*chat.*/m);
    expect(r.state['server-stopped']).toBe('true');
    expect(groupAlive(Number(r.state['server-pid']))).toBe(false);
    expect(await serverDown(port)).toBe(true);
  }, 90_000);

  it('fails with the URL and the last answer when the server never becomes healthy', async () => {
    const { s, port } = await setupFor(SHORT, { 'server-command': 'sleep 30', 'wait-timeout': '2' });
    const r = await startAction(s).done;
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('error');
    expect(r.stdout).toContain(`::error::llm-perf-gate: the run failed: http://127.0.0.1:${port}: not healthy after 2 s (wait-timeout); last answer: GET http://127.0.0.1:${port}/health → ECONNREFUSED`);
    expect(groupAlive(Number(r.state['server-pid']))).toBe(false);
  }, 60_000);

  it('is stopped by the post step after the main step is killed (a cancelled job)', async () => {
    const { s, port } = await setupFor(LONG);
    const run = startAction(s);
    // Wait until the benchmark is under way, then kill main the hard way.
    const t0 = Date.now();
    while (!run.stdoutSoFar().includes('::group::Benchmark') && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    expect(run.stdoutSoFar()).toContain('::group::Benchmark');
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.code).toBe(null);
    const pid = Number(killed.state['server-pid']);
    expect(killed.state['server-stopped']).toBeUndefined();
    expect(groupAlive(pid)).toBe(true);
    expect(await serverDown(port)).toBe(false);

    const post = await runPost(killed.state);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain(`stopping the server-command process group ${pid}`);
    expect(groupAlive(pid)).toBe(false);
    expect(await serverDown(port)).toBe(true);
  }, 90_000);

  it('runs server-stop-command at the end', async () => {
    const { s } = await setupFor(SHORT);
    s.inputs['server-stop-command'] = `echo stop-command-ran-$((6*7)) inputs-seen=$(env | grep -c '^INPUT_' || true)`;
    const r = await startAction(s).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stop-command-ran-42 inputs-seen=0');
    expect(r.state['server-stop-command-done']).toBe('true');
  }, 90_000);
});
