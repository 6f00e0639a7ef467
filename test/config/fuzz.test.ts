// The config fuzzer (issue 9): fast-check mutates a full, valid config — a wrong value at
// any path, a removed field, an unknown field, a duplicate name, an unset ${ENV} — and
// throws arbitrary YAML text and values at the loader. Every invalid config must give ONE
// line naming the field, as an InputError (exit 2): never a stack, never another exception.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli.js';
import { parseConfigText, validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { InputError } from '../../src/errors.js';
import { resolveThresholds } from '../../src/gate/thresholds.js';

/** Fixed so a failure reproduces; FUZZ_SEED=<n> explores other cases. */
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 20_260_309;
const SOURCE = 'fuzz.yml';

/** A config that uses most of the schema: every mutation of it is meaningful. */
const VALID = {
  target: { base_url: 'http://127.0.0.1:9/v1', model: 'm', api_key: 'k', headers: { 'x-team': 'perf' } },
  seed: 7,
  max_duration_s: 60,
  min_successful: 3,
  slo: { ttft_ms: 500, tpot_ms: 50 },
  thresholds: { 'ttft_ms.p90': '+10%' },
  gate: { rule: 'estimate' },
  scenarios: [
    {
      name: 'chat',
      api: 'chat',
      workload: { source: 'synthetic', input_tokens: { dist: 'uniform', min: 10, max: 20 }, output_tokens: 32, shared_prefix_tokens: 0 },
      load: { type: 'poisson', rate: 2, concurrency: 4, requests: 10, duration_s: 5, warmup: 1 },
      timeouts: { request_s: 30, idle_s: 10 },
      body: { ignore_eos: true },
      headers: { 'x-a': 'b' },
      seed: 3,
    },
    {
      name: 'closed',
      api: 'completions',
      workload: { input_tokens: { dist: 'normal', mean: 100, std: 10, min: 1 }, output_tokens: [4, 8] },
      load: { type: 'concurrency', concurrency: 2, requests: 4 },
    },
  ],
};

type Path = (string | number)[];

/** Maps that take any key (their values are still checked): a new key there is no unknown field. */
const OPEN_MAPS = new Set(['headers', 'body', 'gate', 'thresholds']);

/** Every path in a value (objects and arrays included), root excluded. */
function allPaths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push([...prefix, i], ...allPaths(v, [...prefix, i])));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...allPaths(v, [...prefix, k]));
  }
  return out;
}

const PATHS = allPaths(VALID);
/** Paths of objects (not arrays): where an unknown field can go. */
const OBJECT_PATHS: Path[] = [[], ...PATHS.filter((p) => { const v = at(VALID, p); return v !== null && typeof v === 'object' && !Array.isArray(v); })];

function at(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Values of every JSON/YAML type, including the awkward ones a YAML file can hold. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0.5, 1e308, Number.NaN, Infinity, '', ' ', 'x', '5', '${UNSET_VAR}', [], {}, [null], { a: 1 }),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

type Mutation =
  | { kind: 'replace'; path: Path; value: unknown }
  | { kind: 'delete'; path: Path }
  | { kind: 'unknown-field'; path: Path; key: string }
  | { kind: 'duplicate-name' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...PATHS), value: wrongValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('unknown-field' as const),
      path: fc.constantFrom(...OBJECT_PATHS),
      key: fc.stringMatching(/^[a-z][a-z_]{0,11}$/),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'duplicate-name' as const }) },
);

function apply(m: Mutation): unknown {
  const root = clone(VALID) as Record<string, unknown>;
  if (m.kind === 'duplicate-name') {
    (root.scenarios as { name: string }[])[1].name = 'chat';
    return root;
  }
  if (m.kind === 'unknown-field') {
    const parent = at(root, m.path) as Record<string, unknown>;
    // A key the object already has is no unknown field; an open map (headers, body, gate) takes any.
    parent[m.key in parent ? `${m.key}_x` : m.key] = 1;
    return root;
  }
  const parent = at(root, m.path.slice(0, -1)) as Record<string | number, unknown>;
  const key = m.path[m.path.length - 1];
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = m.value;
  return root;
}

/** The outcome of loading: the config, or the InputError's message. Anything else fails the test. */
function load(fn: () => unknown): { ok: true } | { ok: false; message: string } {
  try {
    fn();
    return { ok: true };
  } catch (err) {
    if (!(err instanceof InputError)) throw new Error(`expected an InputError, got ${String((err as Error)?.name)}: ${String((err as Error)?.stack ?? err)}`);
    expect(err.exitCode).toBe(2);
    return { ok: false, message: err.message };
  }
}

/** One line, no stack, of a sane length. */
function expectOneLine(message: string): void {
  expect(message).not.toContain('\n');
  expect(message).not.toMatch(/\bat .+:\d+:\d+/);
  expect(message.length).toBeGreaterThan(0);
  expect(message.length).toBeLessThan(600);
}

/** The dotted field path the message names (`fuzz.yml: scenarios.0.load.rate: …`), or null. */
function namedPath(message: string): string[] | null {
  const m = /^fuzz\.yml: ([^:]+?): /.exec(message);
  if (!m || m[1] === '(top level)') return null;
  return m[1].split('.');
}

