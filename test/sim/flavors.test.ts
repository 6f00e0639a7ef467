// Each flavor's byte stream against shared/reference/server-dialects.md: framing, role chunk,
// where the finish reason and usage ride, [DONE]; request rules per server; text modes.
import { afterAll, describe, expect, it } from 'vitest';
import { FLAVOR_NAMES, type FlavorName } from '../../src/sim/flavors.js';
import { startSim, type SimOptions, type SimServer } from '../../src/sim/server.js';
import { estimateTokens } from '../../src/tokens.js';
import { get, post, sseAny } from './helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FAST = { noise: 0, prefillBaseMs: 2, prefillMsPerToken: 0.01, decodeBaseMs: 1, decodePerSeqMs: 0.1 };
const messages = [{ role: 'user', content: 'one two three' }];
const servers: SimServer[] = [];

async function sim(opts: SimOptions): Promise<SimServer> {
  const s = await startSim({ ...FAST, keepSendLog: true, ...opts });
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function stream(s: SimServer, body: Json, id = 'r1'): Promise<{ raw: string; events: (Json | string)[] }> {
  const res = await post(`${s.url}/v1/chat/completions`, { messages, stream: true, ...body }, { 'x-request-id': id });
  expect(res.status).toBe(200);
  return { raw: res.body, events: sseAny(res.body) as (Json | string)[] };
}

const choice = (e: Json | string): Json => (e as Json).choices[0];

describe('flavor streams (chat, include_usage, 3 tokens forced with ignore_eos where honoured)', () => {
  const body = { max_tokens: 3, stream_options: { include_usage: true } };

  it('vllm: role chunk, text in the finish chunk, usage chunk, [DONE]', async () => {
    const { raw, events } = await stream(await sim({ flavor: 'vllm' }), body);
    expect(raw.startsWith('data: {')).toBe(true);
    expect(events).toHaveLength(1 + 3 + 1 + 1);
    expect(choice(events[0]).delta).toEqual({ role: 'assistant', content: '' });
    expect(events.slice(1, 4).map((e) => choice(e).finish_reason)).toEqual([null, null, 'length']);
    expect(choice(events[3]).delta.content).toBe(' and');
    expect(events[4]).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } });
    expect(events[5]).toBe('[DONE]');
  });

  it('sglang: nulls everywhere, a separate all-null finish chunk, usage only when asked', async () => {
    const s = await sim({ flavor: 'sglang' });
    const { events } = await stream(s, body);
    expect(events).toHaveLength(1 + 3 + 1 + 1 + 1);
    expect(events[0]).toMatchObject({ id: 'r1', usage: null });
    expect(choice(events[0])).toEqual({
      index: 0, delta: { role: 'assistant', content: '', reasoning_content: null, tool_calls: null }, logprobs: null, finish_reason: null, matched_stop: null,
    });
    expect(choice(events[1]).delta).toEqual({ role: null, content: ' the', reasoning_content: null, tool_calls: null });
    expect(choice(events[4])).toMatchObject({ delta: { role: null, content: null, reasoning_content: null, tool_calls: null }, finish_reason: 'length' });
    expect(events[5]).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    expect(events[6]).toBe('[DONE]');
    // include_usage defaults to false on SGLang.
    const noUsage = await stream(s, { max_tokens: 2, stream_options: {} });
    expect(noUsage.events.some((e) => typeof e === 'object' && e.choices?.length === 0)).toBe(false);
  });

  it('tgi: data: without a space, a keep-alive comment, role on every chunk, id "", data:[DONE]', async () => {
    const { raw, events } = await stream(await sim({ flavor: 'tgi', earlyEos: false }), body);
    expect(raw.startsWith(':\n\ndata:{')).toBe(true);
    expect(raw).not.toContain('data: ');
    expect(raw.endsWith('data:[DONE]\n\n')).toBe(true);
    expect(events[0]).toEqual({ comment: '' });
    const content = events.slice(1, 4);
    for (const e of content) expect(e).toMatchObject({ id: '', system_fingerprint: '3.3.6-native', usage: null });
    expect(content.map((e) => choice(e).delta)).toEqual([
      { role: 'assistant', content: ' the' },
      { role: 'assistant', content: ' of' },
      { role: 'assistant', content: ' and' },
    ]);
    expect(choice(content[2]).finish_reason).toBe('length');
    expect(events[4]).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    expect(events).toHaveLength(6);
  });

  it('llamacpp: role chunk with content null, empty-delta finish chunk, usage chunk with timings', async () => {
    const { events } = await stream(await sim({ flavor: 'llamacpp' }), { max_tokens: 3 });
    expect(events).toHaveLength(1 + 3 + 1 + 1 + 1);
    expect(choice(events[0])).toEqual({ finish_reason: null, index: 0, delta: { role: 'assistant', content: null } });
    expect(choice(events[4])).toEqual({ finish_reason: 'length', index: 0, delta: {} });
    const u = events[5] as Json;
    expect(u.choices).toEqual([]);
    expect(u.usage).toEqual({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6, prompt_tokens_details: { cached_tokens: 0 } });
    expect(u.timings).toMatchObject({ prompt_n: 3, predicted_n: 3 });
    expect(u.timings.predicted_ms).toBeGreaterThan(0);
    expect(events[6]).toBe('[DONE]');
  });

  it('llamacpp-old: no role chunk; usage and timings in the finish chunk itself', async () => {
    const { events } = await stream(await sim({ flavor: 'llamacpp-old' }), { max_tokens: 3 });
    expect(events).toHaveLength(3 + 1 + 1);
    expect(choice(events[0]).delta).toEqual({ content: ' the' });
    expect(choice(events[3])).toEqual({ finish_reason: 'length', index: 0, delta: {} });
    expect(events[3]).toMatchObject({ usage: { completion_tokens: 3 }, timings: { predicted_n: 3 } });
    expect(events[4]).toBe('[DONE]');
  });

  it('ollama: role on every chunk, finish on an empty-content chunk, usage chunk, [DONE]', async () => {
    const { events } = await stream(await sim({ flavor: 'ollama', earlyEos: false }), body);
    expect(events).toHaveLength(3 + 1 + 1 + 1);
    expect(events.slice(0, 4).map((e) => choice(e).delta)).toEqual([
      { role: 'assistant', content: ' the' },
      { role: 'assistant', content: ' of' },
      { role: 'assistant', content: ' and' },
      { role: 'assistant', content: '' },
    ]);
    expect(events[0]).toMatchObject({ id: 'chatcmpl-0', system_fingerprint: 'fp_ollama' });
    expect(choice(events[3]).finish_reason).toBe('length');
    expect(events[4]).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    expect(events[5]).toBe('[DONE]');
  });

  it('trtllm: role-only first event with a trailing space, a new id every chunk, per-chunk usage', async () => {
    const { raw, events } = await stream(await sim({ flavor: 'trtllm' }), { max_tokens: 3, stream_options: {} });
    const first = raw.slice(0, raw.indexOf('\n\n'));
    expect(first.endsWith('} ')).toBe(true);
    expect(choice(events[0]).delta).toEqual({ role: 'assistant' });
    const ids = events.filter((e) => typeof e === 'object').map((e) => (e as Json).id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.slice(1, 4).map((e) => (e as Json).usage.completion_tokens)).toEqual([1, 2, 3]);
    expect(choice(events[3]).finish_reason).toBe('length');
    expect(events[4]).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    expect(events[5]).toBe('[DONE]');
  });

  it('openai: role chunk with refusal null, "usage": null on every chunk, then the usage chunk', async () => {
    const { events } = await stream(await sim({ flavor: 'openai', earlyEos: false }), body);
    expect(events).toHaveLength(1 + 3 + 1 + 1 + 1);
    expect(choice(events[0]).delta).toEqual({ role: 'assistant', content: '', refusal: null });
    for (const e of events.slice(0, 5)) expect((e as Json).usage).toBeNull();
    expect(choice(events[4])).toMatchObject({ delta: {}, finish_reason: 'length' });
    expect(events[5]).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    expect(events[6]).toBe('[DONE]');
  });

  it('every flavor streams /v1/completions text that adds up to the usage count', async () => {
    for (const flavor of FLAVOR_NAMES) {
      const s = await sim({ flavor, earlyEos: false });
      const res = await post(`${s.url}/v1/completions`, { prompt: 'a b c d', max_tokens: 4, stream: true, stream_options: { include_usage: true } });
      const events = sseAny(res.body) as (Json | string)[];
      const chunks = events.filter((e): e is Json => typeof e === 'object' && Array.isArray(e.choices) && e.choices.length > 0);
      const text = chunks.map((e) => e.choices[0].text as string).join('');
      expect(estimateTokens(text), flavor).toBe(4);
      const usage = events.filter((e): e is Json => typeof e === 'object' && e.usage?.completion_tokens > 0).at(-1);
      expect(usage?.usage.completion_tokens, flavor).toBe(4);
      expect(chunks.at(-1)!.choices[0].finish_reason, flavor).toBe('length');
    }
  });
});

