// Holm's step-down procedure (Holm 1979) over the one-sided p-values of every gated
// comparison of a run: the family-wise false-alarm rate stays at α however many metrics
// and scenarios are gated, and it is uniformly more powerful than Bonferroni.

/** Holm-adjusted p-values, in the input's order: max over j ≤ rank of (m − j + 1)·p₍ⱼ₎, capped at 1. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * The one-sided level at which each comparison's lower bound is drawn so that "lower bound
 * > 0" holds exactly when Holm rejects it: α/(m − k + 1) for the k-th smallest p-value,
 * where k stops growing at the first step Holm does not reject.
 */
export function holmLevels(pValues: readonly number[], alpha: number): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const levels = new Array<number>(m);
  let stopped = false;
  let stopRank = 0;
  order.forEach(({ p, i }, rank) => {
    if (!stopped && !(p < alpha / (m - rank))) {
      stopped = true;
      stopRank = rank;
    }
    const k = stopped ? stopRank : rank;
    levels[i] = alpha / (m - k);
  });
  return levels;
}
