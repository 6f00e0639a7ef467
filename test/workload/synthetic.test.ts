import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/config/schema.js';
import { estimateTokens } from '../../src/tokens.js';
import { buildSyntheticRequests, syntheticRequestSource } from '../../src/workload/synthetic.js';
import { COMMON_WORDS } from '../../src/workload/words.js';
import type { RequestSpec } from '../../src/types.js';

function scenario(workload: Record<string, unknown>, api: 'chat' | 'completions' = 'chat') {
  return scenarioSchema.parse({ name: 'syn', api, workload, load: { type: 'concurrency', concurrency: 1, requests: 10 } });
}

function inputText(spec: RequestSpec): string {
  return spec.prompt ?? (spec.messages ?? []).map((m) => m.content).join(' ');
}

describe('buildSyntheticRequests', () => {
  it('makes prompts whose estimated token count is exactly the drawn input length', () => {
    const specs = buildSyntheticRequests(scenario({ input_tokens: { dist: 'uniform', min: 1, max: 400 }, output_tokens: { dist: 'normal', mean: 50, std: 20 } }), { seed: 3, count: 200, idPrefix: 'm' });
    const lengths = new Set<number>();
    for (const s of specs) {
      expect(estimateTokens(inputText(s))).toBe(s.inputTokens);
      expect(s.inputTokens).toBeGreaterThanOrEqual(1);
      expect(s.inputTokens).toBeLessThanOrEqual(400);
      expect(Number.isInteger(s.maxTokens) && s.maxTokens >= 1).toBe(true);
      lengths.add(s.inputTokens);
    }
    expect(lengths.size).toBeGreaterThan(100);
  });

  it('uses only the common-word list, with single spaces', () => {
    const [s] = buildSyntheticRequests(scenario({ input_tokens: 300 }), { seed: 1, count: 1, idPrefix: 'm' });
    const words = (s.messages?.[0].content ?? '').split(' ');
    expect(words).toHaveLength(300);
    const known = new Set(COMMON_WORDS);
    expect(words.every((w) => known.has(w))).toBe(true);
  });

  it('numbers ids from the prefix, keeps the api and sets max_tokens to the drawn output length', () => {
    const specs = buildSyntheticRequests(scenario({ input_tokens: 8, output_tokens: 32 }, 'completions'), { seed: 1, count: 3, idPrefix: 'syn-m' });
    expect(specs.map((s) => s.id)).toEqual(['syn-m-0', 'syn-m-1', 'syn-m-2']);
    expect(specs.map((s) => [s.api, s.maxTokens, s.scenario, s.messages])).toEqual([
      ['completions', 32, 'syn', undefined],
      ['completions', 32, 'syn', undefined],
      ['completions', 32, 'syn', undefined],
    ]);
  });

  it('gives every request its own prompt, the same ones for the same seed, others for warmup', () => {
    const sc = scenario({ input_tokens: 64 });
    const a = buildSyntheticRequests(sc, { seed: 5, count: 100, idPrefix: 'm' });
    const b = buildSyntheticRequests(sc, { seed: 5, count: 100, idPrefix: 'm' });
    const warm = buildSyntheticRequests(sc, { seed: 5, count: 100, idPrefix: 'w' });
    expect(b).toEqual(a);
    // No two requests share even their first 16 words, so a prefix cache cannot serve them.
    const heads = new Set([...a, ...warm].map((s) => inputText(s).split(' ').slice(0, 16).join(' ')));
    expect(heads.size).toBe(200);
    const other = buildSyntheticRequests(sc, { seed: 6, count: 1, idPrefix: 'm' });
    expect(inputText(other[0])).not.toBe(inputText(a[0]));
  });

  it('builds request i the same whatever the count (lazy sources agree with lists)', () => {
    const sc = scenario({ input_tokens: { dist: 'lognormal', mean: 100, std: 30 } });
    const list = buildSyntheticRequests(sc, { seed: 9, count: 5, idPrefix: 'm' });
    const build = syntheticRequestSource(sc, { seed: 9, idPrefix: 'm' });
    expect(build(3)).toEqual(list[3]);
    expect(buildSyntheticRequests(sc, { seed: 9, count: 50, idPrefix: 'm' }).slice(0, 5)).toEqual(list);
  });

  it('puts a shared system prompt first in chat requests; the total is the drawn length', () => {
    const specs = buildSyntheticRequests(scenario({ input_tokens: { dist: 'uniform', min: 40, max: 80 }, shared_prefix_tokens: 30 }), { seed: 2, count: 20, idPrefix: 'm' });
    const system = specs[0].messages?.[0];
    expect(system?.role).toBe('system');
    expect(estimateTokens(system?.content ?? '')).toBe(30);
    for (const s of specs) {
      expect(s.messages?.[0]).toEqual(system);
      expect(s.messages?.[1].role).toBe('user');
      expect(estimateTokens(s.messages?.[1].content ?? '')).toBe(s.inputTokens - 30);
      expect(s.prefixGroup).toBe('syn/shared-prefix');
    }
    // Warmup requests share the same prefix (they warm the prefix cache for it).
    const warm = buildSyntheticRequests(scenario({ input_tokens: 50, shared_prefix_tokens: 30 }), { seed: 2, count: 1, idPrefix: 'w' });
    expect(warm[0].messages?.[0]).toEqual(system);
  });

  it("starts a completions prompt with the shared prefix", () => {
    const specs = buildSyntheticRequests(scenario({ input_tokens: 50, shared_prefix_tokens: 20 }, 'completions'), { seed: 2, count: 3, idPrefix: 'm' });
    const head = (s: RequestSpec) => (s.prompt ?? '').split(' ').slice(0, 20).join(' ');
    expect(head(specs[1])).toBe(head(specs[0]));
    for (const s of specs) expect(estimateTokens(s.prompt ?? '')).toBe(50);
    expect(specs[0].prompt).not.toBe(specs[1].prompt);
  });

  it('gives a request whose drawn length does not exceed the prefix one word of its own', () => {
    const [s] = buildSyntheticRequests(scenario({ input_tokens: 10, shared_prefix_tokens: 30 }), { seed: 2, count: 1, idPrefix: 'm' });
    expect(s.inputTokens).toBe(31);
    expect(estimateTokens(inputText(s))).toBe(31);
  });
});
