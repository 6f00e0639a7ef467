// Percentiles of an unsorted sample in linear time (quickselect), as numpy's default
// "linear" method: the bootstrap recomputes percentiles of tens of thousands of ITL gaps
// hundreds of times per run, where sorting each resample would dominate the gate's time.

/** The k-th smallest (0-based) of values[0..n), partially reordering the array in place. */
export function selectKth(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    // Median of three as the pivot keeps sorted and reversed input linear.
    const mid = (lo + hi) >>> 1;
    const a = values[lo];
    const b = values[mid];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/** Percentile p (0–100) of values[0..n), numpy-linear; reorders the array. NaN when n = 0. */
export function percentileInPlace(values: Float64Array, n: number, p: number): number {
  if (n === 0) return NaN;
  const rank = (p / 100) * (n - 1);
  const k = Math.floor(rank);
  const frac = rank - k;
  const lower = selectKth(values, n, k);
  if (frac === 0 || k + 1 >= n) return lower;
  // After selecting k, everything right of k is ≥ values[k]: the next order statistic is their minimum.
  let upper = Infinity;
  for (let i = k + 1; i < n; i++) if (values[i] < upper) upper = values[i];
  return lower + (upper - lower) * frac;
}

/** Percentile p (0–100) of an unsorted list, numpy-linear, without touching the input. */
export function percentileOf(values: readonly number[], p: number): number {
  const copy = Float64Array.from(values);
  return percentileInPlace(copy, copy.length, p);
}
