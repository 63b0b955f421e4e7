/**
 * Wilder's Average True Range.
 *
 *   TR_0 = H_0 - L_0,  TR_t = max(H_t - L_t, |H_t - C_{t-1}|, |L_t - C_{t-1}|)  (t >= 1)
 *   ATR_{w-1} = mean(TR_0..TR_{w-1}),  ATR_t = (ATR_{t-1}·(w - 1) + TR_t) / w  (t >= w)
 *
 * out[t] is NaN for t < w - 1. Equals TA-Lib's ATR except that TA-Lib drops TR_0 and so starts
 * one bar later.
 *
 * Input contract: 1 <= window <= n <= min(high, low, close lengths), out.length >= n. Prices are
 * expected finite (the data layer rejects NaN bars); a NaN would reach every later output through
 * the recursion. Buffers: `high`, `low`, `close` are read only; `out` is caller-owned and
 * overwritten on [0, n). A sub-range is a set of `subarray` views, not copies.
 */

/**
 * Wilder's ATR of the first n bars.
 * @param high bar highs (read only)
 * @param low bar lows (read only)
 * @param close bar closes (read only)
 * @param window smoothing length w, 1 <= w <= n
 * @param out caller-owned output, length >= n
 * @param n number of bars (default close.length)
 */
export function atr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  window: number,
  out: Float64Array,
  n: number = close.length,
): void {
  if (!Number.isInteger(n) || n < 0 || n > high.length || n > low.length || n > close.length || out.length < n) {
    throw new RangeError(
      `atr: need 0 <= n <= every input length and out.length >= n; got n = ${n}, lengths ${high.length}/${low.length}/${close.length}, out.length = ${out.length}`,
    );
  }
  if (!Number.isInteger(window) || window < 1 || window > n) {
    throw new RangeError(`atr: window must be an integer in [1, n = ${n}], got ${window}`);
  }
  let seedSum = 0;
  let prev = NaN;
  for (let t = 0; t < n; t++) {
    const hl = high[t] - low[t];
    const tr = t === 0 ? hl : Math.max(hl, Math.abs(high[t] - close[t - 1]), Math.abs(low[t] - close[t - 1]));
    if (t < window) {
      seedSum += tr;
      if (t === window - 1) prev = seedSum / window;
    } else {
      prev = (prev * (window - 1) + tr) / window;
    }
    out[t] = prev;
  }
}
