// Shared pieces of the importers: reading numbers out of another tool's JSON, building a
// Distribution from only the statistics a tool reported, and the provenance every imported
// scenario carries in `scenario.config` (what it came from, what it lacks).
import { InputError } from '../../errors.js';
import type { ClientHealth, Distribution, RunResult, ScenarioMetrics, ScenarioResult, Statistic } from '../../types.js';
import { TOOL_VERSION } from '../../version.js';

export type ImportFormat = 'vllm' | 'guidellm' | 'genai-perf' | 'inference-perf';

/**
 * Provenance of an imported scenario, kept in `scenario.config` (no field of the Contracts
 * changes). `missing` lists `metric.statistic` (or whole metric keys) the source does not
 * have: those statistics are absent from the Distribution object, never filled in.
 * Statistics the source has beyond ours (p99.9, p1 …) travel inside the Distribution as
 * extra keys (`"p99.9"`), which the results schema allows.
 *
 * The gate compares scenario configs field by field to decide whether two runs measured the
 * same workload, so the config holds only what is stable from run to run of the same tool
 * and flags: `importedFrom` and `workload` (the tool's settings), and `imported` (what the
 * source lacks and how its definitions differ).
 */
export interface ImportInfo {
  importedFrom: ImportFormat;
  /** True when the source gave only aggregates (no per-request records, so no intervals). */
  aggregatesOnly: boolean;
  missing: string[];
  /** Definition differences and unit conversions, one line each, for the report. */
  notes: string[];
  /** The tool's own settings that describe the workload (a whitelist: never headers or keys). */
  workload: Record<string, unknown>;
}

const STATISTICS: readonly Statistic[] = ['count', 'mean', 'std', 'min', 'p50', 'p90', 'p95', 'p99', 'max'];

/** The import provenance of a scenario, or null for a scenario our own tool measured. */
export function importInfo(scenario: Pick<ScenarioResult, 'config'>): ImportInfo | null {
  const c = scenario.config;
  const imported = asObject(c.imported);
  if (typeof c.importedFrom !== 'string' || !imported) return null;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    importedFrom: c.importedFrom as ImportFormat,
    aggregatesOnly: imported.aggregatesOnly === true,
    missing: strings(imported.missing),
    notes: strings(imported.notes),
    workload: asObject(c.workload) ?? {},
  };
}

/** The provenance object as it goes into scenario.config. */
export function provenance(info: ImportInfo): Record<string, unknown> {
  return {
    importedFrom: info.importedFrom,
    workload: info.workload,
    imported: { aggregatesOnly: info.aggregatesOnly, missing: [...new Set(info.missing)], notes: info.notes },
  };
}

/** Adds a statistic our Distribution has no slot for (e.g. `p99.9`) as an extra key. */
export function addExtraStatistic(d: Distribution | null, name: string, value: number): void {
  if (d && Number.isFinite(value)) (d as unknown as Record<string, number>)[name] = value;
}

/** Extra statistics of a Distribution (keys beyond ours, e.g. `p99.9`). */
export function extraStatistics(d: Distribution | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!d) return out;
  for (const [k, v] of Object.entries(d)) if (!(STATISTICS as readonly string[]).includes(k) && typeof v === 'number') out[k] = v;
  return out;
}

/** Whether a Distribution has this statistic (imported ones may lack some). */
export function hasStatistic(d: Distribution | null | undefined, stat: Statistic): boolean {
  return d != null && typeof d[stat] === 'number' && Number.isFinite(d[stat]);
}

/** A plain object, or null. */
export function asObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A finite number, or undefined (Python's NaN/Infinity and nulls count as absent). */
export function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Follows a path of keys through nested objects. */
export function dig(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) {
    const o = asObject(v);
    if (!o) return undefined;
    v = o[key];
  }
  return v;
}

/**
 * A Distribution holding only the statistics given (scaled by `scale`, e.g. 1000 for s → ms);
 * the ones not given are absent and recorded in `missing` as `key.stat`. Null when the
 * source has no statistic at all for this metric.
 */
