// The moving-block bootstrap over the time-ordered requests of one run. Requests that overlap
// in time share batches and queues, so their latencies are correlated; resampling whole
// blocks of consecutive requests keeps that correlation inside each resample, where an
// i.i.d. bootstrap (block length 1) would understate the uncertainty (Künsch 1989).
import { Random } from '../workload/random.js';
import { percentileInPlace } from './select.js';

/** Per-request samples in time order: unit i owns values[offsets[i] .. offsets[i+1]). */
export interface ClusteredSamples {
  offsets: Int32Array;
  values: Float64Array;
}

export interface BootstrapOptions {
  /** Consecutive units per block; 1 is the naive i.i.d. bootstrap. */
  blockLength: number;
  replicates: number;
  seed: number;
}

export const DEFAULT_REPLICATES = 200;

/** Builds the clustered form from one list of values per unit. */
export function clustered(perUnit: readonly (readonly number[])[]): ClusteredSamples {
  const offsets = new Int32Array(perUnit.length + 1);
  let total = 0;
  for (let i = 0; i < perUnit.length; i++) {
    total += perUnit[i].length;
    offsets[i + 1] = total;
  }
  const values = new Float64Array(total);
  let at = 0;
  for (const unit of perUnit) for (const v of unit) values[at++] = v;
  return { offsets, values };
}

/** The block starts of one resample: ceil(n / L) uniform starts in [0, n − L]. */
function drawBlockStarts(rng: Random, units: number, blockLength: number, into: Int32Array): number {
  const blocks = Math.ceil(units / blockLength);
  const span = units - blockLength + 1;
  for (let b = 0; b < blocks; b++) into[b] = Math.floor(rng.float() * span);
  return blocks;
}

function stdOf(xs: Float64Array | number[]): number {
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return Math.sqrt(ss / Math.max(1, xs.length - 1));
}

/**
 * Standard deviation of log(percentile p) over block-bootstrap resamples, for each p in
 * `percentiles`; NaN where a resample's percentile is not positive or there are < 2 units.
 */
export function bootstrapLogPercentileSd(samples: ClusteredSamples, percentiles: readonly number[], opts: BootstrapOptions): number[] {
  const units = samples.offsets.length - 1;
  if (units < 2 || samples.values.length === 0) return percentiles.map(() => NaN);
  const blockLength = Math.max(1, Math.min(Math.floor(opts.blockLength), units));
  const rng = new Random(opts.seed);
  const starts = new Int32Array(Math.ceil(units / blockLength));
  // A resample holds about as many values as the run; size the buffer for the worst case.
  let maxBlockValues = 0;
  for (let i = 0; i + blockLength <= units; i++) {
    maxBlockValues = Math.max(maxBlockValues, samples.offsets[i + blockLength] - samples.offsets[i]);
  }
  const buffer = new Float64Array(maxBlockValues * starts.length);
  const logs = percentiles.map(() => new Float64Array(opts.replicates));
  for (let r = 0; r < opts.replicates; r++) {
    const blocks = drawBlockStarts(rng, units, blockLength, starts);
    let n = 0;
    let unitsLeft = units;
    for (let b = 0; b < blocks; b++) {
      const take = Math.min(blockLength, unitsLeft);
      unitsLeft -= take;
      const from = samples.offsets[starts[b]];
      const to = samples.offsets[starts[b] + take];
      buffer.set(samples.values.subarray(from, to), n);
      n += to - from;
    }
    for (let q = 0; q < percentiles.length; q++) {
      const value = n === 0 ? NaN : percentileInPlace(buffer, n, percentiles[q]);
      logs[q][r] = value > 0 ? Math.log(value) : NaN;
    }
  }
  return logs.map((l) => (l.some((x) => Number.isNaN(x)) ? NaN : stdOf(l)));
}

