// Secrets never reach a record, a results file or an error, even when the server's text is
// cut to length right through one (failure.ts: redact first, then cut, then drop a secret's
// start left at the cut), and a secret in the base URL's query string is used but never shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmClient } from '../../src/client/client.js';
import { MAX_ERROR_MESSAGE_CHARS, clipMessage, describeNetworkError, failure, httpErrorMessage, scrub } from '../../src/client/failure.js';
import { StreamInterpreter, errorEventMessage } from '../../src/client/stream.js';
import { parseConfigText } from '../../src/config/load.js';
import { runConfig } from '../../src/run.js';
import type { RequestSpec } from '../../src/types.js';
import { closedPort, sse, startFakeServer } from './fake-server.js';
import type { FakeServer } from './fake-server.js';

/** 49 characters, like a project key: long enough to straddle a cut at many positions. */
const KEY = 'sk-proj-Q7wE9rT2yU4iO6pA8sD0fG1hJ3kL5zX7cV9bN2mQ';

/** Every 8-character piece of `secret` that occurs in `text`: none may. */
function leakedPieces(text: string, secret: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) pieces.push(secret.slice(i, i + 8));
  return pieces;
}

/** A server text of `before` filler characters, then "Bearer <key>" and more text. */
function textWithKeyAt(before: number): string {
  return `${'x'.repeat(before)}Bearer ${KEY} was rejected, see the docs for how to authenticate with this gateway`;
}

/** Filler so that a cut at `max` leaves the key minus its last `missing` characters (the reported case: 1). */
function fillerFor(max: number, missing: number): number {
  return max - 'Bearer '.length - (KEY.length - missing);
}

const secrets = [`Bearer ${KEY}`, KEY];

describe('messages cut through a secret', () => {
  it('keep no piece of it, wherever the cut falls', () => {
    for (let missing = 1; missing < KEY.length; missing++) {
      const at500 = textWithKeyAt(fillerFor(MAX_ERROR_MESSAGE_CHARS, missing));
      const at200 = textWithKeyAt(fillerFor(200, missing));
      const messages = [
        httpErrorMessage(401, JSON.stringify({ error: { message: at500 } }), secrets),
        httpErrorMessage(401, JSON.stringify({ message: at500 }), secrets),
        httpErrorMessage(401, JSON.stringify({ error: at500 }), secrets),
        httpErrorMessage(502, at200, secrets),
        errorEventMessage({ message: at500 }, secrets),
        errorEventMessage(at500, secrets),
        describeNetworkError(new Error(at500), secrets),
      ];
      const interpreter = new StreamInterpreter(secrets);
      interpreter.onEvent(`{"nope": ${at500}`, 1);
      messages.push(interpreter.firstError?.message ?? '');
      for (const message of messages) {
        expect(leakedPieces(message, KEY), `cut ${missing} before the key's end: ${message}`).toEqual([]);
        expect(message.endsWith('…')).toBe(true);
      }
    }
  });

  it("drops a secret's start left at a cut, and only there", () => {
    // Only the key's first 15 characters are in the text (a server that truncates it itself).
    const text = `${'y'.repeat(490)}${KEY.slice(0, 15)}-and-more`;
    expect(clipMessage(text, 500, [KEY])).toBe(`${'y'.repeat(490)}***…`);
    expect(clipMessage(`${'y'.repeat(497)}sk-pZZZ`, 500, [KEY])).toBe(`${'y'.repeat(497)}sk-…`); // 3 characters tell nothing
    expect(clipMessage('short: sk-proj-Q7', 500, [KEY])).toBe('short: sk-proj-Q7'); // not cut: nothing to drop
    // The last guard on messages built from cut text, wherever the cut sits in them.
    expect(scrub(`Unable to list models: HTTP 401: ${'z'.repeat(10)}Bearer sk-proj-Q7wE…. Check api_key.`, secrets)).toBe(
      `Unable to list models: HTTP 401: ${'z'.repeat(10)}***…. Check api_key.`,
    );
    expect(failure('http_status', `HTTP 401: a${KEY.slice(0, 20)}…`, secrets, 401)).toEqual({ kind: 'http_status', httpStatus: 401, message: 'HTTP 401: a***…' });
  });
});

