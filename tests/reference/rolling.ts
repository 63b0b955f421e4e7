/**
 * Slow reference for native-free-kernels/stats/rolling.ts, written from the definition: each window is
 * copied to a plain array and its mean / std computed from scratch (two-pass), O(n·window).
 */

function windowOf(x: Float64Array, t: number, window: number): number[] | null {
  const w = Array.from(x.subarray(t - window + 1, t + 1));
  return w.every(Number.isFinite) ? w : null;
}

/** out[t] = mean(x[t-window+1..t]), NaN before window - 1 or when the window holds a non-finite value. */
export function rollingMean(x: Float64Array, window: number, out: Float64Array, n: number = x.length): void {
  for (let t = 0; t < n; t++) {
    const w = t >= window - 1 ? windowOf(x, t, window) : null;
    out[t] = w === null ? NaN : w.reduce((a, b) => a + b, 0) / window;
  }
}

/** out[t] = sqrt(Σ(x_i - mean)^2 / (window - ddof)) over the window, NaN as for rollingMean. */
export function rollingStd(x: Float64Array, window: number, ddof: number, out: Float64Array, n: number = x.length): void {
  for (let t = 0; t < n; t++) {
    const w = t >= window - 1 ? windowOf(x, t, window) : null;
    if (w === null) {
      out[t] = NaN;
      continue;
    }
    const mean = w.reduce((a, b) => a + b, 0) / window;
    const m2 = w.reduce((a, b) => a + (b - mean) ** 2, 0);
    out[t] = Math.sqrt(m2 / (window - ddof));
  }
}
