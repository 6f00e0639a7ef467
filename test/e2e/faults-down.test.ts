// A server that is down for good ends the run with a clear message and exit code 3, never a
// verdict, and in bounded time (issue 9); a hostile server that echoes credentials and markup
// in its errors leaks neither into records, logs nor the report.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { parseConfigText } from '../../src/config/load.js';
import { RunFailedError } from '../../src/errors.js';
import { gateRun } from '../../src/gate/gate.js';
import { renderMarkdownReport, renderResultsTable } from '../../src/report/markdown.js';
import { formatRunResult } from '../../src/report/results-file.js';
import { runConfig } from '../../src/run.js';
import { startSim, type SimServer } from '../../src/sim/server.js';
import { API_KEY, expectAccounted, expectNoSecret, HEADER_NAME, HEADER_TOKEN, SECRETS, watchProcess } from './faults-helpers.js';

const process$ = watchProcess();
const outputs: string[] = [];
let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});
afterAll(() => process$.stop());

/** A port nothing listens on: listen on a free one, then close it. */
async function deadPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs the CLI in this process: exit code, stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const before = process.env.LPG_TEST_KEY;
  process.env.LPG_TEST_KEY = API_KEY;
  try {
    const code = await main(['run', '--api-key-env', 'LPG_TEST_KEY', ...args]);
    outputs.push(out.join(''), err.join(''));
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
    if (before === undefined) delete process.env.LPG_TEST_KEY;
    else process.env.LPG_TEST_KEY = before;
  }
}

/** The CLI's failure line: the last line of stderr (progress lines come before it). */
function lastLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  return lines[lines.length - 1];
}

function scenarioYaml(url: string, load: string, extra = ''): string {
  return `target: { base_url: "${url}", model: m, headers: { ${HEADER_NAME}: "${HEADER_TOKEN}" } }
${extra}scenarios:
  - name: down
    workload: { input_tokens: 16, output_tokens: 8 }
    load: ${load}
    timeouts: { request_s: 2, idle_s: 1 }
`;
}