function spec(id: string): RequestSpec {
  return { id, scenario: 's', api: 'chat', messages: [{ role: 'user', content: 'hi' }], inputTokens: 1, maxTokens: 4 };
}

const sendOptions = { model: 'm', scheduledAt: null, deadlineMs: 5_000, idleTimeoutMs: 5_000 };

describe('a server that echoes the key into a long error', () => {
  let server: FakeServer;
  const echo = fillerFor(MAX_ERROR_MESSAGE_CHARS, 1);
  beforeAll(async () => {
    server = await startFakeServer((req, res) => {
      const auth = String(req.headers.authorization);
      const message = `${'x'.repeat(echo)}${auth} was rejected`;
      if (req.headers['x-request-id'] === 'sse') {
        sse(res);
        res.end(`data: ${JSON.stringify({ error: { message, type: 'invalid_request_error' } })}\n\n`);
        return;
      }
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message, type: 'invalid_request_error' } }));
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('records neither the key nor its start: HTTP status and SSE error event', async () => {
    const client = new LlmClient({ baseUrl: server.url, apiKey: KEY, connections: 2 });
    try {
      const http = await client.send(spec('http'), sendOptions);
      const event = await client.send(spec('sse'), sendOptions);
      // Redacted before the cut, the text is short enough to keep whole.
      expect(http.error).toEqual({ kind: 'http_status', httpStatus: 401, message: `HTTP 401: ${'x'.repeat(echo)}Bearer *** was rejected` });
      expect(event.error).toEqual({ kind: 'stream_error', message: `${'x'.repeat(echo)}Bearer *** was rejected` });
      for (const record of [http, event]) expect(leakedPieces(JSON.stringify(record), KEY)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('writes neither into the results of a run (the reported repro)', async () => {
    const config = parseConfigText('scenarios:\n  - name: leak\n    load: { type: concurrency, concurrency: 1, requests: 2, warmup: 0 }\n', 'test');
    const result = await runConfig(config, { baseUrl: `${server.url}/v1`, model: 'm', apiKey: KEY });
    const records = result.scenarios[0].requests;
    expect(records.map((r) => r.error?.httpStatus)).toEqual([401, 401]);
    expect(leakedPieces(JSON.stringify(result), KEY)).toEqual([]);
  });
});

describe('a secret in the base URL query string', () => {
  let server: FakeServer;
  beforeAll(async () => {
    // A gateway that rejects the request and echoes the URL it was asked for.
    server = await startFakeServer((req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route for ${req.url}` } }));
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('goes on every API request, but never into a record, the results or an error', async () => {
    const config = parseConfigText('scenarios:\n  - name: q\n    load: { type: concurrency, concurrency: 1, requests: 2, warmup: 0 }\n', 'test');
    const result = await runConfig(config, { baseUrl: `${server.url}/v1?api-version=2024-10-21&api_key=QSECRET999`, model: 'm' });
    expect(server.received.filter((r) => r.url.startsWith('/v1/')).map((r) => r.url)).toEqual([
      '/v1/chat/completions?api-version=2024-10-21&api_key=QSECRET999',
      '/v1/chat/completions?api-version=2024-10-21&api_key=QSECRET999',
    ]);
    // The engine fingerprint (output_length: auto) reads the root's info endpoints, which take no query string.
    expect(server.received.filter((r) => !r.url.startsWith('/v1/')).map((r) => r.url).sort()).toEqual(['/api/version', '/get_server_info', '/info', '/props', '/version']);
    expect(result.target.baseUrl).toBe(server.url);
    expect(result.scenarios[0].requests[0].error?.message).toBe('HTTP 404: no route for /v1/chat/completions?api-version=2024-10-21&api_key=***');
    expect(JSON.stringify(result)).not.toContain('QSECRET');
    // Without a model the run lists the server's models first; an unreachable server is named without the query.
    const down = await runConfig(config, { baseUrl: `http://127.0.0.1:${await closedPort()}/v1?api_key=QSECRET999` }).catch((e: unknown) => e);
    expect(String(down)).toMatch(/^RunFailedError: Unable to reach http:\/\/127\.0\.0\.1:\d+\/v1\/models: /);
    expect(String(down)).not.toContain('QSECRET');
  });
});
