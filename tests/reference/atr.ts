/**
 * Slow reference for native-free-kernels/stats/atr.ts: the true ranges as a plain array, the seed as
 * their plain mean, then Wilder's recursion, exactly as the formula reads.
 */
export function atr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  window: number,
  out: Float64Array,
  n: number = close.length,
): void {
  const tr: number[] = [];
  for (let t = 0; t < n; t++) {
    const ranges = [high[t] - low[t]];
    if (t > 0) ranges.push(Math.abs(high[t] - close[t - 1]), Math.abs(low[t] - close[t - 1]));
    tr.push(Math.max(...ranges));
  }
  for (let t = 0; t < n; t++) {
    if (t < window - 1) out[t] = NaN;
    else if (t === window - 1) out[t] = tr.slice(0, window).reduce((a, b) => a + b, 0) / window;
    else out[t] = (out[t - 1] * (window - 1) + tr[t]) / window;
  }
}