describe('request rules per flavor', () => {
  it('max_completion_tokens wins on vLLM, is ignored by Ollama', async () => {
    const v = await sim({ flavor: 'vllm' });
    const o = await sim({ flavor: 'ollama', earlyEos: false });
    const req = { messages, max_tokens: 5, max_completion_tokens: 2 };
    expect((JSON.parse((await post(`${v.url}/v1/chat/completions`, req)).body) as Json).usage.completion_tokens).toBe(2);
    expect((JSON.parse((await post(`${o.url}/v1/chat/completions`, req)).body) as Json).usage.completion_tokens).toBe(5);
  });

  it('trtllm rejects unknown fields with a flat 400; tgi validates with 422', async () => {
    const t = await sim({ flavor: 'trtllm' });
    const bad = await post(`${t.url}/v1/chat/completions`, { messages, max_tokens: 2, frobnicate: true });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ object: 'error', type: 'BadRequestError', code: 400, param: 'frobnicate' });
    const g = await sim({ flavor: 'tgi' });
    const tgi = await post(`${g.url}/v1/chat/completions`, { messages: [] });
    expect(tgi.status).toBe(422);
    expect(JSON.parse(tgi.body)).toEqual({ error: 'messages must be a non-empty array.', error_type: 'validation' });
  });

  it('early EOS: a seeded length in [max/2, max] with finish "stop"; ignore_eos and min_tokens where honoured', async () => {
    const lengths = async (s: SimServer, extra: Json): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await post(`${s.url}/v1/chat/completions`, { messages, max_tokens: 20, ...extra }, { 'x-request-id': `eos-${i}` });
        const b = JSON.parse(r.body) as Json;
        expect(b.choices[0].finish_reason).toBe(b.usage.completion_tokens < 20 ? 'stop' : 'length');
        out.push(b.usage.completion_tokens as number);
      }
      return out;
    };
    const tgi = await lengths(await sim({ flavor: 'tgi' }), {});
    expect(tgi.every((n) => n >= 10 && n <= 20)).toBe(true);
    expect(tgi.some((n) => n < 20)).toBe(true);
    // The same seed and request ids give the same lengths (and TGI cannot be forced: ignore_eos is ignored).
    expect(await lengths(await sim({ flavor: 'tgi' }), { ignore_eos: true })).toEqual(tgi);
    const vllm = await sim({ flavor: 'vllm', earlyEos: true });
    expect(await lengths(vllm, { ignore_eos: true })).toEqual(Array(12).fill(20));
    expect((await lengths(vllm, { min_tokens: 19 })).every((n) => n >= 19)).toBe(true);
    // vLLM's default (no early EOS) keeps max_tokens, as before.
    expect(await lengths(await sim({ flavor: 'vllm' }), {})).toEqual(Array(12).fill(20));
  });

  it('TGI streams its EOS token as an empty finish chunk that usage counts', async () => {
    const s = await sim({ flavor: 'tgi' });
    for (let i = 0; i < 12; i++) {
      const { events } = await stream(s, { max_tokens: 20, stream_options: { include_usage: true } }, `tgi-eos-${i}`);
      const usage = (events.at(-2) as Json).usage.completion_tokens as number;
      if (usage === 20) continue;
      const finish = events.at(-3) as Json;
      expect(choice(finish)).toMatchObject({ delta: { role: 'assistant', content: '' }, finish_reason: 'stop' });
      const text = events.slice(1, -2).map((e) => choice(e).delta.content as string).join('');
      expect(estimateTokens(text)).toBe(usage - 1);
      return;
    }
    throw new Error('no early EOS in 12 requests');
  });
});

