/**
 * Mean absolute rolling correlation of each series with the others:
 * out[k * T + t] = mean over j != k of |corr(r_k, r_j)| over the window (t - window, t], the
 * Pearson correlation of the two return windows; 0 before a full window of values from index
 * `first` on (log returns start at bar 1), with one series, or where a window has zero variance. Sums are recomputed from scratch per window (window * K^2 per bar),
 * which is exact enough and done once per data set, never per candidate.
 * Inputs: `r`, K series of T values, series-major. `out` (K * T) is caller-owned.
 */
export function rollingAbsCorrelation(r: Float64Array, K: number, T: number, first: number, window: number, out: Float64Array): void {
  out.fill(0, 0, K * T);
  if (K < 2) return;
  for (let t = first + window - 1; t < T; t++) {
    const from = t - window + 1;
    for (let a = 0; a < K; a++) {
      for (let b = a + 1; b < K; b++) {
        let sa = 0, sb = 0;
        for (let u = from; u <= t; u++) {
          sa += r[a * T + u];
          sb += r[b * T + u];
        }
        const ma = sa / window, mb = sb / window;
        let caa = 0, cbb = 0, cab = 0;
        for (let u = from; u <= t; u++) {
          const da = r[a * T + u] - ma, db = r[b * T + u] - mb;
          caa += da * da;
          cbb += db * db;
          cab += da * db;
        }
        const den = Math.sqrt(caa) * Math.sqrt(cbb); // two roots: caa * cbb can underflow
        const c = den > 0 ? Math.min(1, Math.abs(cab) / den) : 0;
        out[a * T + t] += c / (K - 1);
        out[b * T + t] += c / (K - 1);
      }
    }
  }
}
