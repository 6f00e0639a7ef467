import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listModels, normalizeBaseUrl } from '../../src/client/client.js';
import { InputError, RunFailedError } from '../../src/errors.js';
import { closedPort, startFakeServer } from './fake-server.js';
import type { FakeServer } from './fake-server.js';

describe('normalizeBaseUrl', () => {
  const cases: Array<[string, string, string]> = [
    ['http://localhost:8000', 'http://localhost:8000', 'http://localhost:8000/v1'],
    ['http://localhost:8000/', 'http://localhost:8000', 'http://localhost:8000/v1'],
    ['http://localhost:8000/v1', 'http://localhost:8000', 'http://localhost:8000/v1'],
    ['http://localhost:8000/v1/', 'http://localhost:8000', 'http://localhost:8000/v1'],
    ['http://localhost:8000/v1//', 'http://localhost:8000', 'http://localhost:8000/v1'],
    ['  https://gw.example.com/llm/v1  ', 'https://gw.example.com/llm', 'https://gw.example.com/llm/v1'],
    ['https://gw.example.com/llm', 'https://gw.example.com/llm', 'https://gw.example.com/llm/v1'],
    ['http://127.0.0.1:30000/v10', 'http://127.0.0.1:30000/v10', 'http://127.0.0.1:30000/v10/v1'],
    ['HTTP://Host:80/v1', 'http://host', 'http://host/v1'],
  ];
  for (const [given, root, openaiBase] of cases) {
    it(`${given.trim()} → ${openaiBase}`, () => {
      expect(normalizeBaseUrl(given)).toEqual({ root, openaiBase });
    });
  }

  it('rejects what is not an http(s) URL with an InputError naming base_url', () => {
    for (const bad of ['localhost:8000', 'ftp://h/v1', 'not a url', '', 'http://h:8000/v1?x=1']) {
      expect(() => normalizeBaseUrl(bad)).toThrow(InputError);
      expect(() => normalizeBaseUrl(bad)).toThrow(/base_url/);
    }
  });

  it('rejects credentials in the URL without echoing them', () => {
    expect(() => normalizeBaseUrl('http://user:hunter2@h:8000')).toThrow(InputError);
    try {
      normalizeBaseUrl('http://user:hunter2@h:8000');
    } catch (err) {
      expect(String(err)).not.toContain('hunter2');
    }
  });
});

describe('listModels', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('returns the ids of /v1/models, sending the key', async () => {
    server.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'meta-llama/Llama-3.1-8B', object: 'model', max_model_len: 8192 }, { id: 'lora-a' }, { nope: 1 }] }));
    });
    expect(await listModels(server.url, { apiKey: 'sk-k' })).toEqual(['meta-llama/Llama-3.1-8B', 'lora-a']);
    const sent = server.received[server.received.length - 1];
    expect(sent.url).toBe('/v1/models');
    expect(sent.headers.authorization).toBe('Bearer sk-k');
  });

  it('a 401 is an InputError about api_key, without the key', async () => {
    server.setHandler((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `bad key ${req.headers.authorization}` } }));
    });
    const err = await listModels(`${server.url}/v1`, { apiKey: 'sk-very-secret' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(String(err)).toContain('Check api_key');
    expect(String(err)).not.toContain('sk-very-secret');
  });

  it('an unreachable server or a bad answer is a RunFailedError', async () => {
    await expect(listModels(`http://127.0.0.1:${await closedPort()}`)).rejects.toBeInstanceOf(RunFailedError);
    server.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Ollama is running</html>');
    });
    await expect(listModels(server.url)).rejects.toThrow(/no 'data' list/);
    server.setHandler((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('Loading model');
    });
    await expect(listModels(server.url)).rejects.toThrow('HTTP 503: Loading model');
  });
});