describe('text modes: reasoning, tool calls, several tokens per chunk', () => {
  const reasoningField: Record<FlavorName, string> = {
    vllm: 'reasoning', ollama: 'reasoning', sglang: 'reasoning_content', llamacpp: 'reasoning_content', 'llamacpp-old': 'reasoning_content',
    trtllm: 'reasoning_content', tgi: 'reasoning_content', openai: 'reasoning_content',
  };

  it("streams the first N tokens as reasoning deltas in each flavor's field", async () => {
    for (const flavor of ['vllm', 'sglang', 'llamacpp', 'ollama', 'trtllm'] as const) {
      const { events } = await stream(await sim({ flavor, reasoningTokens: 2, earlyEos: false }), { max_tokens: 4 });
      const deltas = events.filter((e): e is Json => typeof e === 'object' && e.choices?.length > 0).map((e) => e.choices[0].delta as Json);
      const reasoning = deltas.filter((d) => typeof d[reasoningField[flavor]] === 'string').map((d) => d[reasoningField[flavor]]);
      const content = deltas.filter((d) => typeof d.content === 'string' && d.content !== '').map((d) => d.content);
      expect(reasoning, flavor).toEqual([' the', ' of']);
      expect(content, flavor).toEqual([' and', ' to']);
    }
  });

  it('streams tool-call argument deltas: the first with id and name, then arguments only', async () => {
    const { events } = await stream(await sim({ toolCalls: true }), { max_tokens: 3 }, 'tool1');
    const deltas = events.slice(1, 4).map((e) => choice(e).delta);
    expect(deltas[0]).toEqual({ tool_calls: [{ index: 0, id: 'call_tool1', type: 'function', function: { name: 'get_weather', arguments: ' the' } }] });
    expect(deltas[1]).toEqual({ tool_calls: [{ index: 0, function: { arguments: ' of' } }] });
    expect(choice(events[3]).finish_reason).toBe('length');
  });

  it('tokensPerChunk groups K steps per chunk; usage still counts every token', async () => {
    const s = await sim({ tokensPerChunk: 3, continuousUsage: true });
    const { events } = await stream(s, { max_tokens: 7, stream_options: { include_usage: true } }, 'k3');
    const content = events.slice(1, -2).map((e) => e as Json);
    expect(content.map((e) => estimateTokens(e.choices[0].delta.content))).toEqual([3, 3, 1]);
    expect(content.map((e) => e.usage.completion_tokens)).toEqual([3, 6, 7]);
    expect(s.sendLog.find((e) => e.requestId === 'k3')).toMatchObject({ contentChunks: 3, outputTokens: 7 });
  });

  it('specDecode yields 1..k tokens per step with the requested mean, seeded', async () => {
    const s = await sim({ specDecode: { acceptMean: 2.5, k: 4 } });
    const { events } = await stream(s, { max_tokens: 400 }, 'spec');
    const sizes = events.slice(1, -1).map((e) => estimateTokens(choice(e).delta.content as string));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(400);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(400 / sizes.length).toBeGreaterThan(2.2);
    expect(400 / sizes.length).toBeLessThan(2.8);
    const again = await stream(s, { max_tokens: 400 }, 'spec');
    expect(again.events.slice(1, -1).map((e) => estimateTokens(choice(e).delta.content as string))).toEqual(sizes);
  });
});

