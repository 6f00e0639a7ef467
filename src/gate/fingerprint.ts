// Whether a stored run is comparable with the current one. A different model, GPU or
// workload (the scenario's config) makes the numbers incomparable: those differences are
// blocking. A different engine, engine version, tool version, runner or Node version is
// what an upgrade PR changes on purpose: it is compared, and the difference is shown.
import type { RunResult, ScenarioResult } from '../types.js';
import type { FingerprintDiff } from './types.js';

/** Scenario config fields that do not change what is measured. */
const NON_BLOCKING_CONFIG = new Set(['name', 'headers', 'timeouts', 'seed']);

function text(v: unknown): string {
  return v === undefined || v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);
}

function diff(field: string, baseline: unknown, current: unknown, blocking: boolean): FingerprintDiff[] {
  const b = text(baseline);
  const c = text(current);
  return b === c ? [] : [{ field, baseline: b, current: c, blocking }];
}

/** Leaf values of a JSON-like object by dotted path. */
function leaves(value: unknown, prefix: string, into: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) leaves(v, prefix ? `${prefix}.${k}` : k, into);
  } else {
    into.set(prefix, JSON.stringify(value));
  }
}

/** Differences of the run as a whole (model, GPU, engine, versions). */
export function runFingerprintDiffs(baseline: RunResult, current: RunResult): FingerprintDiff[] {
  return [
    ...diff('model', baseline.target.model, current.target.model, true),
    ...diff('gpu', baseline.environment.gpu, current.environment.gpu, true),
    ...diff('engine', baseline.target.engine, current.target.engine, false),
    ...diff('engine version', baseline.target.engineVersion, current.target.engineVersion, false),
    ...diff('tool version', baseline.tool.version, current.tool.version, false),
    ...diff('runner', baseline.environment.runner, current.environment.runner, false),
    ...diff('node', baseline.environment.node, current.environment.node, false),
  ];
}

/** Differences of one scenario's config (the workload and load), field by field. */
export function scenarioFingerprintDiffs(baseline: ScenarioResult, current: ScenarioResult): FingerprintDiff[] {
  const b = new Map<string, string>();
  const c = new Map<string, string>();
  leaves(baseline.config, '', b);
  leaves(current.config, '', c);
  const fields = [...new Set([...b.keys(), ...c.keys()])].sort();
  const out: FingerprintDiff[] = [];
  for (const field of fields) {
    const bv = b.get(field);
    const cv = c.get(field);
    if (bv === cv) continue;
    const top = field.split('.')[0];
    out.push({
      field: `scenario ${current.name}: ${field}`,
      baseline: bv ?? '(none)',
      current: cv ?? '(none)',
      blocking: !NON_BLOCKING_CONFIG.has(top),
    });
  }
  return out;
}

export function hasBlocking(diffs: readonly FingerprintDiff[]): boolean {
  return diffs.some((d) => d.blocking);
}
