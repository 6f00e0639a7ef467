// Runs the action the way the runner does: a node process with INPUT_* variables, an event
// payload file, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files, and GITHUB_API_URL
// at a local fake of the GitHub REST API. Uses the bundle (dist/index.js, dist/post/index.js)
// when it exists, else the sources through tsx (say which: ACTION_ENTRY below); or main in
// this process with its dependencies injected (runActionInProcess).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MainDeps } from '../../src/main.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** The bundle under test: dist/ (LPG_E2E_DIST_DIR may point at another build of it). */
const DIST = resolve(ROOT, process.env.LPG_E2E_DIST_DIR ?? 'dist');
const bundled = existsSync(join(DIST, 'index.js')) && existsSync(join(DIST, 'post/index.js')) && process.env.LPG_E2E_FROM_SOURCE !== '1';
export const ACTION_ENTRY = bundled ? [join(DIST, 'index.js')] : ['--import', 'tsx', 'src/index.ts'];
export const POST_ENTRY = bundled ? [join(DIST, 'post/index.js')] : ['--import', 'tsx', 'src/post.ts'];
export const USING_BUNDLE = bundled;

/** The simulator as a shell command runnable from any directory (the action's cwd is the workspace). */
export function simShellCommand(port: number): string {
  return existsSync(join(DIST, 'cli/index.js')) && process.env.LPG_E2E_FROM_SOURCE !== '1'
    ? `node ${join(DIST, 'cli/index.js')} sim --port ${port}`
    : `node --import ${ROOT}/node_modules/tsx/dist/loader.mjs ${ROOT}/test/github/run-sim.ts --port ${port}`;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
  runnerTemp: string;
  workspace: string;
}

/** Parses the `name<<DELIMITER\nvalue\nDELIMITER` file format of GITHUB_OUTPUT and GITHUB_STATE. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]] = m[3];
  return out;
}

export interface ActionSetup {
  inputs: Record<string, string>;
  eventName: string;
  payload: object;
  apiUrl: string;
  refName?: string;
  workspaceFiles?: Record<string, string>;
}

export function prepare(setup: ActionSetup) {
  const dir = mkdtempSync(join(tmpdir(), 'lpg-action-'));
  const workspace = join(dir, 'workspace');
  const runnerTemp = join(dir, 'runner-temp');
  for (const d of [workspace, runnerTemp]) mkdirp(d);
  for (const [path, text] of Object.entries(setup.workspaceFiles ?? {})) {
    mkdirp(join(workspace, path, '..'));
    writeFileSync(join(workspace, path), text);
  }
  const files = { event: join(dir, 'event.json'), output: join(dir, 'output'), summary: join(dir, 'summary.md'), state: join(dir, 'state') };
  writeFileSync(files.event, JSON.stringify(setup.payload));
  for (const f of [files.output, files.summary, files.state]) writeFileSync(f, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: setup.eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_RUN_ID: '9001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'perf',
    GITHUB_JOB: 'bench',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: setup.refName ? `refs/heads/${setup.refName}` : 'refs/pull/7/merge',
    GITHUB_REF_NAME: setup.refName ?? '7/merge',
    GITHUB_API_URL: setup.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
  };
  for (const [name, value] of Object.entries(setup.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return { env, files, workspace, runnerTemp };
}

function mkdirp(d: string): void {
  mkdirSync(d, { recursive: true });
}

export function startAction(setup: ActionSetup): { child: ChildProcess; done: Promise<ActionRun>; stdoutSoFar: () => string; statePath: string } {
  const p = prepare(setup);
  const child = spawn(process.execPath, ACTION_ENTRY, { cwd: ROOT, env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<ActionRun>((resolveRun) => {
    child.on('close', (code) =>
      resolveRun({
        code,
        stdout,
        stderr,
        outputs: parseCommandFile(readFileSync(p.files.output, 'utf8')),
        summary: readFileSync(p.files.summary, 'utf8'),
        state: parseCommandFile(readFileSync(p.files.state, 'utf8')),
        runnerTemp: p.runnerTemp,
        workspace: p.workspace,
      }),
    );
  });
  return { child, done, stdoutSoFar: () => stdout, statePath: p.files.state };
}

export function runAction(setup: ActionSetup): Promise<ActionRun> {
  return startAction(setup).done;
}

/**
 * Runs main in this process, with `deps` injected (MainDeps: e.g. a fake artifact client,
 * which the bundled action cannot take). @actions/core reads the inputs and writes the
 * outputs through process.env, so it is set for the run and restored after; the job
 * summary is not written (core.summary keeps the first file it wrote to for the process).
 */
