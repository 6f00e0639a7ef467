// Synthetic lengths from explicit lists and shared-prefix groups.
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/config/schema.js';
import { InputError } from '../../src/errors.js';
import { openRequestSource } from '../../src/workload/index.js';
import { estimateTokens } from '../../src/tokens.js';

async function specs(workload: Record<string, unknown>, count: number) {
  const sc = scenarioSchema.parse({ name: 'g', workload, load: { type: 'concurrency', concurrency: 1, requests: count } });
  const src = await openRequestSource(sc, { seed: 4, idPrefix: 'g' });
  return Array.from({ length: count }, (_, i) => src.measured(i)!);
}

describe('explicit length lists', () => {
  it('deals input and output lists by request index, paired', async () => {
    const out = await specs({ input_tokens: [10, 20, 30], output_tokens: { dist: 'list', values: [1, 2, 3] } }, 7);
    expect(out.map((s) => [s.inputTokens, s.maxTokens])).toEqual([
      [10, 1],
      [20, 2],
      [30, 3],
      [10, 1],
      [20, 2],
      [30, 3],
      [10, 1],
    ]);
  });
});

describe('shared-prefix groups', () => {
  it('gives each group its own system prompt, dealt round-robin', async () => {
    const out = await specs({ input_tokens: 50, groups: 3, prefix_tokens: 40 }, 9);
    const systems = out.map((s) => s.messages![0]);
    expect(systems.every((m) => m.role === 'system' && estimateTokens(m.content) === 40)).toBe(true);
    expect(new Set(systems.map((m) => m.content)).size).toBe(3);
    for (let i = 3; i < 9; i++) expect(systems[i].content).toBe(systems[i - 3].content);
    expect(out.map((s) => s.prefixGroup)).toEqual(['g/group-0', 'g/group-1', 'g/group-2', 'g/group-0', 'g/group-1', 'g/group-2', 'g/group-0', 'g/group-1', 'g/group-2']);
    expect(new Set(out.map((s) => s.messages![1].content)).size).toBe(9);
    expect(out.every((s) => s.inputTokens === 50)).toBe(true);
  });

  it('repeats a fixed set of questions per group with prompts_per_group', async () => {
    const out = await specs({ input_tokens: 30, groups: 2, prefix_tokens: 10, prompts_per_group: 2 }, 8);
    const keys = out.map((s) => s.messages!.map((m) => m.content).join('|'));
    expect(new Set(keys).size).toBe(4);
    expect(keys.slice(4)).toEqual(keys.slice(0, 4));
  });

  it('refuses a contradictory prefix setup', async () => {
    await expect(specs({ groups: 2 }, 1)).rejects.toThrow(InputError);
    await expect(specs({ shared_prefix_tokens: 5, groups: 2, prefix_tokens: 5 }, 1)).rejects.toThrow("scenario 'g': workload: give shared_prefix_tokens or groups/prefix_tokens, not both");
  });

  it('keeps the old shape: no source means synthetic, defaults unchanged', () => {
    const sc = scenarioSchema.parse({ name: 'o', workload: { input_tokens: 12, output_tokens: 3, shared_prefix_tokens: 0 }, load: { type: 'concurrency', concurrency: 1, requests: 1 } });
    expect(sc.workload).toEqual({ source: 'synthetic', input_tokens: 12, output_tokens: 3, shared_prefix_tokens: 0 });
  });
});
