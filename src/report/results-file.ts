// The results file (also the baseline format): a zod schema mirroring src/types.ts
// RunResult, a reader whose every complaint is one line naming the file and the field, and
// a writer that never leaves a half-written file. docs/results-schema.md documents it;
// docs/results.schema.json is generated from the schema below (resultsJsonSchema()).
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { DISTRIBUTION_KEYS, ERROR_KINDS, type DistributionKey, type ErrorKind, type RunResult } from '../types.js';

export const RESULTS_SCHEMA_VERSION = 1;

/** Larger files are refused before reading: a results file is a few MB; V8's string limit is ~512 MiB. */
export const MAX_RESULTS_FILE_BYTES = 512 * 1024 * 1024;

const epochMs = z.number().meta({ description: 'Unix epoch milliseconds with sub-ms precision (performance.timeOrigin + performance.now())' });
const ms = z.number().nonnegative();
const count = z.number().int().nonnegative();

const distribution = z
  // Every statistic is present in files llm-perf-gate measured; a file imported from another
  // tool carries only the statistics that tool wrote (scenario.config.imported.missing lists
  // the rest), so each is optional here rather than invented.
  .looseObject({
    count: count.optional(),
    mean: z.number().optional(),
    std: z.number().nonnegative().optional(),
    min: z.number().optional(),
    p50: z.number().optional(),
    p90: z.number().optional(),
    p95: z.number().optional(),
    p99: z.number().optional(),
    max: z.number().optional(),
  })
  .meta({
    id: 'Distribution',
    description: 'A per-request distribution: population std; percentiles by linear interpolation (numpy default). All statistics are present in measured files; imported files carry only those their tool wrote.',
  });

const percentileSummary = z.looseObject({ p50: ms, p99: ms, max: ms }).meta({ id: 'PercentileSummary' });

const clientHealth = z.looseObject({
  scheduleSlipMs: percentileSummary,
  eventLoopDelayMs: percentileSummary,
  trustworthy: z.boolean(),
  reasons: z.array(z.string()).default([]),
}).meta({ id: 'ClientHealth', description: 'Whether the load generator kept up: schedule slip (sentAt − due time, ms) and event-loop delay (ms)' });

const errorKind = z.enum(ERROR_KINDS as [ErrorKind, ...ErrorKind[]]);
const tokenSource = z.enum(['usage', 'tokenizer', 'estimate']);

const requestRecord = z.looseObject({
  id: z.string(),
  scenario: z.string(),
  status: z.enum(['ok', 'error', 'timeout', 'cancelled']),
  error: z.looseObject({ kind: errorKind, httpStatus: z.number().int().optional(), message: z.string() }).nullable(),
  scheduledAt: epochMs.nullable(),
  sentAt: epochMs,
  ttftMs: ms.nullable(),
  e2eMs: ms.nullable(),
  streamEndMs: ms.nullable(),
  inputTokens: count.nullable(),
  outputTokens: count.nullable(),
  tokenSource,
  chunkOffsetsMs: z.array(ms).meta({ description: 'content-chunk arrival times, ms from sentAt' }),
  chunkTokens: z.array(count).optional(),
  headersMs: ms.nullable().optional(),
  finishReason: z.string().nullable().optional(),
}).meta({ id: 'RequestRecord', description: 'One measured request; durations in ms from sentAt' });

const distributions = Object.fromEntries(DISTRIBUTION_KEYS.map((k) => [k, distribution.nullable()])) as Record<DistributionKey, z.ZodNullable<typeof distribution>>;

const metrics = z.looseObject({
  ...distributions,
  request_throughput_rps: z.number().nonnegative(),
  output_token_throughput_tps: z.number().nonnegative(),
  total_token_throughput_tps: z.number().nonnegative(),
  goodput_rps: z.number().nonnegative().nullable(),
  error_rate: z.number().min(0).max(1),
  completed: count,
  failed: count,
  duration_s: z.number().nonnegative(),
  errors_by_kind: z.partialRecord(errorKind, count),
  total_input_tokens: count,
  total_output_tokens: count,
  ttft_from_schedule_ms: distribution.nullable().optional(),
  itl_per_token_ms: distribution.nullable().optional(),
  e2e_from_schedule_ms: distribution.nullable().optional(),
  token_sources: z.partialRecord(tokenSource, count),
  max_chunk_tokens: count.optional(),
  offered_rate_rps: z.number().nonnegative().optional().meta({ description: 'open loop: planned send rate, (n − 1) / (last − first scheduled send)' }),
  achieved_rate_rps: z.number().nonnegative().optional().meta({ description: 'actual send rate, (n − 1) / (last − first send)' }),
  token_goodput_tps: z.number().nonnegative().nullable().optional().meta({ description: 'output tokens per second of requests that met every SLO; null without SLOs' }),
  slo_attainment: z.number().min(0).max(1).nullable().optional().meta({ description: 'fraction of measured requests (failures included) that met every SLO; null without SLOs' }),
  capacity_rps: z.number().nonnegative().optional().meta({ description: 'SLO search over rates: the highest request rate that met the SLOs' }),
  capacity_concurrency: z.number().nonnegative().optional().meta({ description: 'SLO search over concurrency: the highest concurrency that met the SLOs' }),
}).meta({ id: 'ScenarioMetrics' });

const scenarioResult = z.looseObject({
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  window: z.looseObject({ startMs: epochMs, endMs: epochMs }),
  metrics,
  requests: z.array(requestRecord),
  clientHealth: clientHealth.optional(),
}).meta({ id: 'ScenarioResult' });

