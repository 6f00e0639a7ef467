// The CLI as a user runs it: exit codes, one-line errors, the results table and file.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimServer } from '../../src/sim/server.js';

const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lpg-cli-'));

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

let sim: SimServer;
beforeAll(async () => {
  sim = await startSim({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe('llm-perf-gate CLI', () => {
  it('runs a scenario from flags alone (vLLM aliases) and writes the results file', async () => {
    const out = join(dir, 'r.json');
    const r = await runCli(['run', '--base-url', sim.url + '/v1', '--request-rate', '20', '--num-prompts', '12', '--input-tokens', '64', '--output-tokens', '16', '--out', out]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    for (const word of ['TTFT', 'TPOT', 'ITL', 'E2E']) expect(r.stdout).toContain(word);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.schemaVersion).toBe(1);
    expect(written.target.model).toBe('sim');
    expect(written.scenarios[0].requests).toHaveLength(12);
    expect(written.scenarios[0].config.load).toMatchObject({ type: 'poisson', rate: 20, requests: 12 });
  });

  it('exits 2 with one line naming the bad field', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'scenarios:\n  - name: a\n    load: { type: poisson, requests: 5 }\n');
    const r = await runCli(['run', '--config', file, '--base-url', sim.url]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`llm-perf-gate run: ${file}: scenarios.0.load.rate: load type 'poisson' needs a rate (requests per second)`);
    const flags = await runCli(['run', '--base-url', sim.url, '--rate', 'fast']);
    expect(flags.code).toBe(2);
    expect(flags.stderr.trim()).toBe("llm-perf-gate run: --rate: expected a number, got 'fast'");
  });

  it('exits 3 when the server is unreachable, naming the URL', async () => {
    const port = await closedPort();
    const r = await runCli(['run', '--base-url', `http://127.0.0.1:${port}`, '--requests', '3', '--concurrency', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`http://127.0.0.1:${port}`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints help for every command', async () => {
    for (const command of ['run', 'sim', 'demo', 'compare', 'calibrate']) {
      const r = await runCli([command, '--help']);
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toMatch(/Usage|usage/);
    }
    const unknown = await runCli(['bogus']);
    expect(unknown.code).toBe(2);
  });
});
