/**
 * Moments of two windows of one series-major column (e.g. log returns, ticker k at k * T + t):
 * the sample covariance and the Pearson correlation of x[a..a+L-1] with x[b..b+L-1]. Each sums
 * the window directly in two passes (means, then centred products), so nothing cancels and no
 * earlier value of the series matters; the cost is O(L) per pair, which is why the strategy
 * kernels call these only at decision bars and only for the pairs they need, and keep the results.
 */

/**
 * Sample covariance (ddof 1) of the windows x[a..a+L-1] and x[b..b+L-1].
 * @param x series-major values
 * @param a first index of the first window
 * @param b first index of the second window (a itself gives the variance)
 * @param L window length, >= 2
 */
export function windowCovariance(x: Float64Array, a: number, b: number, L: number): number {
  const ma = windowMean(x, a, L), mb = windowMean(x, b, L);
  let cab = 0;
  for (let u = 0; u < L; u++) cab += (x[a + u] - ma) * (x[b + u] - mb);
  return cab / (L - 1);
}

/**
 * Pearson correlation of the windows x[a..a+L-1] and x[b..b+L-1], clamped to [-1, 1]; 0 when either
 * window has zero variance (a constant window carries no co-movement).
 */
export function windowCorrelation(x: Float64Array, a: number, b: number, L: number): number {
  const ma = windowMean(x, a, L), mb = windowMean(x, b, L);
  let caa = 0, cbb = 0, cab = 0;
  for (let u = 0; u < L; u++) {
    const da = x[a + u] - ma, db = x[b + u] - mb;
    caa += da * da;
    cbb += db * db;
    cab += da * db;
  }
  const den = Math.sqrt(caa) * Math.sqrt(cbb); // two roots: caa * cbb can underflow
  return den > 0 ? Math.max(-1, Math.min(1, cab / den)) : 0;
}

/** Mean of x[a..a+L-1], summed in order. */
function windowMean(x: Float64Array, a: number, L: number): number {
  let s = 0;
  for (let u = 0; u < L; u++) s += x[a + u];
  return s / L;
}
