// 100k-token prompts and answers: no buffer limit of ours may cut or slow them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmClient } from '../../src/client/client.js';
import type { RequestSpec } from '../../src/types.js';
import { sse, startFakeServer } from './fake-server.js';
import type { FakeServer } from './fake-server.js';

const TOKENS = 100_000;
let server: FakeServer;
let client: LlmClient;

beforeAll(async () => {
  server = await startFakeServer((_req, res, received) => {
    const body = JSON.parse(received.body) as { messages?: Array<{ content: string }>; stream?: boolean };
    const promptWords = (body.messages?.[0]?.content ?? '').split(' ').length;
    if (body.stream === false) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { content: ' w'.repeat(TOKENS) }, finish_reason: 'length' }], usage: { prompt_tokens: promptWords, completion_tokens: TOKENS } }));
      return;
    }
    sse(res);
    const event = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: ' w' }, finish_reason: null }] })}\n\n`;
    // 1,000 events per write: 100 writes of ~70 KB.
    const block = event.repeat(1000);
    for (let i = 0; i < TOKENS / 1000; i++) res.write(block);
    res.end(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: promptWords, completion_tokens: TOKENS } })}\n\ndata: [DONE]\n\n`);
  });
  client = new LlmClient({ baseUrl: server.url, connections: 2 });
});

afterAll(async () => {
  await client.close();
  await server.close();
});

const bigSpec = (id: string): RequestSpec => ({
  id,
  scenario: 'long',
  api: 'chat',
  messages: [{ role: 'user', content: Array.from({ length: TOKENS }, (_, i) => `w${i}`).join(' ') }],
  inputTokens: TOKENS,
  maxTokens: TOKENS,
});

describe('100k-token requests', () => {
  it('streams a 100k-token answer to a 100k-token prompt: every chunk timed, counts from usage', async () => {
    const record = await client.send(bigSpec('big-1'), { model: 'M', scheduledAt: null, deadlineMs: 60_000, idleTimeoutMs: 30_000 });
    expect(record).toMatchObject({ status: 'ok', error: null, inputTokens: TOKENS, outputTokens: TOKENS, tokenSource: 'usage' });
    expect(record.chunkOffsetsMs).toHaveLength(TOKENS);
    for (let i = 1; i < TOKENS; i++) expect(record.chunkOffsetsMs[i] >= record.chunkOffsetsMs[i - 1]).toBe(true);
  }, 60_000);

  it('reads a 100k-token non-streaming answer whole', async () => {
    const record = await client.send(bigSpec('big-2'), { model: 'M', scheduledAt: null, deadlineMs: 60_000, idleTimeoutMs: 30_000, body: { stream: false } });
    expect(record).toMatchObject({ status: 'ok', outputTokens: TOKENS, inputTokens: TOKENS, chunkTokens: [TOKENS] });
  }, 60_000);
});
