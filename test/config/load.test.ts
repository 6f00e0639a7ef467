import { describe, expect, it } from 'vitest';
import { parseConfigText, expandEnv } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfigText(text, 'perf.yml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected an error');
}

const minimal = `scenarios:\n  - name: a\n    load: { type: poisson, rate: 2, requests: 10 }\n`;

describe('config loading', () => {
  it('fills defaults', () => {
    const c = parseConfigText(minimal, 'x', {});
    expect(c.seed).toBe(1);
    expect(c.scenarios[0].api).toBe('chat');
    expect(c.scenarios[0].workload).toEqual({ source: 'synthetic', input_tokens: 256, output_tokens: 128, shared_prefix_tokens: 0 });
    expect(c.scenarios[0].load.warmup).toBe(2);
    expect(c.scenarios[0].timeouts).toEqual({ request_s: 300, idle_s: 60 });
  });

  it('output_length: auto | exact | natural, absent by default (auto) so stored configs stay as before', () => {
    expect(parseConfigText(minimal, 'x', {}).scenarios[0].output_length).toBeUndefined();
    for (const mode of ['auto', 'exact', 'natural']) {
      expect(parseConfigText(minimal + `    output_length: ${mode}\n`, 'x', {}).scenarios[0].output_length).toBe(mode);
    }
    expect(errorOf(minimal + '    output_length: forced\n')).toMatch(/^perf\.yml: scenarios\.0\.output_length: .*auto.*exact.*natural/);
  });

  it('names the bad field in one line', () => {
    expect(errorOf(`scenarios:\n  - name: a\n    load: { type: poisson, requests: 10 }\n`)).toBe(
      "perf.yml: scenarios.0.load.rate: load type 'poisson' needs a rate (requests per second)",
    );
    expect(errorOf(`scenarios:\n  - name: a\n    load: { type: concurrency, concurrency: 2 }\n`)).toBe(
      'perf.yml: scenarios.0.load.requests: give requests or duration_s (or both) so the scenario stops',
    );
    expect(errorOf(minimal.replace('rate: 2', 'rate: -1'))).toMatch(/^perf\.yml: scenarios\.0\.load\.rate: /);
    expect(errorOf(minimal.replace('rate: 2', 'rate: fast'))).toMatch(/^perf\.yml: scenarios\.0\.load\.rate: .*number/);
    expect(errorOf(minimal + '    workload: { input_len: 5 }\n')).toBe('perf.yml: scenarios.0.workload: unknown field input_len');
    expect(errorOf(minimal.replace('type: poisson', 'type: burst'))).toMatch(/^perf\.yml: scenarios\.0\.load\.type: /);
    expect(errorOf('scenarios: []\n')).toMatch(/^perf\.yml: scenarios: /);
    expect(errorOf(minimal + '  - name: a\n    load: { type: poisson, rate: 2, requests: 10 }\n')).toMatch(/'a' is used twice/);
  });

  it('reports YAML syntax errors with the line', () => {
    expect(errorOf('scenarios:\n  - name: [a\n')).toMatch(/^perf\.yml: not valid YAML at line \d+: /);
    expect(errorOf('')).toBe('perf.yml: the config is empty');
    expect(errorOf('- a\n- b\n')).toBe("perf.yml: the config must be a mapping with a 'scenarios' list");
  });

  it('expands environment variables and refuses unset ones', () => {
    expect(expandEnv({ k: 'Bearer ${TOKEN}', d: '${NOPE:-x}' }, { TOKEN: 's3' })).toEqual({ k: 'Bearer s3', d: 'x' });
    expect(errorOf(`target: { base_url: "http://h", api_key: "\${MISSING}" }\n` + minimal)).toBe('perf.yml: target.api_key: environment variable MISSING is not set');
  });
});

describe('slo keys', () => {
  it('accepts the per-request latency keys and names an unknown one', () => {
    const c = parseConfigText(minimal + 'slo: { ttft_ms: 500, tpot_ms: 50 }\n', 'x', {});
    expect(c.slo).toEqual({ ttft_ms: 500, tpot_ms: 50 });
    expect(() => parseConfigText(minimal + 'slo: { ttft_p90: 500 }\n', 'perf.yml', {})).toThrow('perf.yml: slo: unknown field ttft_p90');
  });
});

describe('trace replay load', () => {
  it('needs no rate: the trace carries the arrival times', () => {
    const c = parseConfigText(
      'scenarios:\n  - name: t\n    workload: { source: trace, format: azure, path: x.csv }\n    load: { type: constant, duration_s: 10 }\n',
      'x',
      {},
    );
    expect(c.scenarios[0].load.rate).toBeUndefined();
    expect(() => parseConfigText('scenarios:\n  - name: t\n    load: { type: constant, duration_s: 10 }\n', 'perf.yml', {})).toThrow(
      "perf.yml: scenarios.0.load.rate: load type 'constant' needs a rate (requests per second)",
    );
  });
});
