import { describe, expect, it } from 'vitest';
import { buildRecord } from '../../src/client/record.js';
import { SseParser } from '../../src/client/sse.js';
import { StreamInterpreter, errorEventMessage } from '../../src/client/stream.js';
import type { RequestError, RequestSpec } from '../../src/types.js';
import { DIALECTS } from './dialects.js';

const spec: RequestSpec = { id: 'r1', scenario: 's', api: 'chat', messages: [{ role: 'user', content: 'hi' }], inputTokens: 11, maxTokens: 64 };

/** Arrival offset of network chunk i: exact, with a sub-millisecond part. */
const offsetOf = (i: number): number => 100 + 10 * i + 0.25;

function interpret(chunks: string[]): StreamInterpreter {
  const interpreter = new StreamInterpreter();
  let offset = 0;
  const parser = new SseParser(
    (d) => interpreter.onEvent(d, offset),
    (m) => interpreter.onMalformed(m),
  );
  chunks.forEach((chunk, i) => {
    offset = offsetOf(i);
    parser.push(Buffer.from(chunk, 'utf8'));
  });
  parser.end();
  return interpreter;
}

describe('StreamInterpreter on every server dialect', () => {
  for (const dialect of DIALECTS) {
    it(dialect.name, () => {
      const interpreter = interpret(dialect.chunks);
      const outcome = interpreter.outcome();
      const record = buildRecord({ spec, scheduledAt: null, sentAt: 5000, headersMs: 50, streamEndMs: 999, stream: outcome, error: interpreter.firstError });
      const { expected } = dialect;
      const offsets = expected.contentAt.map(offsetOf);
      expect(outcome.sawDone).toBe(true);
      expect(record.status).toBe('ok');
      expect(record.error).toBeNull();
      expect(record.chunkOffsetsMs).toEqual(offsets);
      expect(record.ttftMs).toBe(offsets[0]);
      expect(record.e2eMs).toBe(offsets[offsets.length - 1]);
      expect(record.outputTokens).toBe(expected.outputTokens);
      expect(record.tokenSource).toBe(expected.tokenSource);
      expect(record.inputTokens).toBe(expected.inputTokens ?? spec.inputTokens);
      expect(record.finishReason).toBe(expected.finishReason);
      expect(record.chunkTokens).toEqual(expected.chunkTokens);
    });
  }
});

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;

describe('StreamInterpreter: what is and is not content', () => {
  it('never counts role-only, empty, null or prompt-progress chunks, nor choices: []', () => {
    const interpreter = interpret([
      chunk({ role: 'assistant' }),
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: null, reasoning_content: null, tool_calls: null }),
      chunk({ tool_calls: [] }),
      chunk({}, { prompt_progress: { processed: 3 } }),
      'data: {"choices":[]}\n\n',
      'data: {"id":"x"}\n\n',
      'data: {"choices":[null, 3, {"delta": null}]}\n\n',
      chunk({ content: 'first' }),
      'data: [DONE]\n\n',
    ]);
    expect(interpreter.outcome().chunkOffsetsMs).toEqual([offsetOf(8)]);
    expect(interpreter.firstError).toBeNull();
  });

  it('counts reasoning (both field names) and does not count the same reasoning twice', () => {
    const interpreter = interpret([chunk({ reasoning: 'think hard' }), chunk({ reasoning_content: 'more' }), chunk({ reasoning: 'same', reasoning_content: 'same' }), 'data: [DONE]\n\n']);
    const outcome = interpreter.outcome();
    expect(outcome.chunkOffsetsMs).toEqual([offsetOf(0), offsetOf(1), offsetOf(2)]);
    expect(outcome.outputText).toBe('think hardmoresame');
  });

  it('takes the last usage and leaves chunkTokens undefined when usage is not on every content chunk', () => {
    const interpreter = interpret([
      chunk({ content: 'a' }, { usage: { prompt_tokens: 1, completion_tokens: 1 } }),
      chunk({ content: 'b' }, { usage: null }),
      'data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":7}}\n\n',
      'data: {"choices":[],"usage":null}\n\n',
      'data: [DONE]\n\n',
    ]);
    const outcome = interpreter.outcome();
    expect(outcome.reportedOutputTokens).toBe(7);
    expect(outcome.reportedInputTokens).toBe(4);
    expect(outcome.chunkTokens).toBeUndefined();
  });

  it('ignores an empty finish_reason (TGI completions) and keeps the last real one', () => {
    const interpreter = interpret([
      'data: {"choices":[{"text":"a","finish_reason":""}]}\n\n',
      'data: {"choices":[{"text":"b","finish_reason":"stop"}]}\n\n',
      'data: {"choices":[],"usage":null}\n\n',
    ]);
    expect(interpreter.outcome().finishReason).toBe('stop');
  });

  it('ignores events after [DONE]', () => {
    const interpreter = interpret([chunk({ content: 'a' }), 'data: [DONE]\n\n', chunk({ content: 'late' }), 'data: {"error":"late"}\n\n']);
    expect(interpreter.outcome().chunkOffsetsMs).toEqual([offsetOf(0)]);
    expect(interpreter.firstError).toBeNull();
  });
});

