// The YAML config's schema (docs/config.md documents every field; a test keeps them in step).
// Keys are snake_case like the metric keys; the results file (camelCase) is a Contract apart.
import { z } from 'zod';
import { checkScenarioLoad, loadSchema, sloSearchSchema, sweepSchema } from './load-schema.js';

const positive = z.number().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** A token-length distribution: a constant, a seeded random draw, or an explicit list. */
export const lengthSchema = z.union([
  z.number().int().positive(),
  /** Shorthand for `{dist: list, values}`: request i takes values[i mod n]. */
  z.array(z.number().int().positive()).min(1),
  z.strictObject({ dist: z.literal('constant'), value: z.number().int().positive() }),
  z.strictObject({
    dist: z.literal('uniform'),
    min: z.number().int().positive(),
    max: z.number().int().positive(),
  }),
  z.strictObject({
    dist: z.literal('normal'),
    mean: positive,
    std: z.number().nonnegative(),
    min: z.number().int().positive().optional(),
    max: z.number().int().positive().optional(),
  }),
  z.strictObject({
    dist: z.literal('lognormal'),
    mean: positive,
    std: z.number().nonnegative(),
    min: z.number().int().positive().optional(),
    max: z.number().int().positive().optional(),
  }),
  z.strictObject({ dist: z.literal('list'), values: z.array(z.number().int().positive()).min(1) }),
]);
export type LengthSpec = z.infer<typeof lengthSchema>;

// Fields every data-file source shares (docs/workloads.md).
const tokenizerPath = z.string().min(1).optional(); // a Hugging Face tokenizer.json; without it lengths are estimates
const dataFileFields = {
  path: z.string().min(1),
  tokenizer: tokenizerPath,
  /** Skip (and count) bad rows instead of stopping at the first. */
  skip_invalid: z.boolean().default(false),
  /** Overrides the data's output lengths (max_tokens). */
  output_tokens: lengthSchema.optional(),
};

const syntheticWorkloadSchema = z.strictObject({
  source: z.literal('synthetic'),
  input_tokens: lengthSchema.default(256),
  output_tokens: lengthSchema.default(128),
  /** A system prompt of this many tokens shared by every request of the scenario. */
  shared_prefix_tokens: nonNegativeInt.default(0),
  /** Shared-prefix groups: `groups` system prompts of `prefix_tokens` each, requests dealt round-robin. */
  groups: z.number().int().positive().optional(),
  prefix_tokens: nonNegativeInt.optional(),
  /** Distinct questions per group (then they repeat); without it every request asks a new one. */
  prompts_per_group: z.number().int().positive().optional(),
  tokenizer: tokenizerPath,
});

const shareGptWorkloadSchema = z.strictObject({
  source: z.literal('sharegpt'),
  ...dataFileFields,
  /** One request per assistant turn, carrying the conversation's history. */
  multi_turn: z.boolean().default(false),
  /** vLLM's defaults: both sides ≥ 4 tokens, prompt ≤ 1024, prompt + output ≤ 2048. */
  filters: z
    .strictObject({
      min_tokens: nonNegativeInt.default(4),
      max_input_tokens: z.number().int().positive().default(1024),
      max_total_tokens: z.number().int().positive().default(2048),
    })
    .default({ min_tokens: 4, max_input_tokens: 1024, max_total_tokens: 2048 }),
});

const jsonlWorkloadSchema = z.strictObject({ source: z.literal('jsonl'), ...dataFileFields });

const requestLogWorkloadSchema = z.strictObject({
  source: z.literal('request_log'),
  ...dataFileFields,
  /** Replay the log's timestamps (divided by `speedup`); off: the load section decides when. */
  use_timestamps: z.boolean().default(true),
  speedup: positive.default(1),
});

const traceWorkloadSchema = z.strictObject({
  source: z.literal('trace'),
  format: z.enum(['mooncake', 'azure', 'bailian', 'burstgpt']),
  ...dataFileFields,
  /** Arrival times are divided by this (10: ten times faster). */
  speedup: positive.default(1),
  /** The part of the trace to replay, in trace seconds from its first request. */
  window: z.strictObject({ start_s: z.number().nonnegative().default(0), duration_s: positive.optional() }).optional(),
  /** Keep each request with this probability (seeded). */
  sample: z.number().gt(0).lte(1).default(1),
  /** Tokens per hash id (Mooncake 512, Bailian 16 by default). */
  block_size: z.number().int().positive().optional(),
  /** BurstGPT: keep only this Model column value (vLLM uses GPT-4). */
  model: z.string().min(1).optional(),
});

