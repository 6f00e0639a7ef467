// Issue 7: the stored scenario config leaves out `output_length: auto` (the default) and
// never holds the fields the client adds, so baselines made before still match; the
// flags-only CLI scenario no longer hard-codes ignore_eos: it is auto, or exact with --ignore-eos.
import { describe, expect, it } from 'vitest';
import { configFromFlags, parseFlags, resolveRunConfig } from '../../src/cli/run-command.js';
import { scenarioSchema } from '../../src/config/schema.js';
import { InputError } from '../../src/errors.js';
import { scenarioForResults } from '../../src/run.js';

const scenario = (extra: Record<string, unknown>) => scenarioSchema.parse({ name: 's', load: { type: 'poisson', rate: 1, requests: 5 }, ...extra });

describe('scenarioForResults and output_length', () => {
  it('stores no output_length for auto, given or not: the config reads as before the option existed', () => {
    const before = scenarioForResults(scenario({}));
    expect(before).not.toHaveProperty('output_length');
    expect(scenarioForResults(scenario({ output_length: 'auto' }))).toEqual(before);
  });

  it('stores exact and natural: they change what is measured', () => {
    expect(scenarioForResults(scenario({ output_length: 'exact' })).output_length).toBe('exact');
    expect(scenarioForResults(scenario({ output_length: 'natural' })).output_length).toBe('natural');
  });
});

describe('flags-only scenario', () => {
  it('sends no hard-coded ignore_eos: output_length auto', () => {
    const s = configFromFlags(parseFlags(['--rate', '2', '--requests', '4'])).scenarios[0];
    expect(s.body).toEqual({});
    expect(s.output_length).toBeUndefined();
  });

  it('--ignore-eos (as vLLM bench) means output_length exact', () => {
    const s = configFromFlags(parseFlags(['--rate', '2', '--ignore-eos'])).scenarios[0];
    expect(s.output_length).toBe('exact');
    expect(s.body).toEqual({});
  });

  it('--ignore-eos with --config is one clear error', async () => {
    await expect(resolveRunConfig(parseFlags(['--config', 'perf.yml', '--ignore-eos']))).rejects.toThrow(
      new InputError('--ignore-eos cannot be combined with --config; set output_length: exact in its scenarios'),
    );
  });
});
