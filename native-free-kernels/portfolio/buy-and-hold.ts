/**
 * Buy and hold over bars [start, end) of a basket (docs/metrics.md): equal capital in each ticker
 * at the window's first close, not rebalanced, no fees: B_t = mean_k C_{k,t} / C_{k,start}.
 * `pnlopt backtest` reports its figures, the report draws its path.
 */

/**
 * `initial` x B_t for t in [start, end) into out[0 .. end - start).
 * @param close ticker-major closes (ticker k, bar t at k * T + t)
 */
export function buyAndHoldPath(close: Float64Array, K: number, T: number, start: number, end: number, initial: number, out: Float64Array): void {
  for (let t = start; t < end; t++) {
    let b = 0;
    for (let k = 0; k < K; k++) b += close[k * T + t] / close[k * T + start];
    out[t - start] = (initial * b) / K;
  }
}

/** The fraction below the running peak at each of the n values of `path` into `out`; `initial` counts as an earlier peak. */
export function drawdownPath(path: Float64Array, initial: number, n: number, out: Float64Array): void {
  let peak = initial;
  for (let t = 0; t < n; t++) {
    const e = path[t];
    if (e > peak) peak = e;
    out[t] = 1 - e / peak;
  }
}
