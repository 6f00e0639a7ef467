// The client against every server dialect the simulator speaks (src/sim/flavors.ts), each
// checked with the simulator's send log: TTFT at the first content / reasoning / tool-call
// delta (never a role chunk: the client cannot see a chunk before the server wrote it), usage
// read from each dialect's place, token counts right with several tokens per chunk, and errors
// before and inside the stream classified per the Contracts.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { LlmClient } from '../../src/client/client.js';
import { configSchema } from '../../src/config/schema.js';
import { runConfig } from '../../src/run.js';
import type { SendOptions } from '../../src/client/client.js';
import { FLAVOR_NAMES } from '../../src/sim/flavors.js';
import type { FlavorName } from '../../src/sim/flavors.js';
import { startSim } from '../../src/sim/server.js';
import type { SimOptions, SimServer } from '../../src/sim/server.js';
import type { RequestRecord, RequestSpec } from '../../src/types.js';

/** A fast, deterministic engine: a few ms per step, so each test takes well under a second. */
const FAST: SimOptions = { prefillBaseMs: 2, prefillMsPerToken: 0.01, decodeBaseMs: 1.5, decodePerSeqMs: 0.01, noise: 0, keepSendLog: true };

const opened: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const o of opened.reverse()) await o.close();
});

async function simWith(opts: SimOptions): Promise<{ sim: SimServer; client: LlmClient }> {
  const sim = await startSim({ ...FAST, ...opts });
  const client = new LlmClient({ baseUrl: `${sim.url}/v1`, connections: 4 });
  opened.push(sim, client);
  return { sim, client };
}

let next = 0;
function spec(api: RequestSpec['api'], maxTokens: number): RequestSpec {
  const id = `d-${++next}`;
  const text = 'tell me about the weather in three short words please';
  return api === 'chat'
    ? { id, scenario: 'dialects', api, messages: [{ role: 'user', content: text }], inputTokens: 10, maxTokens }
    : { id, scenario: 'dialects', api, prompt: text, inputTokens: 10, maxTokens };
}

const base: SendOptions = { model: 'sim', scheduledAt: null, deadlineMs: 20_000, idleTimeoutMs: 10_000 };

/** The send-log entry of a record, and the checks every successful stream must pass. */
function checkAgainstLog(sim: SimServer, record: RequestRecord) {
  // TGI ends an answer that hit EOS with an event whose content is "" (the EOS token): the
  // server logs it as a token chunk; for the client it is no content (no text arrived).
  const emptyEosChunk = sim.flavor === 'tgi' && record.finishReason === 'stop' ? 1 : 0;
  const entry = sim.sendLog.find((e) => e.requestId === record.id);
  expect(entry, `send log entry of ${record.id}`).toBeDefined();
  const e = entry as NonNullable<typeof entry>;
  expect(record.status, JSON.stringify(record.error)).toBe('ok');
  expect(record.chunkOffsetsMs).toHaveLength(e.contentChunks - emptyEosChunk);
  // Received no earlier than written (one time base; a role chunk counted as TTFT would be
  // seen before the first content write whenever the server sends it earlier).
  expect(record.sentAt + (record.ttftMs as number)).toBeGreaterThanOrEqual((e.firstContentAt as number) - 0.001);
  if (emptyEosChunk === 0) expect(record.sentAt + (record.e2eMs as number)).toBeGreaterThanOrEqual((e.lastContentAt as number) - 0.001);
  // …and not long after (the server and client share this process; generous for a busy CI box).
  expect(record.sentAt + (record.ttftMs as number) - (e.firstContentAt as number)).toBeLessThan(250);
  return e;
}

