// The client against every server dialect the simulator speaks (src/sim/flavors.ts), each
// checked with the simulator's send log: TTFT at the first content / reasoning / tool-call
// delta (never a role chunk: the client cannot see a chunk before the server wrote it), usage
// read from each dialect's place, token counts right with several tokens per chunk, and errors
// before and inside the stream classified per the Contracts.
import { afterAll, describe, expect, it } from 'vitest';
import { LlmClient } from '../../src/client/client.js';
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
