import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmClient, requestBody } from '../../src/client/client.js';
import type { RequestSpec } from '../../src/types.js';
import { DIALECTS } from './dialects.js';
import { SteppedClock, closedPort, sleep, sse, startFakeServer } from './fake-server.js';
import type { FakeServer } from './fake-server.js';

const API_KEY = 'sk-test-secret-0123456789';

const chatSpec = (id = 'req-1'): RequestSpec => ({
  id,
  scenario: 'chat-short',
  api: 'chat',
  messages: [{ role: 'user', content: 'say hello' }],
  inputTokens: 2,
  maxTokens: 16,
});

const sendOptions = { model: 'M', scheduledAt: null, deadlineMs: 10_000, idleTimeoutMs: 5_000 };
const contentEvent = (text: string): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

let server: FakeServer;
let client: LlmClient;

beforeAll(async () => {
  server = await startFakeServer();
  client = new LlmClient({ baseUrl: `${server.url}/v1/`, apiKey: API_KEY, headers: { 'X-Team': 'perf' }, connections: 64 });
});

afterAll(async () => {
  await client.close();
  await server.close();
});

describe('LlmClient on each server dialect, with exact arrival offsets', () => {
  for (const dialect of DIALECTS) {
    it(dialect.name, async () => {
      const clock = new SteppedClock();
      const stepped = new LlmClient({ baseUrl: server.url, connections: 1, clock });
      const offsetOf = (i: number): number => 100 + 10 * i + 0.25;
      server.setHandler(async (_req, res) => {
        clock.time = 1000 + 40.5;
        sse(res);
        await clock.nextCall();
        for (let i = 0; i < dialect.chunks.length; i++) {
          clock.time = 1000 + offsetOf(i);
          res.write(dialect.chunks[i]);
          await clock.nextCall();
        }
        clock.time = 5000;
        res.end();
      });
      clock.time = 1000;
      const spec: RequestSpec = { ...chatSpec(), api: dialect.api, prompt: 'say hello' };
      const record = await stepped.send(spec, { ...sendOptions, scheduledAt: 998.5 });
      await stepped.close();
      const offsets = dialect.expected.contentAt.map(offsetOf);
      expect(record).toMatchObject({
        status: 'ok',
        error: null,
        scheduledAt: 998.5,
        sentAt: 1000,
        headersMs: 40.5,
        ttftMs: offsets[0],
        e2eMs: offsets[offsets.length - 1],
        streamEndMs: offsetOf(dialect.chunks.length - 1),
        chunkOffsetsMs: offsets,
        outputTokens: dialect.expected.outputTokens,
        tokenSource: dialect.expected.tokenSource,
        inputTokens: dialect.expected.inputTokens ?? spec.inputTokens,
        finishReason: dialect.expected.finishReason,
      });
      expect(record.chunkTokens).toEqual(dialect.expected.chunkTokens);
      const sent = server.received[server.received.length - 1];
      expect(sent.url).toBe(dialect.api === 'chat' ? '/v1/chat/completions' : '/v1/completions');
    });
  }
});

