// The load part of the YAML config: arrival processes, ramp-up, fluctuation, stages, and
// the scenario-level sweep and SLO search (docs/load.md explains each; docs/config.md lists
// the fields). Kept apart from schema.ts so the load stage's schema can grow on its own.
import { z } from 'zod';
import { parseConstraint } from '../metrics/constraints.js';

const positive = z.number().positive();
const nonNegativeInt = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

/** A multiplier on the rate over time: a sine wave, or a step spike (or dip, factor < 1). */
export const fluctuationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sinusoidal'),
    /** rate × (1 + amplitude · sin(2π (t + phase_s) / period_s)); below 1 so the rate stays positive. */
    amplitude: z.number().min(0).lt(1),
    period_s: positive,
    phase_s: z.number().default(0),
  }),
  z.strictObject({
    kind: z.literal('spike'),
    /** From at_s to at_s + duration_s after the start, the rate is multiplied by factor. */
    at_s: z.number().nonnegative(),
    duration_s: positive,
    factor: positive,
  }),
]);
export type Fluctuation = z.infer<typeof fluctuationSchema>;

export const LOAD_TYPES = ['poisson', 'constant', 'gamma', 'concurrency'] as const;
export type LoadType = (typeof LOAD_TYPES)[number];
export const OPEN_LOOP_TYPES: readonly LoadType[] = ['poisson', 'constant', 'gamma'];

/** The fields a stage may override (everything but warmup and stages). */
const loadFields = {
  /**
   * poisson / constant / gamma: open loop at `rate` requests per second (capped by
   * `concurrency` requests in flight when given); concurrency: closed loop of `concurrency` users.
   */
  type: z.enum(LOAD_TYPES),
  rate: positive.optional(),
  concurrency: positiveInt.optional(),
  /** Gamma shape k of the inter-arrival gaps (vLLM's --burstiness): 1 is Poisson, < 1 burstier. */
  burstiness: positive.optional(),
  /** Closed loop: a user waits this long after a response before sending the next request. */
  think_time_ms: z.number().nonnegative().optional(),
  /** Open loop: the rate rises linearly from 0 over this many seconds; closed loop: users start spread over it. */
  ramp_up_s: positive.optional(),
  /** Open loop: one overlay or a list (their factors multiply). */
  fluctuation: z.union([fluctuationSchema, z.array(fluctuationSchema).min(1)]).optional(),
  /** Measured requests to send (after warmup). */
  requests: positiveInt.optional(),
  /** Stop sending new measured requests after this many seconds. */
  duration_s: positive.optional(),
};

export const stageSchema = z.strictObject({ ...loadFields, type: loadFields.type.optional() });
export type StageConfig = z.infer<typeof stageSchema>;

type LoadCore = z.output<z.ZodObject<typeof loadFields>>;

/** Problems with one load (or a stage merged over it) that need no knowledge of the scenario. */
function loadProblems(load: LoadCore): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (load.requests === undefined && load.duration_s === undefined) {
    out.push({ path: 'requests', message: 'give requests or duration_s (or both) so the scenario stops' });
  }
  if (load.burstiness !== undefined && load.type !== 'gamma') {
    out.push({ path: 'burstiness', message: `burstiness applies to type gamma (k = 1 is Poisson), not '${load.type}'` });
  }
  if (load.think_time_ms !== undefined && load.type !== 'concurrency') {
    out.push({ path: 'think_time_ms', message: `think_time_ms applies to the closed loop (type concurrency), not '${load.type}'` });
  }
  if (load.fluctuation !== undefined && load.type === 'concurrency') {
    out.push({ path: 'fluctuation', message: 'fluctuation shapes a request rate; use it with type poisson, constant or gamma' });
  }
  return out;
}

/** A stage over its load: the stage's fields win. */
export function mergeStage<L extends LoadCore>(load: L, stage: StageConfig): L {
  const defined = Object.fromEntries(Object.entries(stage).filter(([, v]) => v !== undefined));
  return { ...load, ...defined };
}

export const loadSchema = z
  .strictObject({
    ...loadFields,
    /** Warmup requests, sent first and left out of the metrics. */
    warmup: nonNegativeInt.default(2),
    /** Run these one after another, each a step of its own (its fields override the ones above). */
    stages: z.array(stageSchema).min(1).optional(),
  })
  .superRefine((load, ctx) => {
    if (load.stages === undefined) {
      for (const p of loadProblems(load)) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
      return;
    }
    for (const [i, stage] of load.stages.entries()) {
      for (const p of loadProblems(mergeStage(load, stage))) ctx.addIssue({ code: 'custom', path: ['stages', i, p.path], message: p.message });
    }
  });
export type LoadConfig = z.infer<typeof loadSchema>;

const rangeSchema = z.strictObject({ from: positive, to: positive, steps: z.number().int().min(2).max(100) });