describe('every flavor, chat and completions, with include_usage', () => {
  for (const flavor of FLAVOR_NAMES) {
    it(flavor, async () => {
      const { sim, client } = await simWith({ flavor });
      for (const api of ['chat', 'completions'] as const) {
        const record = await client.send(spec(api, 12), { ...base, body: { ignore_eos: true } });
        const e = checkAgainstLog(sim, record);
        expect(record.outputTokens).toBe(e.outputTokens);
        expect(record.tokenSource).toBe('usage');
        expect(record.inputTokens).toBe(e.inputTokens);
        expect(record.finishReason).not.toBeNull();
        expect(record.streamEndMs as number).toBeGreaterThanOrEqual(record.e2eMs as number);
        if (flavorForcesLength(flavor)) expect(record.outputTokens).toBe(12);
        else expect(record.outputTokens as number).toBeLessThanOrEqual(12);
      }
    });
  }
});

/** ignore_eos forces max_tokens on vLLM, SGLang, TRT-LLM and llama.cpp; TGI, Ollama and OpenAI may stop early. */
function flavorForcesLength(flavor: FlavorName): boolean {
  return ['vllm', 'sglang', 'trtllm', 'llamacpp', 'llamacpp-old'].includes(flavor);
}

describe('TTFT counts reasoning and tool-call deltas; several tokens per chunk', () => {
  it('reasoning deltas (vLLM `reasoning`, SGLang `reasoning_content`) set TTFT and count as output', async () => {
    for (const flavor of ['vllm', 'sglang'] as const) {
      const { sim, client } = await simWith({ flavor, reasoningTokens: 4 });
      const record = await client.send(spec('chat', 10), { ...base, body: { ignore_eos: true } });
      const e = checkAgainstLog(sim, record);
      expect(e.contentChunks).toBe(10);
      expect(record.outputTokens).toBe(10);
    }
  });

  it('tool-call argument deltas set TTFT', async () => {
    const { sim, client } = await simWith({ flavor: 'openai', toolCalls: true, earlyEos: false });
    const record = await client.send(spec('chat', 8), base);
    const e = checkAgainstLog(sim, record);
    expect(e.contentChunks).toBeGreaterThan(0);
    expect(record.outputTokens).toBe(8);
  });

  it('a stream interval of 3: 10 tokens in 4 chunks, counted from usage, chunkTokens from continuous usage', async () => {
    const { sim, client } = await simWith({ flavor: 'vllm', tokensPerChunk: 3 });
    const record = await client.send(spec('chat', 10), { ...base, body: { ignore_eos: true, stream_options: { include_usage: true, continuous_usage_stats: true } } });
    checkAgainstLog(sim, record);
    expect(record.chunkOffsetsMs).toHaveLength(4);
    expect(record.outputTokens).toBe(10);
    expect(record.chunkTokens).toEqual([3, 3, 3, 1]);
  });

  it('speculative decoding: chunk token counts add up to the usage count', async () => {
    const { sim, client } = await simWith({ flavor: 'vllm', specDecode: { k: 4, acceptMean: 2.5 }, continuousUsage: true });
    const record = await client.send(spec('chat', 40), { ...base, body: { ignore_eos: true } });
    checkAgainstLog(sim, record);
    expect(record.outputTokens).toBe(40);
    expect(record.chunkOffsetsMs.length).toBeLessThan(40);
    const tokens = record.chunkTokens as number[];
    expect(tokens).toHaveLength(record.chunkOffsetsMs.length);
    expect(tokens.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...tokens)).toBeGreaterThan(1);
  });
});

