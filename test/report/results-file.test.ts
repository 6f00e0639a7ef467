import { mkdtemp, readFile, readdir, rm, truncate, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import { CLIENT_HEALTH_LIMITS, assessClientHealth } from '../../src/load/client-health.js';
import {
  RESULTS_SCHEMA_VERSION,
  formatRunResult,
  parseRunResult,
  readRunResultFile,
  resultsJsonSchema,
  writeRunResultFile,
} from '../../src/report/results-file.js';
import { DISTRIBUTION_KEYS, RUN_LEVEL_KEYS, type RunResult } from '../../src/types.js';
import { SAMPLE_RECORDS, SAMPLE_WINDOW } from '../metrics/records.js';

const schemaPath = new URL('../../docs/results.schema.json', import.meta.url);

function sampleResult(): RunResult {
  const health = assessClientHealth({ p50: 0.01, p99: 0.4, max: 1.2 }, { p50: 0.1, p99: 2.5, max: 9 });
  return {
    schemaVersion: 1,
    tool: { name: 'llm-perf-gate', version: '0.1.0' },
    startedAt: '2026-01-15T10:00:00.000Z',
    target: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'sim-7b', engine: 'vllm' },
    environment: { commit: 'abc123', runner: 'ubuntu-24.04', node: 'v24.1.0' },
    clientHealth: health,
    scenarios: [
      {
        name: 'chat-short',
        config: { load: { type: 'poisson', rate: 2, requests: 5 }, workload: { input_tokens: 64 } },
        window: SAMPLE_WINDOW,
        metrics: computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW, { slo: { ttft_ms: 300 } }),
        requests: SAMPLE_RECORDS,
        clientHealth: health,
      },
    ],
  };
}

