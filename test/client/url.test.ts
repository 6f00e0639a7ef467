import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayBaseUrl, listModels, normalizeBaseUrl } from '../../src/client/client.js';
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
      expect(normalizeBaseUrl(given)).toEqual({ root, openaiBase, query: '' });
    });
  }

  it('rejects what is not an http(s) URL with an InputError naming base_url', () => {
    for (const bad of ['localhost:8000', 'ftp://h/v1', 'not a url', '', 'http://h:8000/v1#x']) {
      expect(() => normalizeBaseUrl(bad)).toThrow(InputError);
      expect(() => normalizeBaseUrl(bad)).toThrow(/base_url/);
    }
  });

  it('keeps a query string for the API requests, apart from the root and base it shows', () => {
    expect(normalizeBaseUrl('https://r.openai.azure.com/openai/v1?api-version=2024-10-21')).toEqual({
      root: 'https://r.openai.azure.com/openai',
      openaiBase: 'https://r.openai.azure.com/openai/v1',
      query: '?api-version=2024-10-21',
    });
    expect(normalizeBaseUrl('http://h:8000/?api_key=QSECRET999')).toEqual({ root: 'http://h:8000', openaiBase: 'http://h:8000/v1', query: '?api_key=QSECRET999' });
  });

  it('never echoes a query string, fragment or user name in its errors', () => {
    for (const bad of ['ftp://h/v1?api_key=QSECRET999', 'localhost:8000/v1?api_key=QSECRET999', 'not a url?api_key=QSECRET999', 'http://h/v1?api_key=QSECRET999#frag', 'http://h/v1#QSECRET999']) {
      const err = (() => {
        try {
          normalizeBaseUrl(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(InputError);
      expect(String(err)).toMatch(/base_url/);
      expect(String(err)).not.toContain('QSECRET999');
    }
  });

  it('shows a base URL without query, fragment or credentials', () => {
    expect(displayBaseUrl(' http://127.0.0.1:18101/v1?api_key=QSECRET999 ')).toBe('http://127.0.0.1:18101/v1');
    expect(displayBaseUrl('https://u:pw@h/x/#frag')).toBe('https://h/x');
    expect(displayBaseUrl('localhost:8000/v1?key=s')).toBe('localhost:8000/v1');
    expect(displayBaseUrl('ftp://u:pw@h/v1?key=s')).toBe('ftp://h/v1');
    expect(displayBaseUrl('not a url#k')).toBe('not a url');
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

  it("sends the base URL's query string, but never shows it or its secret", async () => {
    server.setHandler((req, res) => {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`forbidden: ${req.url}`);
    });
    const err = await listModels(`${server.url}/v1?api-version=7&api_key=QSECRET999`).catch((e: unknown) => e);
    expect(server.received[server.received.length - 1].url).toBe('/v1/models?api-version=7&api_key=QSECRET999');
    expect(err).toBeInstanceOf(InputError);
    expect(String(err)).toBe(`InputError: Unable to list models at ${server.url}/v1/models: HTTP 403: forbidden: /v1/models?api-version=7&api_key=***. Check api_key.`);
    const down = await listModels(`http://127.0.0.1:${await closedPort()}/v1?api_key=QSECRET999`).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(RunFailedError);
    expect(String(down)).not.toContain('QSECRET999');
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