describe('request fields', () => {
  it('max_completion_tokens: honoured by vLLM, ignored by Ollama (which then uses its default)', async () => {
    const vllm = await simWith({ flavor: 'vllm' });
    const r1 = await vllm.client.send(spec('chat', 7), { ...base, maxTokensField: 'max_completion_tokens', body: { ignore_eos: true } });
    expect(r1.outputTokens).toBe(7);
    const ollama = await simWith({ flavor: 'ollama', earlyEos: false });
    const r2 = await ollama.client.send(spec('chat', 7), { ...base, maxTokensField: 'max_completion_tokens' });
    expect(r2.status).toBe('ok');
    expect(r2.outputTokens).not.toBe(7);
    const r3 = await ollama.client.send(spec('chat', 7), base);
    expect(r3.outputTokens).toBe(7);
  });

  it('TRT-LLM rejects an unknown field with 400: one http_status error naming it', async () => {
    const { client } = await simWith({ flavor: 'trtllm' });
    const record = await client.send(spec('chat', 4), { ...base, body: { not_a_field: 1 } });
    expect(record).toMatchObject({ status: 'error', error: { kind: 'http_status', httpStatus: 400 } });
    expect(record.error?.message).toContain('not_a_field');
  });

  it('non-streaming chat (stream: false): one answer, TTFT = E2E = the response time, usage counts', async () => {
    const { sim, client } = await simWith({ flavor: 'vllm' });
    const record = await client.send(spec('chat', 6), { ...base, body: { stream: false, ignore_eos: true } });
    expect(record).toMatchObject({ status: 'ok', outputTokens: 6, tokenSource: 'usage', chunkTokens: [6] });
    expect(record.ttftMs).toBe(record.e2eMs);
    expect(record.streamEndMs).toBe(record.e2eMs);
    const e = sim.sendLog.find((x) => x.requestId === record.id);
    expect(record.sentAt + (record.e2eMs as number)).toBeGreaterThanOrEqual((e?.lastContentAt as number) - 0.001);
  });

  it('embeddings: POST /v1/embeddings, latency and prompt tokens from usage', async () => {
    const { client } = await simWith({ flavor: 'vllm' });
    const record = await client.send({ ...spec('embeddings', 1), prompt: 'one two three four' }, base);
    expect(record).toMatchObject({ status: 'ok', inputTokens: 4, outputTokens: 0, tokenSource: 'usage', error: null });
    expect(record.ttftMs as number).toBeGreaterThan(0);
    expect(record.e2eMs).toBe(record.ttftMs);
  });
});

describe('errors per dialect (Contracts error kinds)', () => {
  it('an error event inside the stream is stream_error, whichever way the stream then ends', async () => {
    for (const flavor of ['vllm', 'llamacpp', 'ollama', 'tgi'] as const) {
      const { client } = await simWith({ flavor, faults: 'stream-error:100%@2' });
      const record = await client.send(spec('chat', 8), { ...base, body: { ignore_eos: true } });
      expect(record, flavor).toMatchObject({ status: 'error', error: { kind: 'stream_error' } });
      expect(record.chunkOffsetsMs.length, flavor).toBe(2);
    }
  });

  it('TRT-LLM drops the connection mid-stream: truncated', async () => {
    const { client } = await simWith({ flavor: 'trtllm', faults: 'stream-error:100%@1' });
    const record = await client.send(spec('chat', 8), base);
    expect(record).toMatchObject({ status: 'error', error: { kind: 'truncated' } });
  });

  it('a 503 before the stream is http_status with the server message', async () => {
    const { client } = await simWith({ flavor: 'sglang', faults: '503:100%' });
    const record = await client.send(spec('chat', 8), base);
    expect(record).toMatchObject({ status: 'error', error: { kind: 'http_status', httpStatus: 503 } });
  });

  it('a stream that ends without [DONE] is truncated', async () => {
    const { client } = await simWith({ flavor: 'vllm', faults: 'reset:100%@3' });
    const record = await client.send(spec('chat', 8), base);
    expect(record).toMatchObject({ status: 'error', error: { kind: 'truncated' } });
    expect(record.chunkOffsetsMs).toHaveLength(3);
  });
});

/** What a recording proxy saw: each request's method, path and JSON body (null for a GET). */
interface Seen {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
}