/** Standard deviation of log(Σ numerators / Σ denominators) over block-bootstrap resamples (a rate over time). */
export function bootstrapLogRatioSd(numerators: Float64Array, denominators: Float64Array, opts: BootstrapOptions): number {
  const units = numerators.length;
  if (units < 2) return NaN;
  const blockLength = Math.max(1, Math.min(Math.floor(opts.blockLength), units));
  const rng = new Random(opts.seed);
  const starts = new Int32Array(Math.ceil(units / blockLength));
  const logs = new Float64Array(opts.replicates);
  for (let r = 0; r < opts.replicates; r++) {
    const blocks = drawBlockStarts(rng, units, blockLength, starts);
    let num = 0;
    let den = 0;
    let unitsLeft = units;
    for (let b = 0; b < blocks; b++) {
      const take = Math.min(blockLength, unitsLeft);
      unitsLeft -= take;
      for (let i = starts[b]; i < starts[b] + take; i++) {
        num += numerators[i];
        den += denominators[i];
      }
    }
    if (!(num > 0 && den > 0)) return NaN;
    logs[r] = Math.log(num / den);
  }
  return stdOf(logs);
}

/** A statistic of one run evaluated on a resample given as block starts (units in time order). */
export type ResampledStatistic = (starts: Int32Array, blocks: number, blockLength: number, units: number) => number;

/** A percentile (0–100) of clustered samples, on a resample. */
export function resampledPercentile(s: ClusteredSamples, p: number, blockLength: number, maxBlocks: number): ResampledStatistic {
  const units = s.offsets.length - 1;
  let most = 0;
  for (let i = 0; i + blockLength <= units; i++) most = Math.max(most, s.offsets[i + blockLength] - s.offsets[i]);
  const buffer = new Float64Array(Math.max(1, most * maxBlocks));
  return (starts, blocks, length, unitCount) => {
    let n = 0;
    let left = unitCount;
    for (let b = 0; b < blocks; b++) {
      const take = Math.min(length, left);
      left -= take;
      const from = s.offsets[starts[b]];
      const to = s.offsets[starts[b] + take];
      buffer.set(s.values.subarray(from, to), n);
      n += to - from;
    }
    return n === 0 ? NaN : percentileInPlace(buffer, n, p);
  };
}

/** Σ numerators / Σ denominators over a resample (a rate over time). */
export function resampledRatio(num: Float64Array, den: Float64Array): ResampledStatistic {
  return (starts, blocks, length, unitCount) => {
    let a = 0;
    let b = 0;
    let left = unitCount;
    for (let bl = 0; bl < blocks; bl++) {
      const take = Math.min(length, left);
      left -= take;
      for (let i = starts[bl]; i < starts[bl] + take; i++) {
        a += num[i];
        b += den[i];
      }
    }
    return b > 0 ? a / b : NaN;
  };
}

/**
 * The paired block bootstrap of a comparison: statistics[0] is the current run's, the rest
 * its baseline runs', all over the same `units` aligned unit by unit (the same request of
 * the same seeded workload). Each resample draws one set of blocks and applies it to every
 * run, so what the runs share (the same arrivals and prompts) cancels and only how they
 * differ is left; for unrelated runs the shared draw costs nothing (their covariance is 0).
 * Returns the variance of log(stat₀) − mean(log statᵢ), NaN when a resample has no value.
 */
export function pairedBootstrapLogDiffVariance(statistics: readonly ResampledStatistic[], units: number, opts: BootstrapOptions): number {
  const k = statistics.length - 1;
  if (units < 2 || k < 1) return NaN;
  const blockLength = Math.max(1, Math.min(Math.floor(opts.blockLength), units));
  const rng = new Random(opts.seed);
  const starts = new Int32Array(Math.ceil(units / blockLength));
  const diffs = new Float64Array(opts.replicates);
  for (let r = 0; r < opts.replicates; r++) {
    const blocks = drawBlockStarts(rng, units, blockLength, starts);
    let current = NaN;
    let baselineSum = 0;
    for (let run = 0; run <= k; run++) {
      const value = statistics[run](starts, blocks, blockLength, units);
      if (!(value > 0)) return NaN;
      if (run === 0) current = Math.log(value);
      else baselineSum += Math.log(value);
    }
    diffs[r] = current - baselineSum / k;
  }
  const sd = stdOf(diffs);
  return sd * sd;
}