describe('StreamInterpreter: errors inside a stream', () => {
  const expectError = (chunks: string[], error: RequestError, sawDone: boolean): StreamInterpreter => {
    const interpreter = interpret(chunks);
    expect(interpreter.firstError).toEqual(error);
    expect(interpreter.sawDone).toBe(sawDone);
    return interpreter;
  };

  it('an error event (vLLM, then [DONE]) is a stream_error with its message', () => {
    const i = expectError(
      [chunk({ content: 'a' }), 'data: {"error":{"message":"CUDA out of memory","type":"InternalServerError","code":500}}\n\n', 'data: [DONE]\n\n'],
      { kind: 'stream_error', message: 'CUDA out of memory' },
      true,
    );
    expect(i.outcome().chunkOffsetsMs).toEqual([offsetOf(0)]);
  });

  it('an error event without [DONE] (llama.cpp) stays a stream_error', () => {
    expectError([chunk({ content: 'a' }), 'data: {"error":{"code":500,"message":"context exceeded","type":"server_error"}}\n\n'], { kind: 'stream_error', message: 'context exceeded' }, false);
  });

  it('TGI error event and a string error', () => {
    expectError(['data:{"error":{"message":"Model is overloaded","http_status_code":422}}\n\n', 'data:[DONE]\n\n'], { kind: 'stream_error', message: 'Model is overloaded' }, true);
    expectError(['data: {"error":"boom"}\n\n'], { kind: 'stream_error', message: 'boom' }, false);
    expect(errorEventMessage({ code: 3 }, [])).toBe('{"code":3}');
  });

  it('bad JSON and non-object events are malformed; later content is still read', () => {
    const i = expectError(
      ['data: {"choices": [\n\n', 'data: 42\n\n', chunk({ content: 'ok' }), 'data: [DONE]\n\n'],
      { kind: 'malformed', message: 'event is not valid JSON: {"choices": [' },
      true,
    );
    expect(i.outcome().chunkOffsetsMs).toEqual([offsetOf(2)]);
  });

  it('a line without data: is malformed', () => {
    expectError(['<html>oops</html>\n\n', 'data: [DONE]\n\n'], { kind: 'malformed', message: 'line without a field name: <html>oops</html>' }, true);
  });

  it('keeps only the first error', () => {
    expectError(['data: {"error":"one"}\n\n', 'data: {"error":"two"}\n\n'], { kind: 'stream_error', message: 'one' }, false);
  });
});

describe('buildRecord', () => {
  it('a request that never got a stream has no output count and the spec input estimate', () => {
    const record = buildRecord({
      spec,
      scheduledAt: 4990,
      sentAt: 5000,
      headersMs: null,
      streamEndMs: null,
      stream: null,
      error: { kind: 'connect', message: 'ECONNREFUSED' },
    });
    expect(record).toEqual({
      id: 'r1',
      scenario: 's',
      status: 'error',
      error: { kind: 'connect', message: 'ECONNREFUSED' },
      scheduledAt: 4990,
      sentAt: 5000,
      ttftMs: null,
      e2eMs: null,
      streamEndMs: null,
      inputTokens: 11,
      outputTokens: null,
      tokenSource: 'estimate',
      chunkOffsetsMs: [],
      headersMs: null,
      finishReason: null,
    });
  });

  it('maps timeouts and cancellation to their statuses', () => {
    const base = { spec, scheduledAt: null, sentAt: 0, headersMs: null, streamEndMs: null, stream: null };
    expect(buildRecord({ ...base, error: { kind: 'deadline', message: 'x' } }).status).toBe('timeout');
    expect(buildRecord({ ...base, error: { kind: 'idle_timeout', message: 'x' } }).status).toBe('timeout');
    expect(buildRecord({ ...base, error: { kind: 'cancelled', message: 'x' } }).status).toBe('cancelled');
    expect(buildRecord({ ...base, error: { kind: 'truncated', message: 'x' } }).status).toBe('error');
  });
});

describe('output token counts without usage', () => {
  const noUsage = ['data: {"choices":[{"index":0,"delta":{"content":"Hello big"}}]}\n\n', 'data: {"choices":[{"index":0,"delta":{"content":" world"}}]}\n\n', 'data: [DONE]\n\n'];

  it('use the workload tokenizer when one is given, and say so', () => {
    const outcome = interpret(noUsage).outcome();
    const counted: string[] = [];
    const count = (text: string) => (counted.push(text), 7);
    const record = buildRecord({ spec, scheduledAt: null, sentAt: 0, headersMs: 1, streamEndMs: 30, stream: outcome, error: null, countOutputTokens: count });
    expect(counted).toEqual(['Hello big world']);
    expect(record.outputTokens).toBe(7);
    expect(record.tokenSource).toBe('tokenizer');
  });

  it('fall back to the word estimate without one', () => {
    const record = buildRecord({ spec, scheduledAt: null, sentAt: 0, headersMs: 1, streamEndMs: 30, stream: interpret(noUsage).outcome(), error: null });
    expect(record.outputTokens).toBe(3);
    expect(record.tokenSource).toBe('estimate');
  });
});

describe('cross-checking usage with the tokenizer', () => {
  const withUsage = [
    'data: {"choices":[{"index":0,"delta":{"content":"one two"}}]}\n\n',
    'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\n',
    'data: [DONE]\n\n',
  ];
  it('records the tokenizer count beside the server usage only when asked', () => {
    const outcome = interpret(withUsage).outcome();
    const base = { spec, scheduledAt: null, sentAt: 0, headersMs: 1, streamEndMs: 30, stream: outcome, error: null, countOutputTokens: () => 3 };
    const checked = buildRecord({ ...base, crossCheckTokens: true });
    expect(checked).toMatchObject({ outputTokens: 2, tokenSource: 'usage', tokenizerOutputTokens: 3 });
    expect(buildRecord(base).tokenizerOutputTokens).toBeUndefined();
  });
});