/** Where the prompts come from; a config without `source` is synthetic. */
export const workloadSchema = z.preprocess(
  (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('source' in v) ? { ...v, source: 'synthetic' } : v),
  z.discriminatedUnion('source', [syntheticWorkloadSchema, shareGptWorkloadSchema, jsonlWorkloadSchema, requestLogWorkloadSchema, traceWorkloadSchema]),
);
export type WorkloadConfig = z.infer<typeof workloadSchema>;
export type SyntheticWorkload = z.infer<typeof syntheticWorkloadSchema>;
export type ShareGptWorkload = z.infer<typeof shareGptWorkloadSchema>;
export type JsonlWorkload = z.infer<typeof jsonlWorkloadSchema>;
export type RequestLogWorkload = z.infer<typeof requestLogWorkloadSchema>;
export type TraceWorkload = z.infer<typeof traceWorkloadSchema>;
export type TraceFormat = TraceWorkload['format'];

// The load part (arrivals, ramp-up, fluctuation, stages, sweep, SLO search) lives in load-schema.ts.
export { loadSchema, sweepSchema, sloSearchSchema, type LoadConfig, type SweepConfig, type SloSearchConfig } from './load-schema.js';

export const timeoutsSchema = z.strictObject({
  /** Whole-request deadline (some servers hold the headers until the first token). */
  request_s: positive.default(300),
  /** Longest silence between two bytes of a response. */
  idle_s: positive.default(60),
});

export const scenarioSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*$/, 'letters, digits, space, dot, dash or underscore, starting with a letter or digit'),
  /** embeddings: POST /v1/embeddings with the prompt as `input`, not streamed. */
  api: z.enum(['chat', 'completions', 'embeddings']).default('chat'),
  /** The body field the output length goes in: OpenAI's reasoning models need max_completion_tokens; Ollama reads only max_tokens. */
  max_tokens_field: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  workload: workloadSchema.default(workloadSchema.parse({})),
  load: loadSchema,
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})),
  /**
   * Forcing the output to max_tokens: auto asks the engine which fields it takes (vLLM,
   * SGLang: ignore_eos + min_tokens; llama.cpp: ignore_eos; others none), exact always sends
   * both, natural never. Optional with no default, so stored configs of older runs still match.
   */
  output_length: z.enum(['auto', 'exact', 'natural']).optional(),
  /** Extra JSON body fields (sampling parameters, ignore_eos, …); they win over output_length. */
  body: z.record(z.string(), z.unknown()).default({}),
  /** Extra HTTP headers. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Per-scenario seed; defaults to the run's seed. */
  seed: z.number().int().optional(),
  /** Run the scenario at several rates or concurrencies, each a step of its own (docs/load.md). */
  sweep: sweepSchema.optional(),
  /** Find the highest rate or concurrency that meets the SLOs (docs/load.md). */
  slo_search: sloSearchSchema.optional(),
}).superRefine(checkScenarioLoad);
export type ScenarioConfig = z.infer<typeof scenarioSchema>;

export const targetSchema = z.strictObject({
  /** The server root or its OpenAI base (…/v1); both are accepted. */
  base_url: z.string().url(),
  /** Empty: the first model of /v1/models. */
  model: z.string().min(1).optional(),
  /** Read from the environment: write `${OPENAI_API_KEY}`; never logged. */
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
});
export type TargetConfig = z.infer<typeof targetSchema>;

/** `ttft_ms.p90: "+10%"`, `error_rate: "< 0.01"`: parsed by src/gate. */
export const thresholdsSchema = z.record(z.string(), z.string());

export const configSchema = z.strictObject({
  target: targetSchema.optional(),
  seed: z.number().int().default(1),
  /** Hard limit on the whole run, seconds. */
  max_duration_s: positive.default(1800),
  /** Requests of a scenario that must succeed for its numbers to count. */
  min_successful: z.number().int().positive().default(5),
  /** SLOs for goodput, e.g. `{ttft_ms: 500, tpot_ms: 50}` (ms, per request). */
  slo: z.partialRecord(z.enum(['ttft_ms', 'tpot_ms', 'e2e_ms', 'output_latency_ms']), positive).optional(),
  scenarios: z.array(scenarioSchema).min(1),
  /** Regression thresholds and absolute limits for the gate. */
  thresholds: thresholdsSchema.optional(),
  /** The client's capacity: worker threads (one event loop each); 'auto' adds them for loads of 512+ in flight. */
  client: z.strictObject({ workers: z.union([z.number().int().nonnegative().max(64), z.literal('auto')]).default('auto') }).optional(),
  /** Everything the gate reads besides thresholds (its own issue defines it). */
  gate: z.record(z.string(), z.unknown()).optional(),
  /** Paired A/B rounds: the baseline server measured in the same job, rounds alternating with the target (docs/paired.md). */
  paired: z
    .strictObject({
      /** The baseline server: its root or its /v1 base. */
      baseline_url: z.string().url(),
      /** Rounds A B A B …; each runs every scenario once against each server. */
      rounds: z.number().int().min(2).max(100).default(6),
    })
    .optional(),
  /** Matrix shards: "i/N" runs the i-th of N slices of every scenario's load (docs/paired.md). */
  shard: z
    .string()
    .regex(/^\s*\d+\s*\/\s*\d+\s*$/, 'write i/N, e.g. 2/4')
    .optional(),
});
export type Config = z.infer<typeof configSchema>;