describe('LlmClient request', () => {
  it('sends the body, X-Request-Id, the key and the extra headers', async () => {
    server.setHandler((_req, res) => {
      sse(res);
      res.end(`${contentEvent('hi')}data: [DONE]\n\n`);
    });
    const spec: RequestSpec = { ...chatSpec('abc-42'), body: { temperature: 0 } };
    const record = await client.send(spec, { ...sendOptions, body: { ignore_eos: true, temperature: 1 }, headers: { 'X-Scenario': 'one' } });
    expect(record.status).toBe('ok');
    const sent = server.received[server.received.length - 1];
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers['x-request-id']).toBe('abc-42');
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['x-team']).toBe('perf');
    expect(sent.headers['x-scenario']).toBe('one');
    expect(JSON.parse(sent.body)).toEqual({
      model: 'M',
      messages: [{ role: 'user', content: 'say hello' }],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true,
      temperature: 0,
    });
  });

  it('builds a completions body with the prompt', () => {
    const spec: RequestSpec = { id: 'c', scenario: 's', api: 'completions', prompt: 'Once', inputTokens: 1, maxTokens: 8 };
    expect(requestBody(spec, { model: 'M' })).toEqual({ model: 'M', prompt: 'Once', max_tokens: 8, stream: true, stream_options: { include_usage: true } });
  });

  describe('forceLength (output_length)', () => {
    const chat: RequestSpec = { id: 'f', scenario: 's', api: 'chat', messages: [{ role: 'user', content: 'hi' }], inputTokens: 1, maxTokens: 12 };
    const head = { model: 'M', messages: [{ role: 'user', content: 'hi' }], max_tokens: 12, stream: true, stream_options: { include_usage: true } };

    it('ignore_eos+min_tokens (vLLM, SGLang, exact): both, min_tokens = the max tokens as sent', () => {
      expect(requestBody(chat, { model: 'M', forceLength: 'ignore_eos+min_tokens' })).toEqual({ ...head, ignore_eos: true, min_tokens: 12 });
      const completions: RequestSpec = { id: 'c', scenario: 's', api: 'completions', prompt: 'Once', inputTokens: 1, maxTokens: 8 };
      expect(requestBody(completions, { model: 'M', forceLength: 'ignore_eos+min_tokens', maxTokensField: 'max_completion_tokens' })).toMatchObject({ max_completion_tokens: 8, ignore_eos: true, min_tokens: 8 });
      // A body that overrides the length: min_tokens follows it (vLLM rejects min_tokens > max_tokens).
      expect(requestBody(chat, { model: 'M', forceLength: 'ignore_eos+min_tokens', body: { max_tokens: 5 } })).toMatchObject({ max_tokens: 5, ignore_eos: true, min_tokens: 5 });
      expect(requestBody(chat, { model: 'M', forceLength: 'ignore_eos+min_tokens', body: { stream: false } })).toMatchObject({ stream: false, ignore_eos: true, min_tokens: 12 });
    });

    it('ignore_eos (llama.cpp): no min_tokens', () => {
      expect(requestBody(chat, { model: 'M', forceLength: 'ignore_eos' })).toEqual({ ...head, ignore_eos: true });
    });

    it('none (natural, TGI, Ollama, unknown): nothing added', () => {
      expect(requestBody(chat, { model: 'M' })).toEqual(head);
    });

    it("the body decides: a scenario's or a request's ignore_eos / min_tokens keeps anything from being added", () => {
      expect(requestBody(chat, { model: 'M', forceLength: 'ignore_eos+min_tokens', body: { ignore_eos: false } })).toEqual({ ...head, ignore_eos: false });
      expect(requestBody(chat, { model: 'M', forceLength: 'ignore_eos+min_tokens', body: { min_tokens: 3 } })).toEqual({ ...head, min_tokens: 3 });
      expect(requestBody({ ...chat, body: { ignore_eos: false } }, { model: 'M', forceLength: 'ignore_eos' })).toEqual({ ...head, ignore_eos: false });
    });

    it('never for embeddings', () => {
      const spec: RequestSpec = { id: 'e', scenario: 's', api: 'embeddings', prompt: 'embed me', inputTokens: 2, maxTokens: 1 };
      expect(requestBody(spec, { model: 'E', forceLength: 'ignore_eos+min_tokens' })).toEqual({ model: 'E', input: 'embed me' });
    });
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    const own = await startFakeServer((_req, res) => {
      sse(res);
      res.end(`${contentEvent('hi')}data: [DONE]\n\n`);
    });
    const c = new LlmClient({ baseUrl: own.url, connections: 4 });
    for (let i = 0; i < 5; i++) expect((await c.send(chatSpec(`k${i}`), sendOptions)).status).toBe('ok');
    await c.close();
    await own.close();
    expect(own.connections).toBe(1);
  });

  it('runs many concurrent streams', async () => {
    server.setHandler(async (_req, res) => {
      sse(res);
      for (let i = 0; i < 5; i++) {
        res.write(contentEvent(`w${i} `));
        await sleep(2);
      }
      res.end('data: {"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":5}}\n\ndata: [DONE]\n\n');
    });
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => client.send(chatSpec(`p${i}`), sendOptions)));
    expect(records.every((r) => r.status === 'ok' && r.outputTokens === 5 && r.chunkOffsetsMs.length === 5)).toBe(true);
  });
});

