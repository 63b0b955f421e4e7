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
  // ln(C_t / C_{t-1}) computed as log1p((C_t - C_{t-1}) / C_{t-1}): the difference of nearby
  // prices is exact, so a tiny return keeps full relative precision (a rounded ratio near 1, or
  // a difference of logs, would leave only an absolute precision of ~1e-16).
  for (let t = 1; t < n; t++) {
    const prev = close[t - 1];
    out[t] = Math.log1p((close[t] - prev) / prev);
  }
}
