// The action's inputs (action.yml), read and checked in one place. Secrets are masked with
// core.setSecret before anything else happens, so no later log line can show them.
import { displayBaseUrl } from '../client/url.js';
import { InputError } from '../errors.js';
import { parseBaselineSpec, type BaselineSpec } from '../baseline/store.js';
import { parseShard } from '../load/shard.js';

export type CommentMode = 'always' | 'on-change' | 'on-regression' | 'never';
export type FailOn = 'regression' | 'inconclusive' | 'never';
export type SaveBaseline = 'auto' | 'always' | 'never';

export interface ActionInputs {
  baseUrl: string;
  model?: string;
  apiKey?: string;
  /** A path, or inline YAML when `configInline`. */
  config: string;
  configInline: boolean;
  /** The config input was left at its default (a missing file then means the default scenario). */
  configIsDefault: boolean;
  name: string;
  baseline: BaselineSpec;
  githubToken?: string;
  comment: CommentMode;
  failOn: FailOn;
  acceptLabel: string;
  saveBaseline: SaveBaseline;
  waitTimeoutS: number;
  maxDurationS?: number;
  serverCommand?: string;
  serverStopCommand?: string;
  gpu?: string;
  /** run (default): benchmark; report: merge the shard jobs' results, gate, comment once. */
  mode: 'run' | 'report';
  /** Paired mode: the baseline server, measured in this job in rounds alternating with base-url. */
  baselineUrl?: string;
  /** Paired mode: the number of rounds (else the config's paired.rounds, else 6). */
  rounds?: number;
  /** Paired, one server at a time: starts the baseline server for each of its runs (server-command then starts the candidate's). */
  baselineServerCommand?: string;
  /** Matrix shards: "i/N"; the job uploads its partial results instead of gating. */
  shard?: string;
  /** Report mode: a folder holding the shard jobs' results (e.g. from actions/download-artifact). */
  shardsPath?: string;
}

export const DEFAULT_CONFIG_PATH = '.github/llm-perf-gate.yml';

/** Reads one input as the runner passes it (INPUT_<NAME>, trimmed); like core.getInput. */
export type GetInput = (name: string) => string;

export interface InputIo {
  getInput: GetInput;
  setSecret: (secret: string) => void;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T): T {
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input ${name}: '${value}' is not one of ${allowed.join(', ')}`);
}

function seconds(name: string, value: string, fallback: number | undefined): number | undefined {
  if (value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`input ${name}: '${value}' is not a positive number of seconds`);
  return n;
}

function checkHttpUrl(name: string, value: string): void {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    // Shown without query, fragment or credentials: a bad URL may still hold a key.
    throw new InputError(`input ${name}: '${displayBaseUrl(value)}' is not an http(s) URL`);
  }
}

export function readInputs(io: InputIo): ActionInputs {
  // Mask first: an error message below must never be able to echo a secret.
  const apiKey = io.getInput('api-key');
  const githubToken = io.getInput('github-token');
  if (apiKey) io.setSecret(apiKey);
  if (githubToken) io.setSecret(githubToken);

  const mode = oneOf('mode', io.getInput('mode'), ['run', 'report'] as const, 'run');
  const baseUrl = io.getInput('base-url');
  if (!baseUrl && mode === 'run') throw new InputError('input base-url: required; give the server root (http://localhost:8000) or its /v1 base');
  if (baseUrl) checkHttpUrl('base-url', baseUrl);
  const baselineUrl = io.getInput('baseline-url');
  if (baselineUrl) checkHttpUrl('baseline-url', baselineUrl);
  const rawRounds = io.getInput('rounds');
  const rounds = rawRounds === '' ? undefined : Number(rawRounds);
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 2 || rounds > 100)) throw new InputError(`input rounds: '${rawRounds}' is not a whole number from 2 to 100`);
  const shard = io.getInput('shard');
  if (shard) parseShard(shard, 'input shard');
  if (shard && baselineUrl) throw new InputError('input shard: cannot be combined with baseline-url; pair whole runs, or shard a stored-baseline run');
  const rawConfig = io.getInput('config');
  const configInline = rawConfig.includes('\n');
  const name = io.getInput('name') || 'default';
  if (name.length > 100) throw new InputError('input name: longer than 100 characters');

  return {
    baseUrl,
    model: io.getInput('model') || undefined,
    apiKey: apiKey || undefined,
    config: rawConfig || DEFAULT_CONFIG_PATH,
    configInline,
    configIsDefault: rawConfig === '' || rawConfig === DEFAULT_CONFIG_PATH,
    name,
    baseline: parseBaselineSpec(io.getInput('baseline')),
    githubToken: githubToken || undefined,
    comment: oneOf('comment', io.getInput('comment'), ['always', 'on-change', 'on-regression', 'never'] as const, 'always'),
    failOn: oneOf('fail-on', io.getInput('fail-on'), ['regression', 'inconclusive', 'never'] as const, 'regression'),
    acceptLabel: io.getInput('accept-label') || 'perf-regression-accepted',
    saveBaseline: oneOf('save-baseline', io.getInput('save-baseline'), ['auto', 'always', 'never'] as const, 'auto'),
    waitTimeoutS: seconds('wait-timeout', io.getInput('wait-timeout'), 600)!,
    maxDurationS: seconds('max-duration', io.getInput('max-duration'), undefined),
    serverCommand: io.getInput('server-command') || undefined,
    serverStopCommand: io.getInput('server-stop-command') || undefined,
    gpu: io.getInput('gpu') || undefined,
    mode,
    baselineUrl: baselineUrl || undefined,
    rounds,
    baselineServerCommand: io.getInput('baseline-server-command') || undefined,
    shard: shard || undefined,
    shardsPath: io.getInput('shards-path') || undefined,
  };
}