export function partialDistribution(
  key: string,
  stats: Partial<Record<Statistic, number | undefined>>,
  missing: string[],
  scale = 1,
): Distribution | null {
  const present = STATISTICS.filter((s) => stats[s] !== undefined && Number.isFinite(stats[s]));
  if (present.length === 0 || present.every((s) => s === 'count')) {
    missing.push(key);
    return null;
  }
  const out: Partial<Distribution> = {};
  for (const s of STATISTICS) {
    const v = stats[s];
    if (v === undefined || !Number.isFinite(v)) {
      missing.push(`${key}.${s}`);
      continue;
    }
    out[s] = s === 'count' ? v : v * scale;
  }
  // The Distribution type says every field is a number; an imported one may lack some, and
  // ImportInfo.missing (plus hasStatistic) is how readers tell. Nothing is invented to fill it.
  return out as Distribution;
}

/** Metrics with every distribution absent: importers fill what their source has. */
export function emptyMetrics(): ScenarioMetrics {
  return {
    ttft_ms: null,
    tpot_ms: null,
    itl_ms: null,
    e2e_ms: null,
    output_latency_ms: null,
    input_throughput_tps: null,
    output_throughput_tps: null,
    request_throughput_rps: 0,
    output_token_throughput_tps: 0,
    total_token_throughput_tps: 0,
    goodput_rps: null,
    error_rate: 0,
    completed: 0,
    failed: 0,
    duration_s: 0,
    errors_by_kind: {},
    total_input_tokens: 0,
    total_output_tokens: 0,
    token_sources: {},
  };
}

/** Run-level numbers a source lacks: listed as missing, left at 0 (the type needs a number). */
export function markMissingRunLevel(metrics: ScenarioMetrics, given: Partial<Record<string, number | undefined>>, missing: string[]): void {
  const m = metrics as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || !Number.isFinite(value)) missing.push(key);
    else m[key] = value;
  }
}

/**
 * Client health is ours to measure: another tool's file does not say. Zeros with no reasons
 * (an imported run is not flagged); ImportInfo.notes tells the reader it was not measured.
 */
export function unknownClientHealth(): ClientHealth {
  const zero = { p50: 0, p99: 0, max: 0 };
  return { scheduleSlipMs: zero, eventLoopDelayMs: zero, trustworthy: true, reasons: [] };
}

/** A URL without credentials, query or fragment (an imported file may carry either). */
export function safeUrl(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') return 'unknown';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const u = new URL(withScheme);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '')}`;
  } catch {
    return 'unknown';
  }
}

/** Copies only the named keys whose values are plain scalars (never headers, keys, tokens). */
export function pickScalars(source: unknown, keys: readonly string[]): Record<string, unknown> {
  const o = asObject(source) ?? {};
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 200)) out[k] = v;
  }
  return out;
}

export interface RunShell {
  startedAt: string;
  baseUrl: unknown;
  model: string;
  engine?: string;
  tool: string;
  scenarios: ScenarioResult[];
}

/** Wraps imported scenarios in our results form. */
export function importedRun(shell: RunShell): RunResult {
  if (shell.scenarios.length === 0) throw new InputError(`${shell.tool} file has no benchmark results to import`);
  return {
    schemaVersion: 1,
    tool: { name: 'llm-perf-gate', version: TOOL_VERSION },
    startedAt: shell.startedAt,
    target: { baseUrl: safeUrl(shell.baseUrl), model: shell.model || 'unknown', ...(shell.engine ? { engine: shell.engine } : {}) },
    environment: {},
    clientHealth: unknownClientHealth(),
    scenarios: shell.scenarios,
  };
}

/** Seconds since the epoch → ISO 8601; the fallback when absent. */
export function isoFromEpochSeconds(s: number | undefined, fallback: string): string {
  return s !== undefined && s > 0 ? new Date(s * 1000).toISOString() : fallback;
}
