// Client-side queueing for a connection, in real time against a slow local server: a request
// that waits for a free socket in the client has that wait counted as server latency, so the
// run must say it is not trustworthy; and a trace-like replay (no rate of its own) gets a
// pool big enough that it never waits.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmClient } from '../../src/client/client.js';
import { parseConfigText } from '../../src/config/load.js';
import { scenarioSchema } from '../../src/config/schema.js';
import { runScenario } from '../../src/load/runner.js';
import { systemClock } from '../../src/clock.js';
import { runConfig } from '../../src/run.js';
import type { RequestSpec } from '../../src/types.js';
import { sse, startFakeServer } from '../client/fake-server.js';
import type { FakeServer } from '../client/fake-server.js';

/** How long the server thinks before its first (and only) token. */
const SERVER_MS = 300;

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer((_req, res) => {
    setTimeout(() => {
      sse(res);
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'ok' } }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    }, SERVER_MS);
  });
});
afterAll(async () => {
  await server.close();
});

function spec(i: number): RequestSpec {
  return { id: `r-${i}`, scenario: 's', api: 'chat', messages: [{ role: 'user', content: 'hi' }], inputTokens: 1, maxTokens: 1 };
}

async function closedLoop(connections: number) {
  const client = new LlmClient({ baseUrl: server.url, connections });
  try {
    return await runScenario({
      scenario: scenarioSchema.parse({ name: 's', load: { type: 'concurrency', concurrency: 4, requests: 8, warmup: 0 } }),
      warmup: [],
      measured: Array.from({ length: 8 }, (_, i) => spec(i)),
      clock: systemClock,
      seed: 1,
      send: (s, scheduledAt, signal) => client.send(s, { model: 'm', scheduledAt, signal, deadlineMs: 10_000, idleTimeoutMs: 10_000 }),
    });
  } finally {
    await client.close();
  }
}

const QUEUED_REASON = /requests waited in the client for a free connection/;

describe('requests waiting for a connection in the client', () => {
  it('make the run untrustworthy, naming the queueing (4 in flight on 2 sockets)', async () => {
    const run = await closedLoop(2);
    // Each round of 4 sends 2 at once and queues 2 behind them, which then show ~2 × 300 ms.
    const queued = run.records.filter((r) => r.queuedForConnection === true);
    expect(queued.length).toBeGreaterThanOrEqual(4);
    for (const r of queued) expect(r.ttftMs).toBeGreaterThanOrEqual(2 * SERVER_MS - 5);
    expect(run.clientHealth.trustworthy).toBe(false);
    expect(run.clientHealth.reasons.filter((r) => QUEUED_REASON.test(r))).toEqual([
      `${queued.length} of 8 requests waited in the client for a free connection (every pooled socket was busy): their latency includes that wait (cap the load with load.concurrency, or lower the rate)`,
    ]);
  }, 10_000);

  it('are not reported when every request had a socket (4 in flight on 4 sockets)', async () => {
    const run = await closedLoop(4);
    expect(run.records.filter((r) => r.queuedForConnection === true)).toEqual([]);
    expect(run.clientHealth.reasons.filter((r) => QUEUED_REASON.test(r))).toEqual([]);
    for (const r of run.records) expect(r.ttftMs).toBeLessThan(2 * SERVER_MS);
  }, 10_000);
});

describe('a replay of logged arrival times', () => {
  it('gets a socket for every request: 60 requests 5 ms apart against a 300 ms server (60 in flight) show TTFT ≈ 300 ms', async () => {
    // A timed request log: its times govern, and load.rate (required for it, 1 req/s) says
    // nothing about how many are in flight. The pool used to be rate × 30 s = 30 sockets.
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const log = join(dir, 'log.jsonl');
    writeFileSync(log, Array.from({ length: 60 }, (_, i) => JSON.stringify({ timestamp: 1_700_000_000 + i * 0.005, prompt: 'hi', max_tokens: 1 })).join('\n') + '\n');
    const config = parseConfigText(
      `scenarios:\n  - name: replay\n    workload: { source: request_log, path: "${log}" }\n    load: { type: constant, rate: 1, requests: 60, warmup: 0 }\nclient: { workers: 0 }\n`,
      'test',
    );
    const result = await runConfig(config, { baseUrl: server.url, model: 'm' }).finally(() => rmSync(dir, { recursive: true, force: true }));
    const records = result.scenarios[0].requests;
    expect(records).toHaveLength(60);
    expect(records.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(records.filter((r) => r.queuedForConnection === true)).toEqual([]);
    expect(result.clientHealth.reasons.filter((r) => QUEUED_REASON.test(r))).toEqual([]);
    const ttfts = records.map((r) => r.ttftMs as number).sort((a, b) => a - b);
    console.log(`replay TTFT: min ${ttfts[0].toFixed(1)} ms, p50 ${ttfts[30].toFixed(1)} ms, max ${ttfts[59].toFixed(1)} ms (server ${SERVER_MS} ms)`);
    expect(ttfts[0]).toBeGreaterThanOrEqual(SERVER_MS - 1);
    // Queued behind a pool of 30, the later half waited for the first half: p50 ~450 ms, max ~455 ms.
    expect(ttfts[30]).toBeLessThan(SERVER_MS + 50);
    expect(ttfts[59]).toBeLessThan(SERVER_MS + 100);
  }, 10_000);
});
