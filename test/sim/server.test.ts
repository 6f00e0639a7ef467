import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimServer } from '../../src/sim/server.js';
import { estimateTokens } from '../../src/tokens.js';
import { get, post, sseData } from './helpers.js';

// Fast, deterministic steps so shape tests finish in milliseconds.
const FAST = { noise: 0, prefillBaseMs: 2, prefillMsPerToken: 0.01, decodeBaseMs: 1, decodePerSeqMs: 0.1 };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('sim server: endpoints and wire shapes', () => {
  let sim: SimServer;
  const chat = (body: Json, headers?: Record<string, string>) => post(`${sim.url}/v1/chat/completions`, body, headers);
  const completions = (body: Json) => post(`${sim.url}/v1/completions`, body);
  const messages = [{ role: 'user', content: 'say something about the sea' }];

  beforeAll(async () => {
    sim = await startSim({ ...FAST, keepSendLog: true, modelName: 'tiny-sim' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('listens on 127.0.0.1 with the resolved parameters', () => {
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    expect(sim.params.decodeBaseMs).toBe(1);
    expect(sim.params.maxBatch).toBe(32);
  });

  it('answers GET /health with 200 and /v1/models with the model list', async () => {
    const health = await get(`${sim.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toBe('');
    const models = await get(`${sim.url}/v1/models`);
    expect(models.status).toBe(200);
    const list = JSON.parse(models.body) as Json;
    expect(list.object).toBe('list');
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ id: 'tiny-sim', object: 'model', max_model_len: 32768 });
  });

  it('streams a chat completion as vLLM does: role chunk, one chunk per token, finish, usage, [DONE]', async () => {
    const res = await chat(
      { model: 'whatever', messages, max_tokens: 5, stream: true, stream_options: { include_usage: true } },
      { 'X-Request-Id': 'req-chat-1' },
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['x-request-id']).toBe('req-chat-1');
    const events = sseData(res.body) as Json[];
    expect(events).toHaveLength(1 + 5 + 1 + 1);
    expect(events[0].choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
    ]);
    for (const e of events.slice(0, 7)) {
      expect(e).toMatchObject({ id: 'chatcmpl-req-chat-1', object: 'chat.completion.chunk', model: 'whatever' });
      expect(typeof e.created).toBe('number');
    }
    const content = events.slice(1, 6);
    expect(content.map((e) => e.choices[0].finish_reason)).toEqual([null, null, null, null, 'length']);
    const text = content.map((e) => e.choices[0].delta.content as string).join('');
    expect(estimateTokens(text)).toBe(5);
    expect(events[6].choices).toEqual([]);
    expect(events[6].usage).toEqual({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
    expect(events[7]).toBe('[DONE]');
  });

  it('sends no usage chunk without stream_options or with include_usage false', async () => {
    for (const extra of [{}, { stream_options: { include_usage: false } }]) {
      const events = sseData((await chat({ messages, max_tokens: 2, stream: true, ...extra })).body) as Json[];
      expect(events).toHaveLength(1 + 2 + 1);
      expect(events.some((e) => typeof e === 'object' && 'usage' in e)).toBe(false);
      expect(events[3]).toBe('[DONE]');
    }
  });

  it('adds cumulative usage to every content chunk with continuous_usage_stats', async () => {
    const events = sseData(
      (await chat({ messages, max_tokens: 3, stream: true, stream_options: { continuous_usage_stats: true } })).body,
    ) as Json[];
    expect(events.slice(1, 4).map((e) => e.usage.completion_tokens)).toEqual([1, 2, 3]);
    expect(events[4].usage.completion_tokens).toBe(3);
  });

  it('streams /v1/completions without a role chunk, as text_completion chunks', async () => {
    const res = await completions({ model: 'm', prompt: 'one two three four', max_tokens: 3, stream: true, stream_options: { include_usage: true } });
    const events = sseData(res.body) as Json[];
    expect(events).toHaveLength(3 + 1 + 1);
    for (const e of events.slice(0, 3)) {
      expect(e.object).toBe('text_completion');
      expect(e.id).toMatch(/^cmpl-/);
      expect(typeof e.choices[0].text).toBe('string');
      expect(e.usage).toBeNull();
    }
    expect(events[2].choices[0]).toMatchObject({ index: 0, finish_reason: 'length', stop_reason: null });
    expect(events[3]).toMatchObject({ object: 'text_completion', choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } });
    expect(events[4]).toBe('[DONE]');
  });

  it('answers non-streaming requests with one JSON body and usage', async () => {
    const c = await chat({ messages, max_tokens: 4 }, { 'x-request-id': 'plain' });
    expect(c.status).toBe(200);
    const body = JSON.parse(c.body) as Json;
    expect(body).toMatchObject({
      id: 'chatcmpl-plain',
      object: 'chat.completion',
      model: 'tiny-sim',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
    });
    expect(estimateTokens(body.choices[0].message.content)).toBe(4);

    const t = JSON.parse((await completions({ prompt: 'a b' })).body) as Json;
    expect(t.object).toBe('text_completion');
    expect(t.usage).toEqual({ prompt_tokens: 2, completion_tokens: 16, total_tokens: 18 }); // vLLM's default max_tokens
    expect(estimateTokens(t.choices[0].text)).toBe(16);
  });

  it('counts input tokens over all messages and text parts; max_completion_tokens wins', async () => {
    const res = await chat({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'three more words' }, { type: 'image_url', image_url: { url: 'x' } }] },
      ],
      max_tokens: 9,
      max_completion_tokens: 2,
    });
    expect((JSON.parse(res.body) as Json).usage).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    const ids = await completions({ prompt: [1, 2, 3, 4, 5, 6], max_tokens: 1 });
    expect((JSON.parse(ids.body) as Json).usage.prompt_tokens).toBe(6);
  });

  it('generates an X-Request-Id when the request has none, on every route', async () => {
    const a = await chat({ messages, max_tokens: 1 });
    const b = await chat({ messages, max_tokens: 1 });
    const idA = a.headers['x-request-id'] as string;
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(b.headers['x-request-id']).not.toBe(idA);
    expect((JSON.parse(a.body) as Json).id).toBe(`chatcmpl-${idA}`);
    expect((await get(`${sim.url}/health`)).headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers bad requests with vLLM-shaped 400 errors', async () => {
    const cases: [string, string | Json, string | null, RegExp][] = [
      ['/v1/chat/completions', '{not json', null, /not valid JSON/],
      ['/v1/chat/completions', { model: 'm' }, 'messages', /messages must be a non-empty array/],
      ['/v1/chat/completions', { messages: [] }, 'messages', /non-empty/],
      ['/v1/chat/completions', { messages, stream_options: { include_usage: true } }, 'stream_options', /stream=True/],
      ['/v1/chat/completions', { messages, stream: false, stream_options: {} }, 'stream_options', /stream=True/],
      ['/v1/chat/completions', { messages, max_tokens: 0 }, 'max_tokens', /integer >= 1/],
      ['/v1/chat/completions', { messages, max_tokens: 40000 }, 'max_tokens', /maximum context length is 32768/],
      ['/v1/chat/completions', [1, 2], null, /JSON object/],
      ['/v1/completions', { max_tokens: 3 }, 'prompt', /prompt is required/],
      ['/v1/completions', { prompt: ['a', 'b'] }, 'prompt', /one prompt per request/],
    ];
    for (const [path, body, param, message] of cases) {
      const res = await post(`${sim.url}${path}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toBe('application/json');
      const err = (JSON.parse(res.body) as Json).error;
      expect(Object.keys(err).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(err).toMatchObject({ type: 'BadRequestError', code: 400, param });
      expect(err.message).toMatch(message);
    }
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    const missing = await get(`${sim.url}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect((JSON.parse(missing.body) as Json).error).toMatchObject({ type: 'NotFoundError', code: 404 });
    const wrong = await get(`${sim.url}/v1/chat/completions`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
  });

  it('works with the official openai SDK: streams a chat completion and reads its usage', async () => {
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-test-not-a-secret', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'any-model',
      messages: [{ role: 'user', content: 'hello there' }],
      max_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(usage).toEqual({ prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 });
    expect(finish).toBe('length');
    expect(estimateTokens(text)).toBe(6);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny-sim']);
  });

  it('logs every generation request with its token counts', async () => {
    const before = sim.sendLog.length;
    await chat({ messages, max_tokens: 3, stream: true }, { 'x-request-id': 'logged-1' });
    const entry = sim.sendLog.slice(before).find((e) => e.requestId === 'logged-1');
    expect(entry).toMatchObject({ contentChunks: 3, inputTokens: 5, outputTokens: 3 });
    expect(entry!.firstContentAt).toBeGreaterThan(entry!.arrivalAt);
    expect(entry!.lastContentAt).toBeGreaterThan(entry!.firstContentAt!);
  });
});

describe('sim server: disconnects, close and the send log file', () => {
  it('frees the batch slot of a client that disconnects mid-stream', async () => {
    const sim = await startSim({ ...FAST, decodeBaseMs: 5, maxBatch: 1, keepSendLog: true });
    try {
      // 20000 tokens at ≥ 5 ms each would hold the only slot for over 100 s.
      await new Promise<void>((resolve, reject) => {
        const req = request(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-request-id': 'leaver' } }, (res) => {
          res.on('data', (d: Buffer) => {
            if (d.toString().includes('"content":" ')) {
              req.destroy();
              resolve();
            }
          });
        });
        req.on('error', (e) => (e.message.includes('socket hang up') || e.message.includes('aborted') ? undefined : reject(e)));
        req.end(JSON.stringify({ messages: [{ role: 'user', content: 'x' }], max_tokens: 20000, stream: true }));
      });
      const started = performance.now();
      const next = await post(`${sim.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'x' }], max_tokens: 3 }, { 'x-request-id': 'next' });
      expect(next.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(3000);
      const leaver = sim.sendLog.find((e) => e.requestId === 'leaver');
      expect(leaver).toBeDefined();
      expect(leaver!.outputTokens).toBeGreaterThanOrEqual(1);
      expect(leaver!.outputTokens).toBeLessThan(1000);
      expect(sim.sendLog.find((e) => e.requestId === 'next')?.outputTokens).toBe(3);
    } finally {
      await sim.close();
    }
  });

  it('close() ends open streams (truncated, no [DONE]) and resolves quickly', async () => {
    const sim = await startSim({ ...FAST, decodeBaseMs: 5 });
    let body = '';
    const ended = new Promise<void>((resolve) => {
      const req = request(`${sim.url}/v1/completions`, { method: 'POST' }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('error', () => undefined);
        res.on('close', () => resolve());
      });
      req.on('error', () => resolve());
      req.end(JSON.stringify({ prompt: 'x', max_tokens: 20000, stream: true }));
    });
    while (!body.includes('"text"')) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    await sim.close();
    await ended;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(body).not.toContain('[DONE]');
  });

  it('appends the send log as JSON lines to a file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sim-log-')), 'send.jsonl');
    const sim = await startSim({ ...FAST, sendLogPath: path, keepSendLog: true });
    await post(`${sim.url}/v1/completions`, { prompt: 'a b c', max_tokens: 2, stream: true }, { 'x-request-id': 'f1' });
    await post(`${sim.url}/v1/completions`, { prompt: 'a', max_tokens: 1 }, { 'x-request-id': 'f2' });
    await sim.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual(sim.sendLog);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ requestId: 'f1', contentChunks: 2, inputTokens: 3, outputTokens: 2 });
  });

  it('fails to start with a one-line reason on a bad send-log path or parameter', async () => {
    await expect(startSim({ sendLogPath: '/nonexistent-dir/x/send.jsonl' })).rejects.toThrow(/^cannot open the send log \/nonexistent-dir/);
    await expect(startSim({ speed: 0 })).rejects.toThrow(/speed must be a number > 0/);
  });
});