export const sweepSchema = z
  .strictObject({
    /** What the steps vary: the request rate (open loop) or the concurrency. */
    of: z.enum(['rate', 'concurrency']).default('rate'),
    values: z.array(positive).min(1).max(100).optional(),
    linear: rangeSchema.optional(),
    geometric: rangeSchema.optional(),
    /** Measure the synchronous (1 user) and saturation (closed loop) rates, then spread `steps` rates between. */
    auto: z
      .union([
        z.literal(true),
        z.strictObject({ steps: z.number().int().min(1).max(50).default(5), saturation_concurrency: positiveInt.default(64) }),
      ])
      .optional(),
  })
  .superRefine((sweep, ctx) => {
    const given = (['values', 'linear', 'geometric', 'auto'] as const).filter((k) => sweep[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', path: given.length === 0 ? [] : [given[1]], message: 'give exactly one of values, linear, geometric or auto' });
    }
    if (sweep.auto !== undefined && sweep.of !== 'rate') {
      ctx.addIssue({ code: 'custom', path: ['auto'], message: 'auto spreads request rates; use of: rate (or list the concurrencies)' });
    }
    if (sweep.of === 'concurrency' && sweep.values?.some((v) => !Number.isInteger(v))) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'concurrencies must be whole numbers' });
    }
  });
export type SweepConfig = z.infer<typeof sweepSchema>;

export const SLO_LIMIT_KEYS = ['ttft_ms', 'tpot_ms', 'e2e_ms', 'output_latency_ms'] as const;

export const sloSearchSchema = z
  .strictObject({
    /** Search the request rate (open loop) or the concurrency. */
    of: z.enum(['rate', 'concurrency']).default('rate'),
    /** Limits on each step's metrics, e.g. "ttft_ms.p90 < 500", "error_rate <= 0.01". */
    constraints: z.array(z.string()).default([]),
    /** Fraction of a step's requests that must meet every per-request SLO (`slo` here, else the top-level `slo`). */
    attainment: z.number().gt(0).lte(1).optional(),
    slo: z.partialRecord(z.enum(SLO_LIMIT_KEYS), positive).optional(),
    /** First value tried (default: the load's rate or concurrency, else 1). */
    start: positive.optional(),
    /** Search bounds. */
    min: positive.default(0.1),
    max: positive.default(10_000),
    /** Stop bisecting when (failing − passing) ≤ tolerance × passing (concurrency: also when they are adjacent). */
    tolerance: z.number().gt(0).lte(1).default(0.05),
    /** Start no new step after this many seconds of searching. */
    max_duration_s: positive.default(600),
  })
  .superRefine((search, ctx) => {
    for (const [i, text] of search.constraints.entries()) {
      const parsed = parseConstraint(text);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: ['constraints', i], message: parsed });
    }
    if (search.constraints.length === 0 && search.attainment === undefined) {
      ctx.addIssue({ code: 'custom', path: ['constraints'], message: 'give constraints (e.g. "ttft_ms.p90 < 500") or an attainment with SLOs' });
    }
    if (search.min > search.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min ${search.min} is above max ${search.max}` });
  });
export type SloSearchConfig = z.infer<typeof sloSearchSchema>;

interface ScenarioLoadView {
  load: LoadConfig;
  /** A trace workload carries its own arrival times: an open loop then needs no rate. */
  workload?: { source?: string };
  sweep?: SweepConfig;
  slo_search?: SloSearchConfig;
}

/**
 * Scenario-level checks: a rate or concurrency for every step (a sweep or search supplies
 * its own), and at most one of stages, sweep and slo_search.
 */
export function checkScenarioLoad(s: ScenarioLoadView, ctx: z.RefinementCtx): void {
  const multi = [s.load.stages ? 'load.stages' : '', s.sweep ? 'sweep' : '', s.slo_search ? 'slo_search' : ''].filter(Boolean);
  if (multi.length > 1) {
    ctx.addIssue({ code: 'custom', path: [multi[1].split('.')[0]], message: `use one of ${multi.join(', ')} per scenario (make two scenarios)` });
    return;
  }
  const varied = s.sweep?.of ?? s.slo_search?.of;
  const loads = s.load.stages ? s.load.stages.map((st, i) => ({ load: mergeStage(s.load, st), path: ['load', 'stages', i] })) : [{ load: s.load, path: ['load'] }];
  for (const { load, path } of loads) {
    const open = OPEN_LOOP_TYPES.includes(load.type);
    if (!open && varied === 'rate') {
      const field = s.sweep ? 'sweep' : 'slo_search';
      ctx.addIssue({ code: 'custom', path: [field, 'of'], message: `${field} of rate needs an open-loop load type (poisson, constant or gamma), not 'concurrency'` });
      continue;
    }
    const replaysTrace = s.workload?.source === 'trace';
    if (open && load.rate === undefined && varied !== 'rate' && !replaysTrace) {
      ctx.addIssue({ code: 'custom', path: [...path, 'rate'], message: `load type '${load.type}' needs a rate (requests per second)` });
    }
    if (!open && load.concurrency === undefined && varied !== 'concurrency') {
      ctx.addIssue({ code: 'custom', path: [...path, 'concurrency'], message: "load type 'concurrency' needs a concurrency (requests in flight)" });
    }
  }
}
