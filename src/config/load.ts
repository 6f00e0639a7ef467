// Reading a YAML config: parse, expand ${ENV} references, validate, and turn the first
// problem into one line that names the field and the expected form.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { resolveThresholds } from '../gate/thresholds.js';
import { configSchema, type Config } from './schema.js';

/** Replaces `${NAME}` (and `${NAME:-default}`) in every string value from `env`. */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw new InputError(`${path.join('.') || 'config'}: environment variable ${name} is not set`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env, [...path, k]);
    return out;
  }
  return value;
}

/** The first zod issue as `path: what is wrong`. */
export function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  const path = issue.path.map(String).join('.') || '(top level)';
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return `${source}: ${path === '(top level)' ? '' : path + ': '}unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  if (issue.code === 'invalid_union') message = 'not one of the accepted forms (see docs/config.md)';
  return `${source}: ${path}: ${message}`;
}

/** Validates an already-parsed config object. */
export function validateConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): Config {
  const expanded = withSource(source, () => expandEnv(raw, env));
  const parsed = configSchema.safeParse(expanded);
  if (!parsed.success) throw new InputError(describeIssue(parsed.error.issues[0], source));
  // Thresholds are read by the gate after the run; a typo must fail now, not after it.
  withSource(source, () => resolveThresholds(parsed.data.thresholds));
  const names = new Set<string>();
  for (const [i, s] of parsed.data.scenarios.entries()) {
    if (names.has(s.name)) throw new InputError(`${source}: scenarios.${i}.name: '${s.name}' is used twice; scenario names must be unique`);
    names.add(s.name);
  }
  return parsed.data;
}

/** Runs `fn`; an InputError it throws gets the config's name in front, so the line names the file. */
function withSource<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${source}: ${err.message}`);
    throw err;
  }
}

export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv = process.env): Config {
  let raw: unknown;
  try {
    // Warnings (an unknown directive, an ambiguous anchor) would go to stderr as process warnings.
    raw = parseYaml(text, { logLevel: 'error' });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    const first = String((err as Error).message).split('\n')[0];
    throw new InputError(`${source}: not valid YAML${where}: ${first}`);
  }
  if (raw === null || raw === undefined) throw new InputError(`${source}: the config is empty`);
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${source}: the config must be a mapping with a 'scenarios' list`);
  return validateConfig(raw, source, env);
}

export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the config (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
  return parseConfigText(text, path, env);
}

/**
 * The default scenario when there is no config file (the action's and `run`'s default).
 * Chat, a closed loop of 4 users, 64 requests of 256 input / 64 output tokens. A closed loop
 * cannot overload the server, whatever it is: the same file finishes in about 15 s on the
 * simulator or a GPU and in about a minute on a small CPU server (a 0.5B model in llama.cpp
 * on a CI runner), where an open loop at a fixed rate would queue without end (see
 * docs/config.md). A closed loop's TTFT also includes no client-made queue.
 */
export const DEFAULT_CONFIG_YAML = `# llm-perf-gate default scenario
scenarios:
  - name: chat
    api: chat
    workload:
      input_tokens: 256
      output_tokens: 64
    load:
      type: concurrency
      concurrency: 4
      requests: 64
      warmup: 4
`;
