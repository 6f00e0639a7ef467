import { describe, expect, it } from 'vitest';
import { requestBody } from '../../src/client/client.js';
import { interpretJsonAnswer } from '../../src/client/json-answer.js';
import type { RequestSpec } from '../../src/types.js';

const chat: RequestSpec = { id: 'a', scenario: 's', api: 'chat', messages: [{ role: 'user', content: 'hi there' }], inputTokens: 2, maxTokens: 9 };

describe('requestBody', () => {
  it('streams with usage by default, the output length in max_tokens', () => {
    expect(requestBody(chat, { model: 'M' })).toEqual({
      model: 'M',
      max_tokens: 9,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi there' }],
    });
  });

  it('max_tokens_field: max_completion_tokens replaces max_tokens', () => {
    const body = requestBody(chat, { model: 'M', maxTokensField: 'max_completion_tokens' });
    expect(body.max_completion_tokens).toBe(9);
    expect('max_tokens' in body).toBe(false);
  });

  it('stream: false drops our stream_options (vLLM and TRT-LLM reject them without streaming), keeps a scenario\'s own', () => {
    const plain = requestBody(chat, { model: 'M', body: { stream: false } });
    expect(plain.stream).toBe(false);
    expect('stream_options' in plain).toBe(false);
    const own = requestBody(chat, { model: 'M', body: { stream: false, stream_options: { include_usage: true, continuous_usage_stats: true } } });
    expect(own.stream_options).toEqual({ include_usage: true, continuous_usage_stats: true });
  });

  it('embeddings: the prompt as input, no generation fields; scenario fields merge in', () => {
    const spec: RequestSpec = { id: 'e', scenario: 's', api: 'embeddings', prompt: 'embed me', inputTokens: 2, maxTokens: 1 };
    expect(requestBody(spec, { model: 'E', body: { encoding_format: 'float' } })).toEqual({ model: 'E', input: 'embed me', encoding_format: 'float' });
  });
});

describe('interpretJsonAnswer', () => {
  it('a chat.completion: one chunk at the end, usage counts, finish reason', () => {
    const text = JSON.stringify({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there friend', reasoning_content: 'think' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
    });
    expect(interpretJsonAnswer('chat', text, 123.5)).toMatchObject({
      chunkOffsetsMs: [123.5],
      chunkTokens: [4],
      reportedOutputTokens: 4,
      reportedInputTokens: 5,
      outputText: 'thinkHello there friend',
      finishReason: 'length',
      error: null,
    });
  });

  it('a text_completion without usage leaves the count to the estimate', () => {
    const out = interpretJsonAnswer('completions', JSON.stringify({ choices: [{ text: ' a b c', finish_reason: 'stop' }] }), 7);
    expect(out).toMatchObject({ chunkOffsetsMs: [7], reportedOutputTokens: null, outputText: ' a b c', chunkTokens: undefined });
  });

  it('an embeddings list: input tokens from usage, no output', () => {
    const text = JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(interpretJsonAnswer('embeddings', text, 4)).toMatchObject({ chunkOffsetsMs: [4], reportedInputTokens: 3, reportedOutputTokens: 0, error: null });
  });

  it('errors: bad JSON and missing lists are malformed; an error object is stream_error', () => {
    expect(interpretJsonAnswer('chat', '{"choices":', 1).error?.kind).toBe('malformed');
    expect(interpretJsonAnswer('chat', '[1]', 1).error?.kind).toBe('malformed');
    expect(interpretJsonAnswer('chat', '{"id":"x"}', 1).error).toEqual({ kind: 'malformed', message: `the answer has no 'choices' list: {"id":"x"}` });
    expect(interpretJsonAnswer('embeddings', '{"data":[]}', 1).error?.kind).toBe('malformed');
    expect(interpretJsonAnswer('chat', '{"error":{"message":"overloaded"}}', 1).error).toEqual({ kind: 'stream_error', message: 'overloaded' });
  });
});
