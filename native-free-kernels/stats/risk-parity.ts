/**
 * Equal-risk-contribution (risk parity) weights of n positions under a covariance matrix C: the
 * x > 0 with sum x = 1 and x_i (C x)_i equal for every i, so each position adds the same share of
 * the portfolio variance x'Cx. Solved by cyclical coordinate descent (Griveau-Billion, Richard and
 * Roncalli, 2013) on y, the minimiser of f(y) = y'Cy / 2 - b sum ln y_i with b = 1/n: f is strictly
 * convex on y > 0 when C is positive definite, its stationarity condition is y_i (C y)_i = b for
 * every i, and each coordinate's minimiser is the positive root of C_ii y_i^2 + a_i y_i - b = 0,
 * a_i = sum_{j != i} C_ij y_j. Then x = y / sum y.
 *
 * Contract: C is n x n row-major, symmetric, with C_ii > 0 (positive definite for a unique
 * solution; a signed covariance, rows and columns of short positions negated, qualifies). The
 * caller owns `out` (n); nothing is allocated.
 */

/**
 * ERC weights of the n positions of C into `out` (summing to 1).
 * @param C covariance, n x n row-major
 * @param n number of positions, >= 1
 * @param maxIterations sweeps allowed
 * @param tolerance stop once every risk contribution y_i (C y)_i is within this relative distance of b
 * @param out the weights (n)
 * @returns the sweeps made (maxIterations when the tolerance was not reached; the weights are then those of the last sweep)
 */
export function riskParityWeights(C: Float64Array, n: number, maxIterations: number, tolerance: number, out: Float64Array): number {
  const b = 1 / n;
  // Start at inverse volatility: exact when the positions are uncorrelated.
  for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(C[i * n + i]);
  let sweeps = 0;
  while (sweeps < maxIterations) {
    sweeps++;
    for (let i = 0; i < n; i++) {
      let a = 0;
      for (let j = 0; j < n; j++) if (j !== i) a += C[i * n + j] * out[j];
      const c = C[i * n + i];
      const root = Math.sqrt(a * a + 4 * c * b);
      // The positive root without cancellation: (root - a) / 2c when a < 0, else 2b / (root + a).
      out[i] = a < 0 ? (root - a) / (2 * c) : (2 * b) / (root + a);
    }
    let worst = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += C[i * n + j] * out[j];
      worst = Math.max(worst, Math.abs((out[i] * s) / b - 1));
    }
    if (worst <= tolerance) break;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += out[i];
  for (let i = 0; i < n; i++) out[i] /= sum;
  return sweeps;
}
