/**
 * Log returns of a close series: out[0] = NaN, out[t] = ln(C_t / C_{t-1}).
 *
 * Input contract: n <= close.length, out.length >= n; closes are expected positive and finite
 * (a NaN close yields NaN at t and t + 1; a non-positive one yields NaN or ±Infinity, as Math.log
 * does). Buffers: `close` is read only; `out` is caller-owned and overwritten on [0, n). A
 * sub-range is `close.subarray(start, end)`, a view, not a copy.
 */

/**
 * Log returns of the first n closes.
 * @param close closing prices (read only)
 * @param out caller-owned output, length >= n
 * @param n number of bars (default close.length)
 */
export function logReturns(close: Float64Array, out: Float64Array, n: number = close.length): void {
  if (!Number.isInteger(n) || n < 0 || n > close.length || out.length < n) {
    throw new RangeError(`logReturns: need 0 <= n <= close.length and out.length >= n; got n = ${n}, close.length = ${close.length}, out.length = ${out.length}`);
  }
  if (n === 0) return;
  out[0] = NaN;
  // The ratio is rounded once (relative error <= 1.1e-16), so the return is exact to ~1e-16
  // absolute; ln C_t - ln C_{t-1} would be off by ~1e-16·|ln C| instead.
  for (let t = 1; t < n; t++) out[t] = Math.log(close[t] / close[t - 1]);
}
