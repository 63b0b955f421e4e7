/**
 * Exponentially weighted moving average with smoothing factor alpha, recursive form:
 * out[t] = alpha·x[t] + (1 - alpha)·out[t-1], seeded by the first observation.
 *
 * Equal to pandas `Series(x[:n]).ewm(alpha=alpha, adjust=False, ignore_na=True).mean()`.
 * NaN policy: NaN marks a missing bar. Before the first non-NaN value out is NaN; that value
 * seeds the average; a later NaN leaves the state untouched and repeats the previous output (the
 * bar is skipped, so the next observation decays the state by one step, not two). Other inputs
 * are expected finite (±Infinity would propagate).
 *
 * Input contract: 0 < alpha <= 1, n <= x.length, out.length >= n. Buffers: `x` is read only;
 * `out` is caller-owned and overwritten on [0, n) (it may be `x` itself for an in-place update).
 */

/**
 * EWMA of x[0..n) into out[0..n).
 * @param x input series (read only unless it is also `out`)
 * @param alpha weight of the newest observation, 0 < alpha <= 1 (span s: alpha = 2 / (s + 1))
 * @param out caller-owned output, length >= n
 * @param n live length of `x` (default x.length)
 */
export function ewma(x: Float64Array, alpha: number, out: Float64Array, n: number = x.length): void {
  if (!Number.isInteger(n) || n < 0 || n > x.length || out.length < n) {
    throw new RangeError(`ewma: need 0 <= n <= x.length and out.length >= n; got n = ${n}, x.length = ${x.length}, out.length = ${out.length}`);
  }
  if (!(alpha > 0 && alpha <= 1)) {
    throw new RangeError(`ewma: alpha must be in (0, 1], got ${alpha}`);
  }
  const decay = 1 - alpha;
  let state = NaN;
  for (let t = 0; t < n; t++) {
    const v = x[t];
    // `v === v` is false only for NaN; `state !== state` only before the first observation.
    if (v === v) state = state !== state ? v : alpha * v + decay * state;
    out[t] = state;
  }
}