describe('LlmClient failures: classified, never thrown', () => {
  const errorBodies: Array<[string, number, string, string, string]> = [
    ['vLLM JSON error', 400, 'application/json', '{"error":{"message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400}}', 'HTTP 400: max_tokens is too large'],
    ['SGLang flat error', 503, 'application/json', '{"object":"error","message":"queue is full","type":"ServiceUnavailable","param":null,"code":503}', 'HTTP 503: queue is full'],
    ['TGI error string', 422, 'application/json', '{"error":"Input validation error: inputs too long","error_type":"validation"}', 'HTTP 422: Input validation error: inputs too long'],
    ['HTML page', 500, 'text/html', `<html>\n<body>${'Internal Server Error '.repeat(20)}</body></html>`, `HTTP 500: <html> <body>${'Internal Server Error '.repeat(20)}`.slice(0, 'HTTP 500: '.length + 200) + '…'],
    ['empty body', 502, 'text/plain', '', 'HTTP 502 with an empty body'],
  ];
  for (const [name, status, type, body, message] of errorBodies) {
    it(`HTTP ${status} before the stream (${name}) is http_status`, async () => {
      server.setHandler((_req, res) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
      const record = await client.send(chatSpec(), sendOptions);
      expect(record.status).toBe('error');
      expect(record.error).toEqual({ kind: 'http_status', httpStatus: status, message });
      expect(record.ttftMs).toBeNull();
      expect(record.outputTokens).toBeNull();
      expect(typeof record.headersMs).toBe('number');
    });
  }

  it('a refused connection is connect', async () => {
    const c = new LlmClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, connections: 1 });
    const record = await c.send(chatSpec(), sendOptions);
    await c.close();
    expect(record.status).toBe('error');
    expect(record.error?.kind).toBe('connect');
    expect(record.error?.message).toContain('ECONNREFUSED');
    expect(record.headersMs).toBeNull();
  });

  it('a connection reset before the response is connect', async () => {
    server.setHandler((req) => {
      req.socket.destroy();
    });
    const record = await client.send(chatSpec(), sendOptions);
    expect(record.error?.kind).toBe('connect');
  });

  it('a reset mid-stream is truncated and keeps the chunks that arrived', async () => {
    server.setHandler(async (req, res) => {
      sse(res);
      res.write(contentEvent('a'));
      await sleep(20);
      res.write(contentEvent('b'));
      await sleep(20);
      req.socket.destroy();
    });
    const record = await client.send(chatSpec(), sendOptions);
    expect(record.status).toBe('error');
    expect(record.error?.kind).toBe('truncated');
    expect(record.error?.message).toMatch(/^the connection broke mid-stream/);
    expect(record.chunkOffsetsMs).toHaveLength(2);
    expect(record.streamEndMs).toBeNull();
    expect(record.outputTokens).toBe(1); // the estimate of "ab"
  });

  it('an end without [DONE] is truncated, with the stream end recorded', async () => {
    server.setHandler((_req, res) => {
      sse(res);
      res.end(contentEvent('a'));
    });
    const record = await client.send(chatSpec(), sendOptions);
    expect(record.error).toEqual({ kind: 'truncated', message: 'the stream ended without [DONE]' });
    expect(record.streamEndMs).not.toBeNull();
  });

  it('an error event then [DONE] is stream_error', async () => {
    server.setHandler((_req, res) => {
      sse(res);
      res.end(`${contentEvent('a')}data: {"error":{"message":"engine died","code":500}}\n\ndata: [DONE]\n\n`);
    });
    const record = await client.send(chatSpec(), sendOptions);
    expect(record.status).toBe('error');
    expect(record.error).toEqual({ kind: 'stream_error', message: 'engine died' });
    expect(record.chunkOffsetsMs).toHaveLength(1);
  });

  it('an error event then the end (no [DONE]) stays stream_error, not truncated', async () => {
    server.setHandler((_req, res) => {
      sse(res);
      res.end('data: {"error":{"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}}\n\n');
    });
    const record = await client.send(chatSpec(), sendOptions);
    expect(record.error).toEqual({ kind: 'stream_error', message: 'the request exceeds the available context size' });
  });

  it('an error event then a reset stays stream_error', async () => {
    server.setHandler(async (req, res) => {
      sse(res);
      res.write('data: {"error":"overloaded"}\n\n');
      await sleep(20);
      req.socket.destroy();
    });
    const record = await client.send(chatSpec(), sendOptions);
    expect(record.error).toEqual({ kind: 'stream_error', message: 'overloaded' });
  });

  it('a 200 that is not text/event-stream is malformed, quoting the body', async () => {
    server.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello\nthere');
    });
    const plain = await client.send(chatSpec(), sendOptions);
    expect(plain.error).toEqual({ kind: 'malformed', message: "expected a text/event-stream answer, got 'text/plain': hello there" });
    server.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices":[{"message":{"content":"hi"}}]}');
    });
    const json = await client.send(chatSpec(), sendOptions);
    expect(json.error?.kind).toBe('malformed');
    expect(json.status).toBe('error');
  });

  it('a bad event mid-stream is malformed, and the rest is still read', async () => {
    server.setHandler((_req, res) => {
      sse(res);
      res.end(`${contentEvent('a')}data: {not json}\n\n${contentEvent('b')}data: [DONE]\n\n`);
    });
    const record = await client.send(chatSpec(), sendOptions);
    expect(record.error).toEqual({ kind: 'malformed', message: 'event is not valid JSON: {not json}' });
    expect(record.chunkOffsetsMs).toHaveLength(2);
  });

  it('a server that lingers after [DONE] without ending the body still gives an ok record', async () => {
    server.setHandler((_req, res) => {
      sse(res);
      res.write(`${contentEvent('a')}data: [DONE]\n\n`);
    });
    const record = await client.send(chatSpec(), { ...sendOptions, idleTimeoutMs: 200 });
    expect(record.status).toBe('ok');
    expect(record.error).toBeNull();
    expect(record.streamEndMs).not.toBeNull();
    expect(record.chunkOffsetsMs).toHaveLength(1);
  });

  it('an event over the size cap is malformed and the stream goes on', async () => {
    const capped = new LlmClient({ baseUrl: server.url, connections: 1, maxEventBytes: 1024 });
    server.setHandler((_req, res) => {
      sse(res);
      res.end(`${contentEvent('x'.repeat(5000))}${contentEvent('after')}data: [DONE]\n\n`);
    });
    const record = await capped.send(chatSpec(), sendOptions);
    await capped.close();
    expect(record.error).toEqual({ kind: 'malformed', message: 'event larger than 1024 bytes (the cap on one event); skipped' });
    expect(record.chunkOffsetsMs).toHaveLength(1);
  });

  it('a server that stalls mid-stream hits the idle timeout', async () => {
    server.setHandler((_req, res) => {
      sse(res);
      res.write(contentEvent('a'));
    });
    const started = performance.now();
    const record = await client.send(chatSpec(), { ...sendOptions, idleTimeoutMs: 150 });
    const elapsed = performance.now() - started;
    expect(record.status).toBe('timeout');
    expect(record.error).toEqual({ kind: 'idle_timeout', message: 'no bytes from the server for 150 ms (idle timeout)' });
    expect(record.chunkOffsetsMs).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(149);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('a server that holds its headers hits the deadline, not the idle timeout', async () => {
    server.setHandler(() => undefined);
    const record = await client.send(chatSpec(), { ...sendOptions, deadlineMs: 250, idleTimeoutMs: 50 });
    expect(record.status).toBe('timeout');
    expect(record.error).toEqual({ kind: 'deadline', message: 'no complete response within the request deadline of 250 ms' });
    expect(record.headersMs).toBeNull();
  });

  it('a stream that keeps going past the deadline hits the deadline', async () => {
    server.setHandler(async (_req, res) => {
      sse(res);
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write(contentEvent('x'));
        await sleep(10);
      }
      res.end();
    });
    const record = await client.send(chatSpec(), { ...sendOptions, deadlineMs: 300, idleTimeoutMs: 5_000 });
    expect(record.status).toBe('timeout');
    expect(record.error?.kind).toBe('deadline');
    expect(record.chunkOffsetsMs.length).toBeGreaterThan(0);
  });

  it('an aborted signal cancels a request in flight', async () => {
    server.setHandler(async (_req, res) => {
      sse(res);
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write(contentEvent('x'));
        await sleep(10);
      }
      res.end();
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const record = await client.send(chatSpec(), { ...sendOptions, signal: controller.signal });
    expect(record.status).toBe('cancelled');
    expect(record.error?.kind).toBe('cancelled');
  });

  it('a signal aborted before sending cancels without a request', async () => {
    const before = server.received.length;
    const record = await client.send(chatSpec(), { ...sendOptions, signal: AbortSignal.abort() });
    expect(record.status).toBe('cancelled');
    expect(server.received.length).toBe(before);
  });

  it('never puts the api key in a record, even when the server echoes it', async () => {
    server.setHandler((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization}` } }));
    });
    const unauthorized = await client.send(chatSpec(), sendOptions);
    expect(unauthorized.error?.message).toBe('HTTP 401: Incorrect API key provided: Bearer ***');
    server.setHandler((req, res) => {
      sse(res);
      res.end(`data: ${JSON.stringify({ error: `bad key ${String(req.headers.authorization).slice(7)}` })}\n\n`);
    });
    const streamed = await client.send(chatSpec(), sendOptions);
    expect(streamed.error).toEqual({ kind: 'stream_error', message: 'bad key ***' });
    expect(JSON.stringify([unauthorized, streamed])).not.toContain(API_KEY);
  });
});
