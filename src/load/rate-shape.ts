// Rates that change over time: a linear ramp-up and fluctuation overlays (a sine wave, step
// spikes). They multiply the configured rate by a factor f(t) ≥ 0. Arrivals follow the
// shaped rate by time rescaling: the base process (constant, Poisson, gamma) is generated
// at the configured rate in "operational time" Λ, and each arrival is placed at the real
// time t where Λ(t) = ∫₀ᵗ f(s) ds reaches it. For Poisson this is exactly the
// non-homogeneous Poisson process with intensity rate·f(t); for constant and gamma gaps it
// keeps their regularity or burstiness at every local rate.
import type { Fluctuation } from '../config/load-schema.js';

/** The rate multiplier at `tMs` milliseconds after the start. */
export type RateFactor = (tMs: number) => number;

export interface RateShape {
  ramp_up_s?: number;
  fluctuation?: Fluctuation | Fluctuation[];
}

export function fluctuationList(f: RateShape['fluctuation']): Fluctuation[] {
  if (f === undefined) return [];
  return Array.isArray(f) ? f : [f];
}

function overlayFactor(f: Fluctuation, tMs: number): number {
  if (f.kind === 'sinusoidal') return 1 + f.amplitude * Math.sin((2 * Math.PI * (tMs / 1000 + f.phase_s)) / f.period_s);
  const s = tMs / 1000;
  return s >= f.at_s && s < f.at_s + f.duration_s ? f.factor : 1;
}

/** The shape's factor over time, or null when the rate is flat (no ramp, no fluctuation). */
export function rateFactor(shape: RateShape): RateFactor | null {
  const overlays = fluctuationList(shape.fluctuation);
  const rampMs = shape.ramp_up_s !== undefined ? shape.ramp_up_s * 1000 : 0;
  if (overlays.length === 0 && rampMs === 0) return null;
  return (tMs) => {
    let f = rampMs > 0 ? Math.min(1, Math.max(0, tMs) / rampMs) : 1;
    for (const o of overlays) f *= overlayFactor(o, tMs);
    return f;
  };
}

/** Integration step (ms): fine enough for the shortest sine period, and never over 1 ms. */
export function integrationStepMs(shape: RateShape): number {
  const periods = fluctuationList(shape.fluctuation).flatMap((f) => (f.kind === 'sinusoidal' ? [f.period_s * 1000] : []));
  return Math.min(1, ...periods.map((p) => p / 200));
}

/**
 * Maps base offsets (ms of operational time, non-decreasing) to real offsets under `factor`.
 * Λ is integrated with the midpoint rule on a fixed grid from 0 (exact for the ramp, which
 * is linear, and for spikes whose edges fall on the grid) and inverted by linear
 * interpolation inside a step; the cursor only moves forward, so each arrival costs the
 * steps between it and the previous one.
 */
export function* shapeOffsets(base: Iterator<number>, factor: RateFactor, stepMs = 1): Generator<number, never> {
  let step = 0;
  let lambda = 0;
  while (true) {
    const target = base.next().value as number;
    while (true) {
      const t = step * stepMs;
      const next = lambda + stepMs * factor(t + stepMs / 2);
      if (next >= target) {
        const within = next > lambda ? ((target - lambda) / (next - lambda)) * stepMs : 0;
        yield t + within;
        break;
      }
      step++;
      lambda = next;
    }
  }
}

/** ∫ factor over [fromMs, toMs) in ms (midpoint rule on `stepMs`): the expected arrivals there are rate × this / 1000. */
export function integrateFactor(factor: RateFactor, fromMs: number, toMs: number, stepMs = 1): number {
  let sum = 0;
  for (let t = fromMs; t < toMs; t += stepMs) {
    const h = Math.min(stepMs, toMs - t);
    sum += h * factor(t + h / 2);
  }
  return sum;
}
