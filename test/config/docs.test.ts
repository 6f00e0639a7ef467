import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText, DEFAULT_CONFIG_YAML } from '../../src/config/load.js';

const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('docs/config.md', () => {
  it('its complete example is a valid config', () => {
    const config = parseConfigText(yamlBlocks[0], 'docs/config.md', {});
    expect(config.scenarios.map((s) => s.name)).toEqual(['chat-poisson', 'closed-loop-8']);
    expect(config.scenarios[0].load).toMatchObject({ type: 'poisson', rate: 4, concurrency: 64, requests: 200, warmup: 4 });
    expect(config.scenarios[1].workload.output_tokens).toEqual({ dist: 'lognormal', mean: 128, std: 48, min: 16, max: 512 });
    expect(config.target?.api_key).toBe('');
  });

  it('shows the default scenario as the code defines it', () => {
    const shown = parseConfigText(yamlBlocks.find((b) => b.includes('name: chat\n'))!, 'doc');
    expect(shown).toEqual(parseConfigText(DEFAULT_CONFIG_YAML, 'code'));
  });

  it('documents every field of the scenario schema', () => {
    for (const field of ['workload.input_tokens', 'workload.output_tokens', 'workload.shared_prefix_tokens', 'load.type', 'load.rate', 'load.concurrency', 'load.requests', 'load.duration_s', 'load.warmup', 'timeouts.request_s', 'timeouts.idle_s', '`output_length`', '`body`', '`headers`', '`seed`', '`min_successful`', '`max_duration_s`', '`slo`']) {
      expect(doc).toContain(field);
    }
  });
});
