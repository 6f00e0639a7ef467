import { afterEach, describe, expect, it } from 'vitest';
import { waitForHealth } from '../../src/github/health.js';
import { groupAlive, startServerProcess, stopProcessGroup, type ServerProcess } from '../../src/github/server-process.js';
import { freePort, simCommand } from './free-port.js';

const started: ServerProcess[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop(1000);
});

describe('server-command', () => {
  it('starts the simulator, waits until healthy, and stops its whole process group', async () => {
    const port = await freePort();
    // A wrapper shell with a child: stopping must reach the child too.
    const server = startServerProcess(`echo starting; ${simCommand(port).replace(/^exec /, '')}`, { cwd: process.cwd() });
    started.push(server);
    await waitForHealth(`http://127.0.0.1:${port}/v1`, { timeoutMs: 30_000, abortReason: () => server.exitReason() });
    expect(groupAlive(server.pid)).toBe(true);
    await server.stop(5000);
    expect(groupAlive(server.pid)).toBe(false);
    expect(server.exitReason()).toMatch(/^server-command (exited with code|was ended by SIGTERM)/);
    expect(server.logText()).toContain('starting');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('reports a command that dies before it is healthy, with its exit code', async () => {
    const server = startServerProcess('echo "CUDA out of memory" >&2; exit 7');
    started.push(server);
    await expect(waitForHealth('http://127.0.0.1:1', { timeoutMs: 30_000, abortReason: () => server.exitReason() })).rejects.toThrow(
      /^server-command exited with code 7; last answer/,
    );
    expect(server.logText()).toContain('CUDA out of memory');
  });

  it('kills with SIGKILL what ignores SIGTERM, after the grace period', async () => {
    const server = startServerProcess("trap '' TERM; echo ready; while true; do sleep 0.05; done");
    started.push(server);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await server.stop(300);
    expect(groupAlive(server.pid)).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(server.exitReason()).toBe('server-command was ended by SIGKILL');
  });

  it('stopProcessGroup stops a group by pid alone (what the post step has)', async () => {
    const server = startServerProcess('sleep 30 & sleep 30; wait');
    started.push(server);
    await new Promise((r) => setTimeout(r, 100));
    await stopProcessGroup(server.pid, 2000);
    expect(groupAlive(server.pid)).toBe(false);
  });
});
