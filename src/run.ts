// Runs every scenario of a validated config against one server and returns the results
// file. It only wires the stages: workload → load → client → metrics.
import { systemClock } from './clock.js';
import { listModels, normalizeBaseUrl } from './client/client.js';
import { bodyDecidesLength, fingerprintEngine, planOutputLength, type EngineFingerprint } from './client/fingerprint.js';
import { createRequestSender, resolveWorkerCount } from './client/worker-pool.js';
import type { Config, ScenarioConfig } from './config/schema.js';
import { RunFailedError, InputError } from './errors.js';
import { runScenario } from './load/runner.js';
import { ServerDownWatch } from './server-down.js';
import { parseShard, shardScenario } from './load/shard.js';
import { mergeClientHealth } from './load/client-health.js';
import { plannedConnections, plannedMaxInFlight, runScenarioSteps } from './load/scenario-steps.js';
import { computeScenarioMetrics } from './metrics/compute.js';
import { openRequestSource } from './workload/index.js';
import { checkServerTokenizer } from './workload/tokenize-check.js';
import { USAGE_DISAGREEMENT_LIMIT, usageDisagreement } from './workload/token-counter.js';
import type { Clock, RequestRecord, RunResult, ScenarioResult } from './types.js';
import { TOOL_VERSION } from './version.js';

