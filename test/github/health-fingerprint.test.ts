import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunFailedError } from '../../src/errors.js';
import { fingerprintEngine, identifyEngine } from '../../src/client/fingerprint.js';
import * as actionFingerprint from '../../src/github/fingerprint.js';
import { probeOnce, waitForHealth } from '../../src/github/health.js';

/** A server whose answers per path the test sets; counts /health polls. */
let server: Server;
let url: string;
const routes = new Map<string, { status: number; body: string }>();
const seenAuth: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    const r = routes.get(req.url ?? '') ?? { status: 404, body: 'not found' };
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('health', () => {
  it('is ready when /health is 200 and /v1/models is 200, given the /v1 base', async () => {
    routes.clear();
    routes.set('/health', { status: 200, body: '' });
    routes.set('/v1/models', { status: 200, body: '{"data":[{"id":"m"}]}' });
    expect(await probeOnce(`${url}/v1`, { timeoutMs: 1000 })).toEqual({ ready: true, answer: `GET ${url}/v1/models → HTTP 200` });
  });

  it('is not ready while /health answers 503 (llama.cpp loading), even though /v1/models answers', async () => {
    routes.clear();
    routes.set('/health', { status: 503, body: '{"error":{"message":"Loading model"}}' });
    routes.set('/v1/models', { status: 200, body: '{"data":[]}' });
    expect(await probeOnce(url, { timeoutMs: 1000 })).toEqual({ ready: false, answer: `GET ${url}/health → HTTP 503: {"error":{"message":"Loading model"}}` });
  });

  it('sends the base URL\'s query with each probe, and never shows it or an echoed key', async () => {
    routes.clear();
    const key = 'sk-HEALTHKEY-0123456789abcdef';
    routes.set('/health?api-version=1&api_key=QSECRET', { status: 200, body: '' });
    // The key echoed just past the 200-character cut: no piece of it may show.
    routes.set('/v1/models?api-version=1&api_key=QSECRET', { status: 401, body: `${'x'.repeat(180)} Bearer ${key}` });
    const probe = await probeOnce(`${url}/v1?api-version=1&api_key=QSECRET`, { timeoutMs: 1000, apiKey: key });
    expect(probe.ready).toBe(false);
    expect(probe.answer.startsWith(`GET ${url}/v1/models → HTTP 401: `)).toBe(true);
    expect(probe.answer).not.toContain('QSECRET');
    for (let i = 0; i + 8 <= key.length; i++) expect(probe.answer).not.toContain(key.slice(i, i + 8));
  });

  it('accepts a server without /health (Ollama) once /v1/models answers', async () => {
    routes.clear();
    routes.set('/v1/models', { status: 200, body: '{"data":[]}' });
    expect((await probeOnce(url, { timeoutMs: 1000 })).ready).toBe(true);
  });

  it('times out with one line naming the URL and the last answer, backing off between polls', async () => {
    routes.clear();
    routes.set('/health', { status: 503, body: 'warming up' });
    let t = 0;
    const sleeps: number[] = [];
    const err = await waitForHealth(url, {
      timeoutMs: 10_000,
      now: () => t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFailedError);
    expect((err as Error).message).toBe(`${url}: not healthy after 10 s (wait-timeout); last answer: GET ${url}/health → HTTP 503: warming up`);
    expect(sleeps).toEqual([250, 500, 1000, 2000, 4000, 2250]);
  });

  it('names a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const p = await probeOnce(`http://127.0.0.1:${port}`, { timeoutMs: 1000 });
    expect(p).toEqual({ ready: false, answer: `GET http://127.0.0.1:${port}/health → ECONNREFUSED` });
  });

  it('stops waiting when the server process has died', async () => {
    routes.clear();
    await expect(waitForHealth(url, { timeoutMs: 60_000, abortReason: () => 'server-command exited with code 1' })).rejects.toThrow(
      /^server-command exited with code 1; last answer from the server: no answer yet$/,
    );
  });
});

describe('fingerprint', () => {
  it('identifies each engine from its own endpoint', () => {
    const none = { serverInfo: null, info: null, props: null, ollama: null, version: null };
    expect(identifyEngine({ ...none, version: { version: '0.8.5' } })).toEqual({ engine: 'vllm', engineVersion: '0.8.5' });
    expect(identifyEngine({ ...none, info: { model_id: 'meta/llama', version: '3.2.1', max_concurrent_requests: 128 } })).toEqual({ engine: 'tgi', engineVersion: '3.2.1' });
    expect(identifyEngine({ ...none, props: { default_generation_settings: {}, total_slots: 1, build_info: 'b6123-abc' } })).toEqual({ engine: 'llama.cpp', engineVersion: 'b6123-abc' });
    expect(identifyEngine({ ...none, serverInfo: { version: '0.4.6', tp_size: 1 }, version: { version: '0.4.6' } })).toEqual({ engine: 'sglang', engineVersion: '0.4.6' });
    expect(identifyEngine({ ...none, ollama: { version: '0.9.0' } })).toEqual({ engine: 'ollama', engineVersion: '0.9.0' });
    expect(identifyEngine(none)).toEqual({});
  });

  it('asks the server and never fails on odd answers', async () => {
    routes.clear();
    routes.set('/version', { status: 200, body: '{"version":"0.9.1"}' });
    routes.set('/info', { status: 200, body: 'not json' });
    expect(await fingerprintEngine(`${url}/v1`, { apiKey: 'sk-x' })).toEqual({ engine: 'vllm', engineVersion: '0.9.1' });
    expect(seenAuth.at(-1)).toBe('Bearer sk-x');
    expect(await fingerprintEngine('http://127.0.0.1:1', { timeoutMs: 200 })).toEqual({});
  });

  it('is still importable from src/github/fingerprint.ts (the action)', () => {
    expect(actionFingerprint.fingerprintEngine).toBe(fingerprintEngine);
    expect(actionFingerprint.identifyEngine).toBe(identifyEngine);
  });
});