describe('a server that is down for good', () => {
  it('no server at all, a closed loop bounded only by duration: RunFailedError in about the down-for-good time, not a spin', async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const config = parseConfigText(scenarioYaml(url, '{ type: concurrency, concurrency: 4, duration_s: 120, warmup: 0 }'), 'down.yml', {});
    const started = performance.now();
    const err = await runConfig(config, { apiKey: API_KEY, downForGoodMs: 1000 }).then(
      () => null,
      (e: unknown) => e,
    );
    const wallS = (performance.now() - started) / 1000;
    expect(err).toBeInstanceOf(RunFailedError);
    const message = (err as RunFailedError).message;
    outputs.push(message);
    expect(message).toMatch(new RegExp(`^${url.replace(/\./g, '\\.')} refused every request for 1 s \\(\\d+ in a row; last: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\); the server is down`));
    expect(message).not.toContain('\n');
    expect(wallS).toBeLessThan(4);
  });

  it('the server goes away mid-run and stays away: RunFailedError, not a verdict', async () => {
    sim = await startSim({ port: 0, faults: 'refuse:1s-3600s', seed: 1 });
    const config = parseConfigText(scenarioYaml(sim.url, '{ type: poisson, rate: 20, duration_s: 60, warmup: 0 }', 'client: { workers: 0 }\n'), 'down.yml', {});
    const started = performance.now();
    await expect(runConfig(config, { apiKey: API_KEY, downForGoodMs: 1500 })).rejects.toThrow(RunFailedError);
    expect((performance.now() - started) / 1000).toBeLessThan(6);
  });

  it('a restart shorter than the down-for-good time does not end the run', async () => {
    sim = await startSim({ port: 0, faults: 'refuse:#5@0.6', seed: 1 });
    const config = parseConfigText(scenarioYaml(sim.url, '{ type: poisson, rate: 20, requests: 40, warmup: 0 }', 'client: { workers: 0 }\n'), 'down.yml', {});
    const result = await runConfig(config, { apiKey: API_KEY, downForGoodMs: 1500 });
    expectAccounted(result, 40);
    expect(result.scenarios[0].metrics.errors_by_kind.connect).toBeGreaterThan(3);
    outputs.push(formatRunResult(result));
  });

  it('CLI, no server, model given: exit 3 with one line saying how many failed and why', async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const r = await cli(['--base-url', url, '--model', 'm', '--requests', '20', '--warmup', '0']);
    expect(r.code).toBe(3);
    expect(lastLine(r.stderr)).toMatch(/^llm-perf-gate run: scenario 'cli': only 0 of 20 requests succeeded \(need 5 to measure; 20 × connect: connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('CLI, no server, no model: exit 3 at once, naming the URL it tried', async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const r = await cli(['--base-url', url, '--requests', '5']);
    expect(r.code).toBe(3);
    expect(lastLine(r.stderr)).toBe(
      `llm-perf-gate run: Unable to reach ${url}/v1/models: ${lastLine(r.stderr).match(/models: (.*)\. Check that/)?.[1]}. Check that the server is running and base_url is right.`,
    );
    expect(lastLine(r.stderr)).toMatch(/ECONNREFUSED/);
  });

  it('CLI, a wrong model name (every request 404): exit 3 with the server’s message', async () => {
    sim = await startSim({ port: 0, servedModelName: 'real-model' });
    const r = await cli(['--base-url', sim.url, '--model', 'wrong-model', '--requests', '8', '--warmup', '0']);
    expect(r.code).toBe(3);
    expect(lastLine(r.stderr)).toBe(
      "llm-perf-gate run: scenario 'cli': only 0 of 8 requests succeeded (need 5 to measure; 8 × http_status: HTTP 404: The model `wrong-model` does not exist.)",
    );
  });
});

/** Answers every generation request with a different way of echoing the request's credentials and markup. */
function hostileServer(): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const markup = '<img src=x onerror=alert(1)> @everyone | `code` [link](http://evil)';
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const echo = `auth=${req.headers.authorization ?? ''} token=${String(req.headers[HEADER_NAME] ?? '')} ${markup}`;
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ data: [{ id: '<script>x</script>|@everyone' }] }));
    }
    req.resume();
    req.on('end', () => {
      const kind = n++ % 5;
      if (kind === 0) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Invalid credentials: ${echo}` } }));
      } else if (kind === 1) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(`<html><body><h1>502</h1><pre>${echo}</pre></body></html>`);
      } else if (kind === 2) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`data: ${JSON.stringify({ error: { message: `upstream refused ${echo}` } })}\n\ndata: [DONE]\n\n`);
      } else if (kind === 3) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`data: {"choices": [{"delta": {"content": "hi"}}]}\n\n${echo}\n\ndata: [DONE]\n\n`);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echo }));
      }
    });
  };
  const server: Server = createHttpServer(handle);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  );
}

describe('a hostile server that echoes credentials and markup', () => {
  it('masks the key and the token in every record, log and report line, and escapes its text', async () => {
    const hostile = await hostileServer();
    try {
      const yaml = scenarioYaml(hostile.url, '{ type: concurrency, concurrency: 2, requests: 20, warmup: 0 }').replace(', model: m', '');
      const log: string[] = [];
      const result = await runConfig(parseConfigText(yaml, 'hostile.yml', {}), { apiKey: API_KEY, log: (l) => log.push(l) });
      expectAccounted(result, 20);
      const s = result.scenarios[0];
      expect(s.metrics.errors_by_kind).toEqual({ http_status: 8, stream_error: 4, malformed: 8 });
      for (const r of s.requests) expect(r.error?.message).toMatch(/\*\*\*/);
      // The model name came from the server too: escaped like every server string.
      const decision = gateRun(result, []);
      const report = renderMarkdownReport(decision, result, []);
      outputs.push(formatRunResult(result), log.join('\n'), renderResultsTable(result), report);
      expect(report).not.toMatch(/<img|<script|@everyone/);
    } finally {
      await hostile.close();
    }
  });
});

describe('the down and hostile suites leak no secret', () => {
  it('no output holds the API key or the token; no unhandled rejection or warning', () => {
    expect(outputs.length).toBeGreaterThan(6);
    for (const text of outputs) expectNoSecret(text, SECRETS);
    expect(process$.problems()).toEqual([]);
  });
});
