/**
 * Compensated prefix sums: out[0] = 0, out[t + 1] = x[0] + ... + x[t] (Neumaier summation, so each
 * prefix is within about one ulp of the exact sum). Any window mean is then
 * (out[t + 1] - out[t + 1 - n]) / n in O(1), shared by every candidate that reads the series.
 * `out` must have length >= n + 1; it is owned by the caller.
 */
export function prefixSums(x: Float64Array, out: Float64Array, n = x.length): void {
  let sum = 0;
  let comp = 0;
  out[0] = 0;
  for (let t = 0; t < n; t++) {
    const v = x[t]!;
    const s = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s + v : v - s + sum;
    sum = s;
    out[t + 1] = sum + comp;
  }
}

/** Simple returns: out[0] = NaN, out[t] = x[t] / x[t - 1] - 1. `out` (length >= n) is caller-owned. */
export function simpleReturns(x: Float64Array, out: Float64Array, n = x.length): void {
  if (n > 0) out[0] = NaN;
  for (let t = 1; t < n; t++) out[t] = x[t]! / x[t - 1]! - 1;
}