export async function runActionInProcess(setup: ActionSetup, deps: Omit<MainDeps, 'env'> = {}): Promise<ActionRun> {
  const p = prepare(setup);
  const env: NodeJS.ProcessEnv = { ...p.env };
  delete env.GITHUB_STEP_SUMMARY;
  const saved = { ...process.env };
  const savedExitCode = process.exitCode;
  const write = process.stdout.write.bind(process.stdout);
  let stdout = '';
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_') || k.startsWith('GITHUB_') || k.startsWith('RUNNER_')) delete process.env[k];
  Object.assign(process.env, env);
  process.exitCode = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  let code: number;
  try {
    const { run } = await import('../../src/main.js');
    await run({ ...deps, env });
  } finally {
    process.stdout.write = write;
    code = Number(process.exitCode ?? 0);
    process.exitCode = savedExitCode;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  return {
    code,
    stdout,
    stderr: '',
    outputs: parseCommandFile(readFileSync(p.files.output, 'utf8')),
    summary: '',
    state: parseCommandFile(readFileSync(p.files.state, 'utf8')),
    runnerTemp: p.runnerTemp,
    workspace: p.workspace,
  };
}

/** The post step, given the state main saved (the runner passes it as STATE_* variables). */
export function runPost(state: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(state)) env[`STATE_${k}`] = v;
  const child = spawn(process.execPath, POST_ENTRY, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((r) => child.on('close', (code) => r({ code, stdout, stderr })));
}

export function pullRequestEvent(opts: { number: number; fork?: boolean; labels?: string[] }): object {
  const repo = { id: 1, name: 'octo-repo', full_name: 'octo-org/octo-repo', owner: { login: 'octo-org', type: 'Organization' }, default_branch: 'main', private: false };
  const headRepo = opts.fork ? { ...repo, id: 2, full_name: 'contributor/octo-repo', owner: { login: 'contributor', type: 'User' }, fork: true } : repo;
  return {
    action: 'synchronize',
    number: opts.number,
    pull_request: {
      url: `https://api.github.com/repos/octo-org/octo-repo/pulls/${opts.number}`,
      html_url: `https://github.com/octo-org/octo-repo/pull/${opts.number}`,
      number: opts.number,
      state: 'open',
      title: 'Make it faster',
      user: { login: opts.fork ? 'contributor' : 'octocat', type: 'User' },
      labels: (opts.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
      head: { label: `${headRepo.owner.login}:feature`, ref: 'feature', sha: 'b'.repeat(40), repo: headRepo },
      base: { label: 'octo-org:main', ref: 'main', sha: 'c'.repeat(40), repo },
      draft: false,
      merged: false,
    },
    repository: repo,
    sender: { login: opts.fork ? 'contributor' : 'octocat', type: 'User' },
  };
}

export function pushEvent(): object {
  const repo = { id: 1, name: 'octo-repo', full_name: 'octo-org/octo-repo', owner: { login: 'octo-org', name: 'octo-org' }, default_branch: 'main', master_branch: 'main' };
  return { ref: 'refs/heads/main', before: 'c'.repeat(40), after: 'a'.repeat(40), repository: repo, pusher: { name: 'octocat' }, head_commit: { id: 'a'.repeat(40), message: 'merge' } };
}
