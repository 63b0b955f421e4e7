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
    const v = x[t];
    const s = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s + v : v - s + sum;
    sum = s;
    out[t + 1] = sum + comp;
  }
}

/**
 * Prefix sums of the simple returns r_t = x[t] / x[t - 1] - 1 (r_0 counted as 0), of r_t^2 and of
 * min(r_t, 0)^2, each compensated like `prefixSums`. Outputs (length >= n + 1) are caller-owned;
 * `scratch` (length >= n) holds the terms.
 */
export function returnPrefixes(x: Float64Array, outRet: Float64Array, outRet2: Float64Array, outDown2: Float64Array, scratch: Float64Array, n = x.length): void {
  for (let t = 0; t < n; t++) scratch[t] = simpleReturn(x, t);
  prefixSums(scratch, outRet, n);
  for (let t = 0; t < n; t++) scratch[t] = simpleReturn(x, t) ** 2;
  prefixSums(scratch, outRet2, n);
  for (let t = 0; t < n; t++) scratch[t] = Math.min(simpleReturn(x, t), 0) ** 2;
  prefixSums(scratch, outDown2, n);
}

function simpleReturn(x: Float64Array, t: number): number {
  return t > 0 ? x[t] / x[t - 1] - 1 : 0;
}
