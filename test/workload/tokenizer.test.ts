// Token-exact prompts with a Hugging Face tokenizer.json (a small byte-level BPE built in
// fixtures.ts), and the check against a server's /tokenize.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/config/schema.js';
import { InputError } from '../../src/errors.js';
import type { RequestSpec } from '../../src/types.js';
import { openRequestSource } from '../../src/workload/index.js';
import { PromptWords } from '../../src/workload/prompt-words.js';
import { loadTokenizer, type LoadedTokenizer } from '../../src/workload/tokenizer.js';
import { checkServerTokenizer } from '../../src/workload/tokenize-check.js';
import { toPrompt } from '../../src/workload/trace-requests.js';
import { COMMON_WORDS } from '../../src/workload/words.js';
import { dataFile, tempDir, writeTemp, writeTestTokenizer } from './fixtures.js';

const dir = tempDir();
const tokenizerPath = writeTestTokenizer(dir);
let tokenizer: LoadedTokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(tokenizerPath);
});

function text(spec: RequestSpec): string {
  return spec.prompt ?? toPrompt(spec.messages ?? []);
}

describe('loading a tokenizer.json', () => {
  it('encodes with the file’s merges (not one token per word)', () => {
    expect(tokenizer.count('the')).toBe(1);
    expect(tokenizer.count(' the')).toBe(1);
    // 'you' (odd position in the word list) is not merged whole: more than one token.
    expect(tokenizer.count(' you')).toBeGreaterThan(1);
    expect(tokenizer.count('zzz xxx')).toBe(7); // no merges: one token per byte
  });

  it('finds the words that are one token each', () => {
    const words = new PromptWords(tokenizer);
    // Merges of other words outrank some chains, so fewer than half the list stay whole.
    expect(words.words.length).toBeGreaterThan(64);
    expect(words.words.length).toBeLessThan(COMMON_WORDS.length);
    expect(words.words).not.toContain('you');
  });

  it('names a missing or unusable file', async () => {
    await expect(loadTokenizer(`${dir}/none.json`)).rejects.toThrow(`${dir}/none.json: cannot read the tokenizer (no such file)`);
    const notJson = writeTemp(dir, 'bad.json', '{"model": ');
    await expect(loadTokenizer(notJson)).rejects.toThrow(new RegExp(`^${notJson}: the tokenizer is not valid JSON`));
    const noModel = writeTemp(dir, 'nomodel.json', '{"version": "1.0"}');
    await expect(loadTokenizer(noModel)).rejects.toThrow(InputError);
  });
});

describe('token-exact synthetic prompts', () => {
  it('1,000 synthesized prompts each tokenize to exactly their target length', async () => {
    const sc = scenarioSchema.parse({
      name: 'exact',
      workload: { input_tokens: { dist: 'uniform', min: 1, max: 600 }, output_tokens: 32, tokenizer: tokenizerPath },
      load: { type: 'concurrency', concurrency: 1, requests: 1000 },
    });
    const src = await openRequestSource(sc, { seed: 11, idPrefix: 'x' });
    expect(src.counter.source).toBe('tokenizer');
    expect(src.notes[0]).toMatch(/^lengths counted with the tokenizer .*tokenizer\.json/);
    const lengths = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const spec = src.measured(i)!;
      expect(tokenizer.count(text(spec))).toBe(spec.inputTokens);
      lengths.add(spec.inputTokens);
    }
    expect(src.measured(1000)).toBeUndefined();
    expect(lengths.size).toBeGreaterThan(400);
  });

  it('keeps shared prefixes exact too', async () => {
    const sc = scenarioSchema.parse({
      name: 'pre',
      api: 'completions',
      workload: { input_tokens: 300, shared_prefix_tokens: 200, tokenizer: tokenizerPath },
      load: { type: 'concurrency', concurrency: 1, requests: 20 },
    });
    const src = await openRequestSource(sc, { seed: 2, idPrefix: 'p' });
    for (let i = 0; i < 20; i++) expect(tokenizer.count(src.measured(i)!.prompt!)).toBe(300);
  });

  it('builds Mooncake prompts of exactly the trace’s lengths for the tokenizer', async () => {
    const path = dataFile('mooncake_synthetic_trace_head1000.jsonl');
    const sc = scenarioSchema.parse({ name: 'mc', workload: { source: 'trace', format: 'mooncake', path, tokenizer: tokenizerPath }, load: { type: 'constant', rate: 1, requests: 40 } });
    const src = await openRequestSource(sc, { seed: 1, idPrefix: 'mc' });
    expect(src.notes.some((n) => n.includes('differently'))).toBe(false);
    for (let i = 0; i < 40; i++) {
      const spec = src.measured(i)!;
      if (spec.inputTokens > 5000) continue; // long prompts are slow to re-encode in a unit test
      expect(tokenizer.count(text(spec))).toBe(spec.inputTokens);
    }
  });
});

describe('checking with the server’s /tokenize', () => {
  let server: Server;
  let root: string;
  let offered = true;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (!offered || req.url !== '/tokenize') {
          res.writeHead(404).end();
          return;
        }
        const b = JSON.parse(body) as { prompt?: string; messages?: { content: string }[] };
        // A server whose tokenizer adds one token per prompt, and a template of 4 per message + 3.
        const count = b.prompt !== undefined ? tokenizer.count(b.prompt) + 1 : b.messages!.reduce((n, m) => n + tokenizer.count(m.content) + 4, 3);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count, max_model_len: 4096, tokens: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reports mismatches and the chat template’s overhead', async () => {
    const specs: RequestSpec[] = [
      { id: 'a', scenario: 's', api: 'chat', messages: [{ role: 'user', content: 'the of and' }], inputTokens: 3, maxTokens: 1 },
      { id: 'b', scenario: 's', api: 'completions', prompt: 'the the', inputTokens: 2, maxTokens: 1 },
    ];
    const check = await checkServerTokenizer(root, specs, tokenizer, { model: 'm' });
    expect(check).toMatchObject({ checked: 2, mismatched: 2, maxDifference: 1, templateOverhead: 6 });
    expect(check.note).toBe(`server /tokenize vs ${tokenizerPath}: 2 of 2 sampled prompts differ, by up to 1 tokens; the chat template adds 6 tokens per request`);
  });

  it('says so when the server has no /tokenize', async () => {
    offered = false;
    const check = await checkServerTokenizer(root, [{ id: 'a', scenario: 's', api: 'completions', prompt: 'x', inputTokens: 1, maxTokens: 1 }], tokenizer, { model: 'm' });
    offered = true;
    expect(check.checked).toBe(0);
    expect(check.note).toBe(`${root}/tokenize is not offered; prompt lengths were not checked against the server's tokenizer`);
  });
});
