/**
 * Rolling-window mean and standard deviation, in O(n) regardless of the window.
 *
 * On finite or NaN input, equal to pandas `Series(x[:n]).rolling(window).mean()` and
 * `.std(ddof=ddof)` (min_periods = window): out[t] covers x[t-window+1..t], and is NaN for
 * t < window - 1 and for every window that holds a non-finite value. ±Infinity counts as missing
 * like NaN (pandas would propagate it), so it cannot poison the running sums for later windows.
 *
 * Input contract: 1 <= window <= n <= x.length, out.length >= n; finite values are expected to be
 * far from overflow (|x|·window < 1e300). Buffers: `x` is read only; `out` is caller-owned and
 * overwritten on [0, n). A sub-range is `x.subarray(start, end)`, a view, not a copy.
 *
 * Accuracy: both kernels keep Neumaier-compensated running sums, so the rounding error does not
 * grow with the number of bars (< 1e-12 relative to the naive per-window result on 1e6 price-like
 * bars, see tests/kernels/rolling.test.ts). The std sums deviations from a shift near the window
 * mean and recomputes from scratch when the shift drifts so far that the sum of squares would
 * cancel (see `CANCELLATION_GUARD`).
 */

/**
 * Largest tolerated ratio of the shifted sum of squares to the centred one (M2). The relative
 * error of M2 is a few ulps times this ratio (64 -> ~1e-14); beyond it the window is recomputed
 * around its own mean, which happens only after a level shift of ~8 window standard deviations.
 */
const CANCELLATION_GUARD = 64;

/**
 * Neumaier step: add v to the compensated sum held in acc[i] (sum) and acc[i + 1] (the low-order
 * bits the sum lost); the value is acc[i] + acc[i + 1].
 */
function addCompensated(acc: Float64Array, i: number, v: number): void {
  const sum = acc[i];
  const s = sum + v;
  acc[i + 1] += Math.abs(sum) >= Math.abs(v) ? sum - s + v : v - s + sum;
  acc[i] = s;
}

/** M2 = S2 - S1^2 / window from the compensated sums acc = [S1, c1, S2, c2]. */
function centredSumOfSquares(acc: Float64Array, window: number): number {
  const s1 = acc[0] + acc[1];
  return acc[2] + acc[3] - (s1 * s1) / window;
}

function checkWindow(name: string, x: Float64Array, window: number, out: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > x.length || out.length < n) {
    throw new RangeError(`${name}: need 0 <= n <= x.length and out.length >= n; got n = ${n}, x.length = ${x.length}, out.length = ${out.length}`);
  }
  if (!Number.isInteger(window) || window < 1 || window > n) {
    throw new RangeError(`${name}: window must be an integer in [1, n = ${n}], got ${window}`);
  }
}

/**
 * Rolling mean: out[t] = mean(x[t-window+1..t]) for t >= window - 1, else NaN.
 * @param x input series (read only)
 * @param window bars per window, 1 <= window <= n
 * @param out caller-owned output, length >= n
 * @param n live length of `x` (default x.length)
 */
export function rollingMean(x: Float64Array, window: number, out: Float64Array, n: number = x.length): void {
  checkWindow('rollingMean', x, window, out, n);
  const acc = new Float64Array(2); // compensated window sum (one allocation per call)
  let missing = 0; // non-finite values in the current window
  for (let t = 0; t < n; t++) {
    const vIn = x[t];
    if (Number.isFinite(vIn)) addCompensated(acc, 0, vIn);
    else missing++;
    if (t >= window) {
      const vOut = x[t - window];
      if (Number.isFinite(vOut)) addCompensated(acc, 0, -vOut);
      else missing--;
    }
    out[t] = t < window - 1 || missing > 0 ? NaN : (acc[0] + acc[1]) / window;
  }
}

/**
 * Rolling standard deviation: out[t] = sqrt(sum((x_i - mean)^2) / (window - ddof)) over
 * x[t-window+1..t] for t >= window - 1, else NaN.
 * @param x input series (read only)
 * @param window bars per window, 1 <= window <= n
 * @param ddof delta degrees of freedom (1 = sample std, 0 = population), 0 <= ddof < window
 * @param out caller-owned output, length >= n
 * @param n live length of `x` (default x.length)
 */
export function rollingStd(x: Float64Array, window: number, ddof: number, out: Float64Array, n: number = x.length): void {
  checkWindow('rollingStd', x, window, out, n);
  if (!(ddof >= 0 && ddof < window)) {
    throw new RangeError(`rollingStd: ddof must be in [0, window = ${window}), got ${ddof}`);
  }
  const denom = window - ddof;
  // Compensated sums of y = x - shift and y^2 over the window, as acc = [S1, c1, S2, c2];
  // M2 = S2 - S1^2 / window. One allocation per call.
  const acc = new Float64Array(4);
  let shift = 0;
  let valid = false; // acc describes the clean window ending at t - 1
  let missing = 0;
  for (let t = 0; t < n; t++) {
    if (!Number.isFinite(x[t])) missing++;
    if (t >= window && !Number.isFinite(x[t - window])) missing--;
    if (t < window - 1 || missing > 0) {
      out[t] = NaN;
      valid = false;
      continue;
    }
    let m2 = NaN;
    if (valid) {
      // y is recomputed from the same x and shift as when it entered, so it leaves exactly.
      const yIn = x[t] - shift;
      const yOut = x[t - window] - shift;
      addCompensated(acc, 0, yIn);
      addCompensated(acc, 0, -yOut);
      addCompensated(acc, 2, yIn * yIn);
      addCompensated(acc, 2, -(yOut * yOut));
      m2 = centredSumOfSquares(acc, window);
    }
    // Recompute when the sums are stale (m2 NaN), or M2 is negative or cancelled past the guard.
    if (!(m2 * CANCELLATION_GUARD >= acc[2] + acc[3])) {
      const lo = t - window + 1;
      let sum = 0;
      for (let i = lo; i <= t; i++) sum += x[i];
      shift = sum / window;
      acc.fill(0);
      for (let i = lo; i <= t; i++) {
        const y = x[i] - shift;
        addCompensated(acc, 0, y);
        addCompensated(acc, 2, y * y);
      }
      m2 = centredSumOfSquares(acc, window);
      valid = true;
    }
    out[t] = Math.sqrt(Math.max(m2, 0) / denom);
  }
}