export interface RunOptions {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  clock?: Clock;
  log?: (line: string) => void;
  signal?: AbortSignal;
  environment?: RunResult['environment'];
  /** Refused connections for this long end the run as failed (src/server-down.ts). */
  downForGoodMs?: number;
  /** The engine, when the caller already fingerprinted it; otherwise the run asks when a scenario needs it. */
  engine?: EngineFingerprint;
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
async function resolveModel(baseUrl: string, wanted: string | undefined, apiKey: string | undefined, headers: Record<string, string>): Promise<string> {
  if (wanted) return wanted;
  const models = await listModels(baseUrl, { apiKey, headers, timeoutMs: 10_000 });
  if (models.length === 0) throw new RunFailedError(`${normalizeBaseUrl(baseUrl).openaiBase}/models lists no model; set target.model or --model`);
  return models[0];
}

/** Outputs per scenario also counted with the tokenizer when the server reports usage. */
const USAGE_CROSS_CHECKS = 100;

/**
 * Where the server's usage and the workload's tokenizer disagree by more than 2 % (issue 5):
 * a different tokenizer than the served model's, or a server that miscounts.
 */
export function usageDisagreementNote(records: readonly RequestRecord[]): string | null {
  const checked = records.filter((r) => r.tokenizerOutputTokens !== undefined && r.tokenSource === 'usage' && r.outputTokens !== null);
  const off = checked.filter((r) => usageDisagreement(r.outputTokens as number, r.tokenizerOutputTokens as number) > USAGE_DISAGREEMENT_LIMIT);
  if (off.length === 0) return null;
  const worst = Math.max(...off.map((r) => usageDisagreement(r.outputTokens as number, r.tokenizerOutputTokens as number)));
  return `server usage and the tokenizer disagree by more than ${USAGE_DISAGREEMENT_LIMIT * 100} % on ${off.length} of ${checked.length} outputs checked (up to ${(worst * 100).toFixed(1)} %): is the tokenizer the served model's?`;
}

/** The engine probes' timeout: short, the probes are a hint (a silent endpoint means "unknown", never a failed run). */
const ENGINE_PROBE_MS = 2_000;

/** Whether a scenario's `output_length: auto` needs to know the engine. */
function needsEngine(s: ScenarioConfig): boolean {
  return (s.output_length ?? 'auto') === 'auto' && s.api !== 'embeddings' && !bodyDecidesLength(s.body);
}

/** A typical stream's duration, for judging whether a load needs worker threads. */
const TYPICAL_STREAM_S = 5;

export async function runConfig(config: Config, opts: RunOptions = {}): Promise<RunResult> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => {});
  const baseUrl = opts.baseUrl ?? config.target?.base_url;
  if (!baseUrl) throw new InputError('config: target.base_url: no server given; set it or pass --base-url');
  const { root } = normalizeBaseUrl(baseUrl);
  const apiKey = opts.apiKey || config.target?.api_key || undefined;
  const targetHeaders = config.target?.headers ?? {};
  // The client gets the URL as given: its query string (`?api-version=…`) goes on the API
  // requests; `root`, which has none, is what is shown and stored.
  const model = await resolveModel(baseUrl, opts.model ?? config.target?.model, apiKey, targetHeaders);
  // Once per run, and only when some scenario's output_length depends on it (never fails).
  const engine = opts.engine ?? (config.scenarios.some(needsEngine) ? await fingerprintEngine(baseUrl, { apiKey, timeoutMs: ENGINE_PROBE_MS }) : {});
  const startedAt = new Date(clock.now()).toISOString();
  const runDeadline = clock.now() + config.max_duration_s * 1000;

  // The pool must hold the worst backlog (a server stalled for 30 s at the offered rate, or
  // a replay's own arrival times: plannedConnections);
  // worker threads pay off only for loads that really keep hundreds of streams open, so
  // 'auto' judges by a typical stream's length (5 s) instead.
  const maxInFlight = Math.max(...config.scenarios.map((s) => plannedConnections(s)));
  const typicalInFlight = Math.max(...config.scenarios.map((s) => plannedMaxInFlight(s, TYPICAL_STREAM_S)));
  const workers = resolveWorkerCount(config.client?.workers, typicalInFlight);
  if (workers > 0) log(`client: ${workers} worker threads`);
  // Worker threads stamp times with the system clock in this thread's time base; an injected clock needs the client here.
  const client = await createRequestSender({ baseUrl, apiKey, headers: targetHeaders, connections: Math.min(8192, Math.max(1, maxInFlight)), clock, workers: opts.clock ? 0 : workers });
  const scenarios: ScenarioResult[] = [];
  const down = new ServerDownWatch(clock, root, { downForMs: opts.downForGoodMs, signal: opts.signal });
  try {
    for (const [index, configScenario] of config.scenarios.entries()) {
      if (opts.signal?.aborted) break;
      // One step per scenario, or several for stages, a sweep or an SLO search (src/load/scenario-steps.ts).
      const runStep = async (scenario: ScenarioConfig): Promise<ScenarioResult> => {
        const seed = scenario.seed ?? config.seed + index;
        // Built lazily: a run bounded only by duration takes as many as it sends.
        let crossChecks = 0;
        const source = await openRequestSource(scenario, { seed, idPrefix: `${scenario.name}-${seed}` });
        const measured = source.measured;
        // Not in the stored config: it depends on the server, and baselines made before must still match.
        const outputLength = planOutputLength(scenario.output_length ?? 'auto', scenario, engine);
        if (outputLength.note) source.notes.push(outputLength.note);
        const warmup = source.warmup(scenario.load.warmup);
        if (source.tokenizer) {
          const sample = [0, 1, 2].map(measured).filter((s) => s !== undefined);
          const auth: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
          source.notes.push((await checkServerTokenizer(root, sample, source.counter, { model, headers: { ...targetHeaders, ...auth } })).note);
        }
        for (const note of source.notes) log(`  workload: ${note}`);
        // Matrix shards (docs/paired.md): this runner's slice of the scenario's load.
        const shard = config.shard ? parseShard(config.shard, 'config: shard') : undefined;
        const sliced = shard ? shardScenario(scenario, seed, measured, shard) : { scenario, measured };
        log(`scenario '${scenario.name}': ${describeLoad(sliced.scenario)}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}, model ${model}`);
        const run = await runScenario({
          scenario: sliced.scenario,
          warmup,
          measured: sliced.measured,
          clock,
          seed,
          deadlineAt: runDeadline,
          signal: down.signal,
          send: async (spec, scheduledAt, signal) =>
            down.observe(await client.send(spec, {
              model,
              scheduledAt,
              signal,
              deadlineMs: scenario.timeouts.request_s * 1000,
              idleTimeoutMs: scenario.timeouts.idle_s * 1000,
              body: scenario.body,
              headers: scenario.headers,
              maxTokensField: scenario.max_tokens_field,
              forceLength: outputLength.force,
              countOutputTokens: source.tokenizer ? (text) => source.counter.count(text) : undefined,
              crossCheckTokens: source.tokenizer !== undefined && crossChecks++ < USAGE_CROSS_CHECKS,
            })),
          onProgress: (p) =>
            log(`  ${scenario.name}: ${p.done} done, ${p.errors} errors, ${p.inFlight} in flight, ${p.currentRate.toFixed(1)} req/s after ${p.elapsedS.toFixed(0)} s`),
        });
        down.throwIfDown();
        const metrics = computeScenarioMetrics(run.records, run.window, { slo: config.slo });
        const disagreement = usageDisagreementNote(run.records);
        if (disagreement) {
          source.notes.push(disagreement);
          log(`  warning: ${disagreement}`);
        }
        const resultsConfig = shard ? { ...scenarioForResults(scenario), shard } : scenarioForResults(scenario);
        return { name: scenario.name, config: resultsConfig, window: run.window, metrics, requests: run.records, clientHealth: run.clientHealth, workloadNotes: source.notes };
      };
      scenarios.push(...(await runScenarioSteps(configScenario, runStep, { clock, slo: config.slo, signal: opts.signal })));
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

/** One line for the log: the load and when it stops. */
export function describeLoad(s: ScenarioConfig): string {
  const l = s.load;
  const stop = [l.requests !== undefined ? `${l.requests} requests` : '', l.duration_s !== undefined ? `${l.duration_s} s` : ''].filter(Boolean).join(' or ');
  const until = stop ? `, ${stop}` : '';
  if (l.type === 'concurrency') return `closed loop at concurrency ${l.concurrency}${until}`;
  const cap = l.concurrency ? ` (max ${l.concurrency} in flight)` : '';
  // A trace or request-log replay has no rate: its requests carry their own arrival times.
  if (l.rate === undefined) return `open loop on the workload's own arrival times${cap}${until}`;
  return `${l.type} at ${l.rate} req/s${cap}${until}`;
}

/**
 * The scenario as stored in results: header values are redacted (they may carry credentials);
 * `output_length: auto`, the default, is left out so results match those made before it existed.
 */
export function scenarioForResults(s: ScenarioConfig): Record<string, unknown> {
  const headers = Object.fromEntries(Object.keys(s.headers).map((k) => [k, '<redacted>']));
  const { output_length: outputLength, ...rest } = s;
  return { ...rest, ...(outputLength !== undefined && outputLength !== 'auto' ? { output_length: outputLength } : {}), headers };
}