/** The one-line InputError message that parsing `text` gives. */
function parseError(text: string, source = 'baseline.json'): string {
  try {
    parseRunResult(text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an InputError');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON edited by the tests
type JsonDoc = any;

function withChange(change: (doc: JsonDoc) => void): string {
  const doc = JSON.parse(formatRunResult(sampleResult()));
  change(doc);
  return JSON.stringify(doc);
}

describe('results file schema', () => {
  it('validates a computed result against docs/results.schema.json with ajv', async () => {
    const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const doc = JSON.parse(formatRunResult(sampleResult()));
    const valid = validate(doc);
    expect(validate.errors).toBeNull();
    expect(valid).toBe(true);
    // And the schema has teeth: a string timestamp, a missing or a newer version fail.
    expect(validate(JSON.parse(withChange((d) => (d.scenarios[0].requests[0].sentAt = 'soon'))))).toBe(false);
    expect(validate(JSON.parse(withChange((d) => delete d.schemaVersion)))).toBe(false);
    expect(validate(JSON.parse(withChange((d) => (d.schemaVersion = 2))))).toBe(false);
  });

  it('keeps docs/results.schema.json in step with the zod schema', async () => {
    const onDisk = JSON.parse(await readFile(schemaPath, 'utf8'));
    expect(onDisk).toEqual(resultsJsonSchema());
  });
});

describe('parseRunResult', () => {
  it('round-trips a result exactly, timestamps with their sub-ms digits', () => {
    const result = sampleResult();
    result.scenarios[0].window = { startMs: 1_768_471_200_123.25, endMs: 1_768_471_260_987.125 };
    expect(parseRunResult(formatRunResult(result), 'r.json')).toEqual(result);
  });

  it('keeps unknown fields (newer files of version 1 stay readable)', () => {
    const parsed = parseRunResult(withChange((d) => ((d.futureField = { x: 1 }), (d.scenarios[0].requests[0].newTiming = 3))), 'r.json') as unknown as JsonDoc;
    expect(parsed.futureField).toEqual({ x: 1 });
    expect(parsed.scenarios[0].requests[0].newTiming).toBe(3);
  });

  it('says an empty file is empty', () => {
    expect(parseError('')).toBe('baseline.json: the file is empty; expected an llm-perf-gate results file (JSON)');
    expect(parseError(' \n')).toBe('baseline.json: the file is empty; expected an llm-perf-gate results file (JSON)');
  });

  it('asks whether a file that is not JSON was truncated', () => {
    const text = formatRunResult(sampleResult());
    expect(parseError(text.slice(0, text.length / 2))).toMatch(/^baseline\.json: not valid JSON \(.+\) — is the file truncated\?$/);
    expect(parseError('{"schemaVersion": 1,\n\n oops}')).toMatch(/^baseline\.json: not valid JSON \(.+\) — is the file truncated\?$/);
  });

  it('refuses a top level that is not an object', () => {
    expect(parseError('[1, 2]')).toBe('baseline.json: expected a JSON object (an llm-perf-gate results file), got an array');
    expect(parseError('null')).toBe('baseline.json: expected a JSON object (an llm-perf-gate results file), got null');
  });

  it('checks schemaVersion first: missing, malformed, newer', () => {
    expect(parseError('{"scenarios": []}')).toBe('baseline.json: schemaVersion is missing; is this an llm-perf-gate results file?');
    expect(parseError('{"schemaVersion": "1"}')).toBe('baseline.json: schemaVersion must be a positive integer, got "1"');
    expect(parseError('{"schemaVersion": 0}')).toBe('baseline.json: schemaVersion must be a positive integer, got number 0');
    expect(parseError(withChange((d) => (d.schemaVersion = 2)))).toBe(
      `baseline.json: schemaVersion 2 is newer than this llm-perf-gate supports (${RESULTS_SCHEMA_VERSION}); upgrade llm-perf-gate`,
    );
  });

  it('names the first bad field by its path', () => {
    expect(parseError(withChange((d) => (d.scenarios[0].requests[3].sentAt = 'late')))).toBe('baseline.json: scenarios[0].requests[3].sentAt expected number, got "late"');
    expect(parseError(withChange((d) => delete d.target.model))).toBe('baseline.json: target.model is missing (expected string)');
    expect(parseError(withChange((d) => (d.scenarios[0].requests[0].status = 'fine')))).toBe(
      'baseline.json: scenarios[0].requests[0].status must be "ok" or "error" or "timeout" or "cancelled", got "fine"',
    );
    expect(parseError(withChange((d) => (d.scenarios[0].metrics.ttft_ms.count = -1)))).toBe('baseline.json: scenarios[0].metrics.ttft_ms.count must be ≥ 0, got number -1');
    expect(parseError(withChange((d) => (d.scenarios[0].metrics.error_rate = 1.5)))).toBe('baseline.json: scenarios[0].metrics.error_rate must be ≤ 1, got number 1.5');
    expect(parseError(withChange((d) => (d.scenarios = {})))).toBe('baseline.json: scenarios expected array, got an object');
  });
});

describe('reading and writing results files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-perf-gate-results-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically into new folders and reads back the same result', async () => {
    const path = join(dir, 'deep', 'er', 'baseline.json');
    await writeRunResultFile(path, sampleResult());
    expect(await readRunResultFile(path)).toEqual(sampleResult());
    // Overwriting leaves no temporary file behind.
    await writeRunResultFile(path, sampleResult());
    expect(await readdir(join(dir, 'deep', 'er'))).toEqual(['baseline.json']);
    // Arrays of numbers stay on one line.
    expect(await readFile(path, 'utf8')).toContain('"chunkOffsetsMs": [125, 250, 375, 500, 625]');
  });

  it('refuses to write an invalid result', async () => {
    const bad = sampleResult();
    bad.scenarios[0].metrics.request_throughput_rps = Number.NaN;
    const path = join(dir, 'bad.json');
    await expect(writeRunResultFile(path, bad)).rejects.toThrow(/refusing to write an invalid results file .*bad\.json: scenarios\[0\]\.metrics\.request_throughput_rps/);
    await expect(readdir(dir)).resolves.not.toContain('bad.json');
  });

  it('names a missing file, a folder and a damaged file', async () => {
    const missing = join(dir, 'nope.json');
    await expect(readRunResultFile(missing)).rejects.toThrow(new InputError(`${missing}: no such file; check the path (or run without a baseline)`));
    const folder = join(dir, 'folder.json');
    await mkdir(folder);
    await expect(readRunResultFile(folder)).rejects.toThrow(new InputError(`${folder}: not a file; expected an llm-perf-gate results file (JSON)`));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"schemaVersion": 1, "tool": {');
    await expect(readRunResultFile(broken)).rejects.toThrow(/^.*broken\.json: not valid JSON \(.+\) — is the file truncated\?$/);
  });

  it('refuses a file over 512 MiB before reading it', async () => {
    const huge = join(dir, 'huge.json');
    await writeFile(huge, '');
    await truncate(huge, 513 * 1024 * 1024); // sparse: no disk used
    await expect(readRunResultFile(huge)).rejects.toThrow(new InputError(`${huge}: 513 MiB is larger than the 512 MiB a results file may be; is it the right file?`));
  });
});

// docs/results-schema.md's example must be a valid file whose metrics are what the code
// computes from its requests, and the doc must describe every metric key.
describe('docs/results-schema.md', () => {
  const docPath = new URL('../../docs/results-schema.md', import.meta.url);

  async function exampleText(): Promise<string> {
    const doc = await readFile(docPath, 'utf8');
    const match = /```json\n([\s\S]*?)\n```/.exec(doc.slice(doc.indexOf('## Example')));
    if (!match) throw new Error('no json block under "## Example"');
    return match[1];
  }

  it('has an example that parses, validates and whose metrics the code reproduces', async () => {
    const text = await exampleText();
    const result = parseRunResult(text, 'docs/results-schema.md');
    const validate = new Ajv2020({ validateFormats: false }).compile(JSON.parse(await readFile(schemaPath, 'utf8')));
    expect(validate(JSON.parse(text))).toBe(true);
    const scenario = result.scenarios[0];
    expect(computeScenarioMetrics(scenario.requests, scenario.window, { slo: { ttft_ms: 500 } })).toEqual(scenario.metrics);
  });

  it('documents every metric key and the client-health bounds', async () => {
    const doc = await readFile(docPath, 'utf8');
    for (const key of [...DISTRIBUTION_KEYS, ...RUN_LEVEL_KEYS]) expect(doc).toContain(`| \`${key}\``);
    expect(doc).toContain(`| schedule slip p99 | > ${CLIENT_HEALTH_LIMITS.scheduleSlipP99Ms} ms |`);
    expect(doc).toContain(`| event-loop delay p99 | > ${CLIENT_HEALTH_LIMITS.eventLoopDelayP99Ms} ms |`);
  });
});