describe('embeddings and readiness endpoints', () => {
  it('answers /v1/embeddings with unit vectors and prompt-token usage (float and base64)', async () => {
    const s = await sim({ embeddingDim: 8 });
    const res = await post(`${s.url}/v1/embeddings`, { model: 'e', input: ['a b c', 'd e'] }, { 'x-request-id': 'emb' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as Json;
    expect(body).toMatchObject({ object: 'list', model: 'e', usage: { prompt_tokens: 5, total_tokens: 5 } });
    expect(body.data).toHaveLength(2);
    const v = body.data[0].embedding as number[];
    expect(v).toHaveLength(8);
    expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-5);
    const b64 = JSON.parse((await post(`${s.url}/v1/embeddings`, { input: 'a b c', encoding_format: 'base64' })).body) as Json;
    const buf = Buffer.from(b64.data[0].embedding as string, 'base64');
    const decoded = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
    expect(decoded).toEqual(v);
    expect(s.sendLog.find((e) => e.requestId === 'emb')).toMatchObject({ inputTokens: 5, contentChunks: 1, outputTokens: 0 });
  });

  it("answers each flavor's readiness and fingerprint endpoints, and 404 for the others'", async () => {
    const expectations: [FlavorName, string, number, Json | string | null][] = [
      ['vllm', '/version', 200, { version: '0.11.0' }],
      ['vllm', '/info', 404, null],
      ['sglang', '/get_server_info', 200, { version: '0.5.3', tp_size: 1 }],
      ['tgi', '/info', 200, { model_id: 'sim', max_concurrent_requests: 128, version: '3.3.6' }],
      ['llamacpp', '/health', 200, { status: 'ok' }],
      ['llamacpp', '/props', 200, { total_slots: 32, build_info: 'b6700-sim' }],
      ['ollama', '/api/version', 200, { version: '0.12.3' }],
      ['ollama', '/', 200, 'Ollama is running'],
      ['ollama', '/health', 404, null],
      ['tgi', '/health', 200, ''],
    ];
    const byFlavor = new Map<FlavorName, SimServer>();
    for (const [flavor, path, status, body] of expectations) {
      if (!byFlavor.has(flavor)) byFlavor.set(flavor, await sim({ flavor }));
      const res = await get(`${byFlavor.get(flavor)!.url}${path}`);
      expect(res.status, `${flavor} ${path}`).toBe(status);
      if (typeof body === 'string') expect(res.body).toBe(body);
      else if (body) expect(JSON.parse(res.body)).toMatchObject(body);
    }
    for (const s of byFlavor.values()) expect((await get(`${s.url}/v1/models`)).status).toBe(200);
  });

  it('servedModelName: another model name gets the flavor 404', async () => {
    const s = await sim({ servedModelName: 'm1' });
    expect((await post(`${s.url}/v1/chat/completions`, { model: 'm1', messages, max_tokens: 1 })).status).toBe(200);
    const wrong = await post(`${s.url}/v1/chat/completions`, { model: 'm2', messages, max_tokens: 1 });
    expect(wrong.status).toBe(404);
    expect((JSON.parse(wrong.body) as Json).error).toMatchObject({ message: 'The model `m2` does not exist.', code: 404, param: 'model' });
  });
});
