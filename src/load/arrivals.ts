// When each request of an open loop is sent: offsets in ms from the scenario's start.
// The first request goes at 0 and the gaps follow (as vLLM's `bench serve` does). Each
// comes as an endless generator (for duration-bound runs that do not know their count) and
// as an array of n offsets.
import type { ScenarioConfig } from '../config/schema.js';
import { Random, deriveSeed } from '../workload/random.js';
import { integrationStepMs, rateFactor, shapeOffsets, type RateShape } from './rate-shape.js';

function checkRate(rate: number): void {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`arrival rate must be a positive finite number, got ${rate}`);
}

function take(offsets: Iterator<number>, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = offsets.next().value as number;
  return out;
}

/** Evenly spaced: request i at i · 1000/rate ms. Computed from i, so no rounding drift. */
export function* constantOffsets(rate: number): Generator<number, never> {
  checkRate(rate);
  for (let i = 0; ; i++) yield (i * 1000) / rate;
}

/**
 * Gamma-distributed gaps with mean 1000/rate ms and shape `burstiness` (vLLM's
 * `--burstiness`): 1 is a Poisson process, below 1 burstier, above 1 more regular.
 */
export function* gammaOffsets(rate: number, burstiness: number, rng: Random): Generator<number, never> {
  checkRate(rate);
  if (!(burstiness > 0)) throw new RangeError(`burstiness must be positive, got ${burstiness}`);
  let t = 0;
  while (true) {
    yield t;
    t += burstiness === 1 ? rng.exponential(rate / 1000) : rng.gamma(burstiness, 1000 / (rate * burstiness));
  }
}

/** A Poisson process: exponential gaps with mean 1000/rate ms. */
export function poissonOffsets(rate: number, rng: Random): Generator<number, never> {
  return gammaOffsets(rate, 1, rng);
}

export function constantArrivals(rate: number, n: number): number[] {
  return take(constantOffsets(rate), n);
}

export function poissonArrivals(rate: number, n: number, rng: Random): number[] {
  return take(poissonOffsets(rate, rng), n);
}

export function gammaArrivals(rate: number, n: number, burstiness: number, rng: Random): number[] {
  return take(gammaOffsets(rate, burstiness, rng), n);
}

/** The arrival settings of an open loop (a subset of the load config). */
export interface ArrivalSpec extends RateShape {
  type: 'constant' | 'poisson' | 'gamma';
  rate: number;
  burstiness?: number;
}

/**
 * The open loop's offsets: the base process at `rate` (gamma with shape `burstiness`,
 * default 1 = Poisson), shaped by ramp-up and fluctuation when the load has them.
 */
export function arrivalOffsets(spec: ArrivalSpec, rng: Random): Generator<number, never> {
  const base =
    spec.type === 'constant' ? constantOffsets(spec.rate) : spec.type === 'gamma' ? gammaOffsets(spec.rate, spec.burstiness ?? 1, rng) : poissonOffsets(spec.rate, rng);
  const factor = rateFactor(spec);
  return factor === null ? base : shapeOffsets(base, factor, integrationStepMs(spec));
}

/**
 * A scenario's open-loop arrivals: its own seeded stream (the run seed and the scenario's
 * name), so the runner and the shard planner (src/load/shard.ts) draw the same times.
 * Null when the load has no rate (a trace replay, whose requests carry their own times).
 */
export function scenarioArrivals(scenario: ScenarioConfig, seed: number): Generator<number, never> | null {
  const load = scenario.load;
  if (load.rate === undefined) return null;
  const rng = new Random(deriveSeed(seed, `${scenario.name}\u0000arrivals`));
  const type = load.type === 'concurrency' ? 'constant' : load.type;
  return arrivalOffsets({ type, rate: load.rate, burstiness: load.burstiness, ramp_up_s: load.ramp_up_s, fluctuation: load.fluctuation }, rng);
}
