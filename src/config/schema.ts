// The YAML config's schema (docs/config.md documents every field; a test keeps them in step).
// Keys are snake_case like the metric keys; the results file (camelCase) is a Contract apart.
import { z } from 'zod';

const positive = z.number().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** A token-length distribution: a constant or a seeded random draw. */
export const lengthSchema = z.union([
  z.number().int().positive(),
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
]);
export type LengthSpec = z.infer<typeof lengthSchema>;

export const workloadSchema = z.strictObject({
  /** Where the prompts come from; later issues add datasets and traces. */
  source: z.literal('synthetic').default('synthetic'),
  input_tokens: lengthSchema.default(256),
  output_tokens: lengthSchema.default(128),
  /** A system prompt of this many tokens shared by every request of the scenario. */
  shared_prefix_tokens: nonNegativeInt.default(0),
});
export type WorkloadConfig = z.infer<typeof workloadSchema>;

export const loadSchema = z
  .strictObject({
    /**
     * poisson / constant: open loop at `rate` requests per second (capped by `concurrency`
     * requests in flight when given); concurrency: closed loop of `concurrency` workers.
     */
    type: z.enum(['poisson', 'constant', 'concurrency']),
    rate: positive.optional(),
    concurrency: z.number().int().positive().optional(),
    /** Measured requests to send (after warmup). */
    requests: z.number().int().positive().optional(),
    /** Stop sending new measured requests after this many seconds. */
    duration_s: positive.optional(),
    /** Warmup requests, sent first and left out of the metrics. */
    warmup: nonNegativeInt.default(2),
  })
  .superRefine((load, ctx) => {
    if ((load.type === 'poisson' || load.type === 'constant') && load.rate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rate'], message: `load type '${load.type}' needs a rate (requests per second)` });
    }
    if (load.type === 'concurrency' && load.concurrency === undefined) {
      ctx.addIssue({ code: 'custom', path: ['concurrency'], message: "load type 'concurrency' needs a concurrency (requests in flight)" });
    }
    if (load.requests === undefined && load.duration_s === undefined) {
      ctx.addIssue({ code: 'custom', path: ['requests'], message: 'give requests or duration_s (or both) so the scenario stops' });
    }
  });
export type LoadConfig = z.infer<typeof loadSchema>;

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
  api: z.enum(['chat', 'completions']).default('chat'),
  workload: workloadSchema.default(workloadSchema.parse({})),
  load: loadSchema,
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})),
  /** Extra JSON body fields (sampling parameters, ignore_eos, …). */
  body: z.record(z.string(), z.unknown()).default({}),
  /** Extra HTTP headers. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Per-scenario seed; defaults to the run's seed. */
  seed: z.number().int().optional(),
});
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
  /** Everything the gate reads besides thresholds (its own issue defines it). */
  gate: z.record(z.string(), z.unknown()).optional(),
});
export type Config = z.infer<typeof configSchema>;
