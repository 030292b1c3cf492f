/** Arithmetic on a chart's series: smoothing, a band around a line, the point nearest an x. */

/** TensorBoard's and W&B's smoothing: an EMA debiased at the start, gaps kept as gaps. */
export function smooth(y: Float64Array, weight: number): Float64Array {
  if (weight <= 0) {
    return y;
  }
  const out = new Float64Array(y.length);
  let last = 0;
  let decay = 1; // weight ** (points so far): the debiasing divisor is 1 - decay
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      out[i] = NaN;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    decay *= weight;
    out[i] = last / (1 - decay);
  }
  return out;
}

export function mapped(y: Float64Array, spread: Float64Array, sign: number): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    out[i] = y[i] + sign * (Number.isFinite(spread[i]) ? spread[i] : 0);
  }
  return out;
}

/** The index of the x closest to target (xs in any order; a binary search when sorted). */
export function nearest(xs: Float64Array, target: number): number {
  const n = xs.length;
  if (n === 0) {
    return -1;
  }
  if (xs[0] <= xs[n - 1]) {
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] < target) { lo = mid + 1; } else { hi = mid; }
    }
    return lo > 0 && Math.abs(xs[lo - 1] - target) < Math.abs(xs[lo] - target) ? lo - 1 : lo;
  }
  let best = 0;
  for (let i = 1; i < n; i++) {
    if (Math.abs(xs[i] - target) < Math.abs(xs[best] - target)) { best = i; }
  }
  return best;
}
