// `server-command`: starts the server under test as a long-lived shell command in its own
// process group (so stopping it stops what it spawned, e.g. vLLM's workers), keeps the
// tail of its log for a collapsed group at the end, and stops it with SIGTERM, then
// SIGKILL after a grace period. `post.ts` uses `stopProcessGroup` after a cancellation.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Bytes of the server's log kept (the tail) for the job log. */
const LOG_TAIL_BYTES = 256 * 1024;

export interface ServerProcess {
  pid: number;
  /** Why it is no longer running ("exited with code 1"), or undefined while it runs. */
  exitReason(): string | undefined;
  /** The tail of its stdout and stderr, interleaved as they came. */
  logText(): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startServerProcess(command: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ServerProcess {
  const child: ChildProcess = spawn(command, {
    shell: process.platform === 'win32' ? true : '/bin/bash',
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true, // its own process group: we signal the whole group
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`server-command: could not start '${command}'`);
  const pid = child.pid;
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > LOG_TAIL_BYTES * 2) log = log.slice(-LOG_TAIL_BYTES);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = signal ? `server-command was ended by ${signal}` : `server-command exited with code ${code}`;
      resolve();
    });
    child.on('error', (err) => {
      exit = `server-command failed to start: ${err.message}`;
      resolve();
    });
  });
  return {
    pid,
    exitReason: () => exit,
    logText: () => (log.length > LOG_TAIL_BYTES ? `… (earlier output cut)\n${log.slice(-LOG_TAIL_BYTES)}` : log),
    stop: async (graceMs = 10_000) => {
      if (exit !== undefined && !groupAlive(pid)) return;
      await stopProcessGroup(pid, graceMs, () => exited);
    },
  };
}

/** True while any process of the group `pgid` is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the group, then SIGKILL if anything of it is still alive after `graceMs`. */
export async function stopProcessGroup(pgid: number, graceMs: number, leaderExited?: () => Promise<void>): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (groupAlive(pgid) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 20));
  await leaderExited?.();
}

/** `server-stop-command` (e.g. `docker rm -f vllm`): runs to completion, its output in the log. */
export function runStopCommand(command: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): void {
  const r = spawnSync('/bin/bash', ['-c', command], { stdio: 'inherit', timeout: timeoutMs, env });
  if (r.status !== 0) process.stdout.write(`::warning::server-stop-command exited with ${r.status ?? r.signal}\n`);
}
