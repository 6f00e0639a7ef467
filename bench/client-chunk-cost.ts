// What one content chunk costs the client (µs of CPU) with ~1,000 concurrent streams.
//
//   npx tsx bench/client-chunk-cost.ts [streams=1000] [intervalMs=50]
//
// A child process runs a node:http server on 127.0.0.1 (port 0) that streams vLLM-shaped
// chunks; this process runs the client, so process.cpuUsage() counts the client only.
// Each configuration runs twice, with few and with many chunks per request: the difference
// divided by the extra chunks is the marginal cost of a chunk, free of per-request costs
// (connect, request encoding, record building). Three clients are compared: LlmClient (the
// real thing), and undici's pool.request reading the body without parsing (the floor).
// Bounded: every request has a deadline, the child is killed at the end or after 120 s.

import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { LlmClient } from '../src/client/client.js';
import type { RequestSpec } from '../src/types.js';

const CHUNK = (i: number): string =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_760_000_000,
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    choices: [{ index: 0, delta: { content: ` tok${i}` }, logprobs: null, finish_reason: null }],
  })}\n\n`;

function runServer(): void {
  const server = createServer((req, res) => {
    const chunks = Number(req.headers['x-bench-chunks'] ?? '20');
    const intervalMs = Number(req.headers['x-bench-interval'] ?? '50');
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })}\n\n`);
      let sent = 0;
      // Start at a random phase so 1,000 streams do not tick in lockstep.
      const start = (): void => {
        const timer = setInterval(() => {
          if (res.destroyed) return clearInterval(timer);
          res.write(CHUNK(sent));
          sent++;
          if (sent === chunks) {
            clearInterval(timer);
            res.end(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 10, completion_tokens: chunks } })}\n\ndata: [DONE]\n\n`);
          }
        }, intervalMs);
      };
      setTimeout(start, Math.random() * intervalMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
  setTimeout(() => process.exit(0), 120_000).unref();
}

interface Measured {
  chunks: number;
  cpuUs: number;
  wallMs: number;
  failed: number;
}

type Runner = (base: string, streams: number, chunks: number, intervalMs: number) => Promise<Measured>;

const spec = (i: number): RequestSpec => ({ id: `b${i}`, scenario: 'bench', api: 'chat', messages: [{ role: 'user', content: 'go' }], inputTokens: 1, maxTokens: 1000 });

const llmClient: Runner = async (base, streams, chunks, intervalMs) => {
  const client = new LlmClient({ baseUrl: base, connections: streams });
  const headers = { 'x-bench-chunks': String(chunks), 'x-bench-interval': String(intervalMs) };
  const opts = { model: 'M', scheduledAt: null, deadlineMs: 60_000, idleTimeoutMs: 30_000, headers };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const records = await Promise.all(Array.from({ length: streams }, (_, i) => client.send(spec(i), opts)));
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  await client.close();
  return {
    chunks: records.reduce((n, r) => n + r.chunkOffsetsMs.length, 0),
    cpuUs: used.user + used.system,
    wallMs,
    failed: records.filter((r) => r.status !== 'ok').length,
  };
};

const undiciFloor: Runner = async (base, streams, chunks, intervalMs) => {
  const pool = new Pool(base, { connections: streams, pipelining: 1 });
  const body = JSON.stringify({ model: 'M', messages: [{ role: 'user', content: 'go' }], stream: true });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let events = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: streams }, async () => {
      try {
        const headers = { 'content-type': 'application/json', 'x-bench-chunks': String(chunks), 'x-bench-interval': String(intervalMs) };
        const res = await pool.request({ method: 'POST', path: '/v1/chat/completions', body, headers });
        await new Promise<void>((resolve, reject) => {
          res.body.on('data', () => events++);
          res.body.on('end', resolve);
          res.body.on('error', reject);
        });
      } catch {
        failed++;
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  await pool.close();
  // Network reads, not events: one write per chunk on the server, usually one read each.
  return { chunks: events, cpuUs: used.user + used.system, wallMs, failed };
};

const undiciDispatchFloor: Runner = async (base, streams, chunks, intervalMs) => {
  const pool = new Pool(base, { connections: streams, pipelining: 1 });
  const body = JSON.stringify({ model: 'M', messages: [{ role: 'user', content: 'go' }], stream: true });
  const headers = { 'content-type': 'application/json', 'x-bench-chunks': String(chunks), 'x-bench-interval': String(intervalMs) };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let events = 0;
  let failed = 0;
  await Promise.all(
    Array.from(
      { length: streams },
      () =>
        new Promise<void>((resolve) => {
          pool.dispatch(
            { method: 'POST', path: '/v1/chat/completions', body, headers },
            {
              onRequestStart: () => undefined,
              onResponseStart: () => undefined,
              onResponseData: () => {
                events++;
              },
              onResponseEnd: () => resolve(),
              onResponseError: () => {
                failed++;
                resolve();
              },
            },
          );
        }),
    ),
  );
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  await pool.close();
  return { chunks: events, cpuUs: used.user + used.system, wallMs, failed };
};

async function main(): Promise<void> {
  const streams = Number(process.argv[2] ?? '1000');
  const intervalMs = Number(process.argv[3] ?? '50');
  const child = fork(fileURLToPath(import.meta.url), ['server'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
  const base = `http://127.0.0.1:${port}`;
  const killer = setTimeout(() => child.kill(), 120_000);
  try {
    console.log(`node ${process.version}, ${streams} concurrent streams, one chunk per ${intervalMs} ms per stream`);
    for (const [name, runner] of [
      ['undici pool.request, no parsing (floor)', undiciFloor],
      ['undici pool.dispatch, no parsing (floor)', undiciDispatchFloor],
      ['LlmClient.send (SSE + JSON + record)', llmClient],
    ] as const) {
      await runner(base, streams, 5, 5); // warm up the code paths (and the server)
      const few = await runner(base, streams, 10, intervalMs);
      const many = await runner(base, streams, 60, intervalMs);
      const marginal = (many.cpuUs - few.cpuUs) / (many.chunks - few.chunks);
      const perRequest = (few.cpuUs - marginal * few.chunks) / streams;
      console.log(
        `${name.padEnd(40)} | ${few.chunks} chunks: ${(few.cpuUs / few.chunks).toFixed(1)} µs/chunk all-in (${few.wallMs.toFixed(0)} ms)` +
          ` | ${many.chunks} chunks: ${(many.cpuUs / many.chunks).toFixed(1)} µs/chunk all-in (${many.wallMs.toFixed(0)} ms)` +
          ` | marginal ${marginal.toFixed(1)} µs/chunk, ${perRequest.toFixed(0)} µs/request | failed ${few.failed + many.failed}`,
      );
    }
  } finally {
    clearTimeout(killer);
    child.kill();
  }
}

if (process.argv[2] === 'server') runServer();
else await main();