export const runResultSchema = z
  .looseObject({
    schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
    tool: z.looseObject({ name: z.literal('llm-perf-gate'), version: z.string() }),
    startedAt: z.iso.datetime({ offset: true }),
    target: z.looseObject({ baseUrl: z.string(), model: z.string(), engine: z.string().optional(), engineVersion: z.string().optional() }),
    environment: z.looseObject({
      commit: z.string().optional(),
      ref: z.string().optional(),
      runner: z.string().optional(),
      gpu: z.string().optional(),
      node: z.string().optional(),
    }),
    clientHealth,
    scenarios: z.array(scenarioResult),
  })
  .meta({ title: 'llm-perf-gate results file', description: 'Benchmark results and baseline format, schemaVersion 1 (docs/results-schema.md)' });

// The schema mirrors RunResult, except that a distribution's statistics are optional here
// (imported files may lack some; see Distribution in src/types.ts). The round-trip test in
// test/report/results-file.test.ts keeps the two in step.

/** The JSON Schema (draft 2020-12) written to docs/results.schema.json (title first, for readers). */
export function resultsJsonSchema(): Record<string, unknown> {
  const { $schema, title, description, ...rest } = z.toJSONSchema(runResultSchema, { target: 'draft-2020-12', io: 'input' });
  return { $schema, title, description, ...rest };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) out += out ? `.${String(key)}` : String(key);
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const value = valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? `is missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${describeValue(value)}`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(value)}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}, got ${describeValue(value)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}, got ${describeValue(value)}`;
    case 'invalid_key':
      return `has an unknown key (${issue.issues[0]?.message ?? issue.message})`;
    default:
      return `${issue.message}, got ${describeValue(value)}`;
  }
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Parses and validates a results file's text; every problem is one InputError line naming `source`. */
export function parseRunResult(rawText: string, source: string): RunResult {
  const text = withoutBom(rawText);
  if (text.trim() === '') throw new InputError(`${source}: the file is empty; expected an llm-perf-gate results file (JSON)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: not valid JSON (${oneLine(e instanceof Error ? e.message : String(e))}) — is the file truncated?`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(`${source}: expected a JSON object (an llm-perf-gate results file), got ${describeValue(json)}`);
  }
  const version = (json as Record<string, unknown>).schemaVersion;
  if (version === undefined) throw new InputError(`${source}: schemaVersion is missing; is this an llm-perf-gate results file?`);
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new InputError(`${source}: schemaVersion must be a positive integer, got ${describeValue(version)}`);
  }
  if (version > RESULTS_SCHEMA_VERSION) {
    throw new InputError(`${source}: schemaVersion ${version} is newer than this llm-perf-gate supports (${RESULTS_SCHEMA_VERSION}); upgrade llm-perf-gate`);
  }
  const parsed = runResultSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${source}: ${formatPath(issue.path)} ${oneLine(describeIssue(issue, json))}`);
  }
  return parsed.data as RunResult;
}

/** A UTF-8 byte-order mark (some Windows editors write one) is not part of the JSON. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads a results or history file as text, refusing one over MAX_RESULTS_FILE_BYTES before
 * reading it (an InputError naming the file); errors of the file system pass through as they
 * are, so each caller keeps its own answer to a missing file.
 */
export async function readBoundedText(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_RESULTS_FILE_BYTES) throw new InputError(tooLarge(path, size));
    return withoutBom(await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

function tooLarge(path: string, size: number): string {
  return `${path}: ${(size / 1024 / 1024).toFixed(0)} MiB is larger than the 512 MiB a results file may be; is it the right file?`;
}

/** Reads and validates a results file; a missing, unreadable or oversized file is an InputError naming it. */
export async function readRunResultFile(path: string): Promise<RunResult> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(`${path}: not a file; expected an llm-perf-gate results file (JSON)`);
    size = info.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file; check the path (or run without a baseline)`);
    throw new InputError(`${path}: cannot read it (${code ?? String(e)})`);
  }
  if (size > MAX_RESULTS_FILE_BYTES) throw new InputError(tooLarge(path, size));
  const handle = await open(path, 'r');
  try {
    return parseRunResult(await handle.readFile('utf8'), path);
  } finally {
    await handle.close();
  }
}

/**
 * Pretty JSON with arrays of numbers kept on one line: a per-request `chunkOffsetsMs` of 500
 * entries would otherwise take 500 lines. A pretty-printed array spans lines, which a JSON
 * string never does, so string contents are never touched.
 */
export function formatRunResult(result: RunResult): string {
  const pretty = JSON.stringify(result, null, 2);
  return `${pretty.replace(/\[\n\s*(-?[\d.eE+-]+(?:,\n\s*-?[\d.eE+-]+)*)\n\s*\]/g, (_m, body: string) => `[${body.replace(/,\n\s*/g, ', ')}]`)}\n`;
}

/**
 * Writes the results file atomically: a temporary file in the same folder, flushed, then
 * renamed over the target, so a crash never leaves a half-written baseline. The result is
 * validated first; an invalid one (a bug) is refused rather than written.
 */
export async function writeRunResultFile(path: string, result: RunResult): Promise<void> {
  const text = formatRunResult(result);
  const check = runResultSchema.safeParse(JSON.parse(text));
  if (!check.success) {
    const issue = check.error.issues[0];
    throw new Error(`refusing to write an invalid results file ${path}: ${formatPath(issue.path)} ${describeIssue(issue, JSON.parse(text))}`);
  }
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
