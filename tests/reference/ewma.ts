/**
 * Slow reference for native-free-kernels/stats/ewma.ts from the closed form instead of the recursion:
 * with the observed (non-NaN) values v_0..v_k up to bar t,
 *   out[t] = (1 - alpha)^k · v_0 + Σ_{j=1..k} alpha · (1 - alpha)^(k-j) · v_j,
 * and NaN before the first observation. O(n^2).
 */
export function ewma(x: Float64Array, alpha: number, out: Float64Array, n: number = x.length): void {
  const observed: number[] = [];
  for (let t = 0; t < n; t++) {
    if (!Number.isNaN(x[t])) observed.push(x[t]);
    const k = observed.length - 1;
    if (k < 0) {
      out[t] = NaN;
      continue;
    }
    let y = (1 - alpha) ** k * observed[0];
    for (let j = 1; j <= k; j++) y += alpha * (1 - alpha) ** (k - j) * observed[j];
    out[t] = y;
  }
}