/** A pass-through proxy in front of the simulator that keeps every request (the send log has no bodies). */
async function recordingProxy(target: string): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const to = new URL(target);
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      seen.push({ method: req.method ?? '', path: req.url ?? '', body: raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : null });
      const up = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('output_length: auto fingerprints the engine and forces the length where it takes it (runConfig on the simulator)', () => {
  /** One small scenario (4 requests of 8 tokens) through the proxy; the bodies the server got and the scenario's result. */
  async function runOn(flavor: FlavorName, scenario: Record<string, unknown> = {}, sim: SimOptions = {}) {
    const server = await startSim({ ...FAST, flavor, ...sim });
    const proxy = await recordingProxy(server.url);
    opened.push(server, proxy);
    const config = configSchema.parse({
      target: { base_url: `${proxy.url}/v1`, model: 'sim' },
      scenarios: [{ name: 'len', workload: { input_tokens: 16, output_tokens: 8 }, load: { type: 'concurrency', concurrency: 2, requests: 4, warmup: 0 }, ...scenario }],
    });
    const result = await runConfig(config);
    const posts = proxy.seen.filter((r) => r.method === 'POST').map((r) => r.body as Record<string, unknown>);
    expect(posts).toHaveLength(4);
    return { result: result.scenarios[0], posts, probes: proxy.seen.filter((r) => r.method === 'GET').map((r) => r.path) };
  }

  it('vLLM: ignore_eos + min_tokens = max_tokens on every request (so an early EOS cannot end it), the note says so, the stored config does not', async () => {
    const { result, posts, probes } = await runOn('vllm', {}, { earlyEos: true });
    for (const body of posts) expect(body).toMatchObject({ max_tokens: 8, ignore_eos: true, min_tokens: 8 });
    expect(result.requests.map((r) => r.outputTokens)).toEqual([8, 8, 8, 8]);
    expect(result.workloadNotes).toContain('output length forced with ignore_eos + min_tokens (engine vllm)');
    expect(probes).toContain('/version');
    expect(result.config).not.toHaveProperty('output_length');
    expect(result.config.body).toEqual({});
  });

  it('TGI and OpenAI: neither field, and the note says why', async () => {
    const tgi = await runOn('tgi');
    for (const body of tgi.posts) {
      expect(body).not.toHaveProperty('ignore_eos');
      expect(body).not.toHaveProperty('min_tokens');
    }
    expect(tgi.result.workloadNotes).toContain('output length not forced: engine tgi has no ignore_eos; lengths from usage');
    expect(tgi.result.requests.every((r) => r.tokenSource === 'usage' && (r.outputTokens as number) <= 8)).toBe(true);
    const openai = await runOn('openai');
    for (const body of openai.posts) {
      expect(body).not.toHaveProperty('ignore_eos');
      expect(body).not.toHaveProperty('min_tokens');
    }
    expect(openai.result.workloadNotes).toContain('output length not forced: engine unknown; lengths from usage (output_length: exact forces it)');
  });

  it("llama.cpp: ignore_eos only; a body's ignore_eos: false is kept (no min_tokens, no fingerprint needed)", async () => {
    const llama = await runOn('llamacpp');
    for (const body of llama.posts) {
      expect(body.ignore_eos).toBe(true);
      expect(body).not.toHaveProperty('min_tokens');
    }
    const own = await runOn('vllm', { body: { ignore_eos: false } });
    for (const body of own.posts) {
      expect(body.ignore_eos).toBe(false);
      expect(body).not.toHaveProperty('min_tokens');
    }
    expect(own.probes).not.toContain('/version');
    expect(own.result.workloadNotes).toContain("output length as the scenario's body sets it (ignore_eos: false)");
  });

  it('exact sends both fields to a server the fingerprint cannot read; natural sends none to vLLM', async () => {
    const exact = await runOn('trtllm', { output_length: 'exact' });
    for (const body of exact.posts) expect(body).toMatchObject({ ignore_eos: true, min_tokens: 8 });
    expect(exact.result.requests.every((r) => r.status === 'ok')).toBe(true);
    expect(exact.result.config.output_length).toBe('exact');
    const natural = await runOn('vllm', { output_length: 'natural' });
    for (const body of natural.posts) expect(body).not.toHaveProperty('ignore_eos');
    expect(natural.probes).toEqual([]);
  });
});
