// Runs every scenario of a validated config against one server and returns the results
// file. It only wires the stages: workload → load → client → metrics.
import { systemClock } from './clock.js';
import { LlmClient, listModels, normalizeBaseUrl } from './client/client.js';
import type { Config, ScenarioConfig } from './config/schema.js';
import { RunFailedError, InputError } from './errors.js';
import { runScenario } from './load/runner.js';
import { mergeClientHealth } from './load/client-health.js';
import { computeScenarioMetrics } from './metrics/compute.js';
import { buildSyntheticRequests, syntheticRequestSource } from './workload/synthetic.js';
import type { Clock, RunResult, ScenarioResult } from './types.js';
import { TOOL_VERSION } from './version.js';

export interface RunOptions {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  clock?: Clock;
  log?: (line: string) => void;
  signal?: AbortSignal;
  environment?: RunResult['environment'];
}

/** The first successful requests a scenario needs before its numbers mean anything. */
export function scenarioFailures(result: RunResult, minSuccessful: number): string[] {
  return result.scenarios
    .filter((s) => s.metrics.completed < minSuccessful)
    .map((s) => {
      const top = Object.entries(s.metrics.errors_by_kind).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))[0];
      const firstError = s.requests.find((r) => r.error)?.error?.message;
      const why = top ? ` (${top[1]} × ${top[0]}${firstError ? `: ${firstError}` : ''})` : '';
      return `scenario '${s.name}': ${s.metrics.completed} successful requests, fewer than the ${minSuccessful} needed${why}`;
    });
}

/** The environment this run was measured in, from the CI variables that tell it. */
export function detectEnvironment(env: NodeJS.ProcessEnv = process.env): RunResult['environment'] {
  const out: RunResult['environment'] = { node: process.version };
  if (env.GITHUB_SHA) out.commit = env.GITHUB_SHA;
  if (env.GITHUB_REF) out.ref = env.GITHUB_REF;
  if (env.RUNNER_NAME || env.RUNNER_OS) out.runner = [env.RUNNER_OS, env.RUNNER_ARCH, env.RUNNER_NAME].filter(Boolean).join('/');
  return out;
}

/**
 * Which model to use: the option, the config's, else the first the server lists. Listing
 * also proves the server answers; its errors already say what to check (exit 2 for a
 * rejected key, 3 for a server that is down), so they pass through unchanged.
 */
async function resolveModel(root: string, wanted: string | undefined, apiKey: string | undefined, headers: Record<string, string>): Promise<string> {
  if (wanted) return wanted;
  const models = await listModels(root, { apiKey, headers, timeoutMs: 10_000 });
  if (models.length === 0) throw new RunFailedError(`${root}/v1/models lists no model; set target.model or --model`);
  return models[0];
}

export async function runConfig(config: Config, opts: RunOptions = {}): Promise<RunResult> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => {});
  const baseUrl = opts.baseUrl ?? config.target?.base_url;
  if (!baseUrl) throw new InputError('config: target.base_url: no server given; set it or pass --base-url');
  const { root } = normalizeBaseUrl(baseUrl);
  const apiKey = opts.apiKey || config.target?.api_key || undefined;
  const targetHeaders = config.target?.headers ?? {};
  const model = await resolveModel(root, opts.model ?? config.target?.model, apiKey, targetHeaders);
  const startedAt = new Date(clock.now()).toISOString();
  const runDeadline = clock.now() + config.max_duration_s * 1000;

  const maxInFlight = Math.max(...config.scenarios.map((s) => s.load.concurrency ?? Math.ceil((s.load.rate ?? 1) * 30)));
  const client = new LlmClient({ baseUrl: root, apiKey, headers: targetHeaders, connections: Math.min(8192, Math.max(1, maxInFlight)), clock });
  const scenarios: ScenarioResult[] = [];
  try {
    for (const [index, scenario] of config.scenarios.entries()) {
      if (opts.signal?.aborted) break;
      const seed = scenario.seed ?? config.seed + index;
      // Built lazily: a run bounded only by duration takes as many as it sends.
      const source = syntheticRequestSource(scenario, { seed, idPrefix: `${scenario.name}-${seed}` });
      const limit = scenario.load.requests;
      const measured = (i: number) => (limit === undefined || i < limit ? source(i) : undefined);
      const warmup = buildSyntheticRequests(scenario, { seed: seed + 1_000_003, count: scenario.load.warmup, idPrefix: `${scenario.name}-warmup` });
      log(`scenario '${scenario.name}': ${describeLoad(scenario)}, model ${model}`);
      const run = await runScenario({
        scenario,
        warmup,
        measured,
        clock,
        seed,
        deadlineAt: runDeadline,
        signal: opts.signal,
        send: (spec, scheduledAt, signal) =>
          client.send(spec, {
            model,
            scheduledAt,
            signal,
            deadlineMs: scenario.timeouts.request_s * 1000,
            idleTimeoutMs: scenario.timeouts.idle_s * 1000,
            body: scenario.body,
            headers: scenario.headers,
          }),
        onProgress: (p) =>
          log(`  ${scenario.name}: ${p.done} done, ${p.errors} errors, ${p.inFlight} in flight, ${p.currentRate.toFixed(1)} req/s after ${p.elapsedS.toFixed(0)} s`),
      });
      const metrics = computeScenarioMetrics(run.records, run.window, { slo: config.slo });
      scenarios.push({ name: scenario.name, config: scenarioForResults(scenario), window: run.window, metrics, requests: run.records, clientHealth: run.clientHealth });
    }
  } finally {
    await client.close();
  }
  return {
    schemaVersion: 1,
    tool: { name: 'llm-perf-gate', version: TOOL_VERSION },
    startedAt,
    target: { baseUrl: root, model },
    environment: { ...detectEnvironment(), ...opts.environment },
    clientHealth: mergeClientHealth(scenarios.flatMap((s) => (s.clientHealth ? [{ scenario: s.name, health: s.clientHealth }] : []))),
    scenarios,
  };
}

function describeLoad(s: ScenarioConfig): string {
  const l = s.load;
  const stop = [l.requests !== undefined ? `${l.requests} requests` : '', l.duration_s !== undefined ? `${l.duration_s} s` : ''].filter(Boolean).join(' or ');
  if (l.type === 'concurrency') return `closed loop at concurrency ${l.concurrency}, ${stop}`;
  return `${l.type} at ${l.rate} req/s${l.concurrency ? ` (max ${l.concurrency} in flight)` : ''}, ${stop}`;
}

/** The scenario as stored in results: header values are redacted (they may carry credentials). */
export function scenarioForResults(s: ScenarioConfig): Record<string, unknown> {
  const headers = Object.fromEntries(Object.keys(s.headers).map((k) => [k, '<redacted>']));
  return { ...s, headers };
}