/** The message names the mutated field, a field inside it, or the object holding it. */
function expectNamesField(message: string, m: Mutation): void {
  if (m.kind === 'duplicate-name') {
    expect(message).toBe(`${SOURCE}: scenarios.1.name: 'chat' is used twice; scenario names must be unique`);
    return;
  }
  if (m.kind === 'unknown-field' && !OPEN_MAPS.has(String(m.path[m.path.length - 1]))) {
    expect(message).toMatch(new RegExp(`unknown field.* ${m.key}`));
  }
  const named = namedPath(message);
  const mutated = m.path.map(String);
  if (m.kind === 'unknown-field' && mutated.length === 0) {
    expect(message).toMatch(/^fuzz\.yml: unknown field/);
    return;
  }
  expect(named, message).not.toBeNull();
  // Joined, since a key may hold a dot (thresholds' `ttft_ms.p90`).
  const a = (named as string[]).join('.');
  const b = mutated.join('.');
  const related = a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
  expect(related, `${message} (mutated ${b})`).toBe(true);
}

describe('config fuzzer', () => {
  it('the unmutated config is valid', () => {
    expect(load(() => validateConfig(clone(VALID), SOURCE, {}))).toEqual({ ok: true });
  });

  it('every mutated config loads or fails with one line naming the field (1,500 cases)', () => {
    let invalid = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        let config: Config | undefined;
        const outcome = load(() => (config = validateConfig(apply(m), SOURCE, {})));
        if (outcome.ok) {
          // A config that loads is one the gate can use: a bad threshold must not wait for the run.
          expect(() => resolveThresholds(config?.thresholds)).not.toThrow();
          return;
        }
        invalid++;
        expectOneLine(outcome.message);
        expectNamesField(outcome.message, m);
      }),
      { numRuns: 1500, seed: SEED },
    );
    // Most mutations must break the config, or the fuzzer tests nothing.
    expect(invalid).toBeGreaterThan(1000);
  });

  it('the same mutations written as YAML give the same answer through the text loader (500 cases)', () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const value = apply(m);
        const direct = load(() => validateConfig(clone(value), SOURCE, {}));
        const viaText = load(() => parseConfigText(stringify(value), SOURCE, {}));
        if (!viaText.ok) expectOneLine(viaText.message);
        expect(viaText).toEqual(direct);
      }),
      { numRuns: 500, seed: SEED + 1 },
    );
  });

  it('arbitrary text never escapes as anything but a one-line InputError (1,000 cases)', () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: fc.constantFrom(...'{}[]:-, \n\t"\'!&*#|>%@`?abc019'.split('')), maxLength: 120 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        const outcome = load(() => parseConfigText(text, SOURCE, {}));
        if (!outcome.ok) {
          expectOneLine(outcome.message);
          expect(outcome.message.startsWith(`${SOURCE}: `)).toBe(true);
        }
      }),
      { numRuns: 1000, seed: SEED + 2 },
    );
  });

  it('arbitrary parsed values never escape as anything but a one-line InputError (1,000 cases)', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: true, withBoxedValues: true }), (raw) => {
        const outcome = load(() => validateConfig(raw, SOURCE, {}));
        if (!outcome.ok) {
          expectOneLine(outcome.message);
          expect(outcome.message.startsWith(`${SOURCE}: `)).toBe(true);
        }
      }),
      { numRuns: 1000, seed: SEED + 3 },
    );
  });

  it('survives hostile YAML: deep nesting, alias bombs, odd tags, huge numbers', () => {
    const deep = 'scenarios: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`), 'scenarios: *i'].join('\n');
    const texts = [
      deep,
      bomb,
      'scenarios: !!binary aGVsbG8=\n',
      'scenarios:\n  - name: a\n    load: { type: poisson, rate: 1e999, requests: 1 }\n',
      'scenarios:\n  - name: a\n    load: { type: poisson, rate: .nan, requests: 1 }\n',
      'scenarios:\n  - name: a\n    load: { type: poisson, rate: 2, requests: 99999999999999999999 }\n',
      'scenarios:\n  - !!map { name: a }\n',
      '? [a, b]\n: c\n',
      '__proto__: { scenarios: 1 }\nscenarios: []\n',
      'constructor: 1\n',
      '\uFEFFscenarios: 5\n',
      '%YAML 1.2\n---\nscenarios: 1\n...\n---\nscenarios: 2\n',
    ];
    for (const text of texts) {
      const outcome = load(() => parseConfigText(text, SOURCE, {}));
      expect(outcome.ok, text.slice(0, 80)).toBe(false);
      if (!outcome.ok) {
        expectOneLine(outcome.message);
        expect(outcome.message.startsWith(`${SOURCE}: `)).toBe(true);
      }
    }
  });
});

describe('config fuzzer through the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lpg-fuzz-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('`run --config` exits 2 with one stderr line naming the file and field (40 invalid configs)', async () => {
    const samples = fc.sample(mutation, { numRuns: 200, seed: SEED + 4 });
    const invalid = samples.filter((m) => !load(() => validateConfig(apply(m), SOURCE, {})).ok).slice(0, 40);
    expect(invalid.length).toBe(40);
    for (const [i, m] of invalid.entries()) {
      const path = join(dir, `c${i}.yml`);
      await writeFile(path, stringify(apply(m)));
      const stderr: string[] = [];
      const stdout: string[] = [];
      const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
      const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
      let code: number;
      try {
        code = await main(['run', '--config', path]);
      } finally {
        errSpy.mockRestore();
        outSpy.mockRestore();
      }
      const text = stderr.join('');
      expect(code, text).toBe(2);
      expect(stdout.join('')).toBe('');
      expect(text.endsWith('\n')).toBe(true);
      expect(text.trimEnd().split('\n'), text).toHaveLength(1);
      expect(text).not.toMatch(/internal error|\bat .+:\d+:\d+/);
      expect(text.startsWith(`llm-perf-gate run: ${path}: `)).toBe(true);
    }
  });
});
