/**
 * Basic singular spectrum analysis (SSA) and its recurrent (LRR) one-step forecast, the SAMOSSA
 * role. Notation after Golyandina, Nekrutkin & Zhigljavsky, "Analysis of Time Series Structure:
 * SSA and Related Techniques" (2001), ch. 1–2:
 *
 * - A window x[start..end) of length N is embedded with window length L into the L × Kw trajectory
 *   matrix X[i, j] = x[start + i + j], Kw = N − L + 1.
 * - Eigenvectors U_i of the lag-covariance S = X·Xᵀ (L × L, eigenvalues descending) are the left
 *   singular vectors of X; the rank-r reconstruction is the diagonal average (Hankelization) of
 *   Σ_{i<r} U_i·U_iᵀ·X.
 * - LRR coefficients R = (1 / (1 − ν²)) · Σ_{i<r} π_i·U_i^∇, with π_i the last entry of U_i, U_i^∇
 *   its first L − 1 entries and ν² = Σ π_i²; the forecast of the next value is
 *   Σ_{j<L−1} R_j · (the L − 1 latest values, oldest first).
 *
 * One `SsaWorkspace` per window length L holds the decomposition of the latest fit; the
 * reconstruction reads it, so call `ssaReconstructTail` after the `ssaFit` it belongs to.
 * Input arrays are never written. No call allocates.
 */
import { symmetricEigen } from '../stats/linalg.js';

/** Scratch and the latest decomposition for window length L. */
export interface SsaWorkspace {
  readonly L: number;
  /** Lag-covariance S, L × L. */
  readonly cov: Float64Array;
  /** Eigenvalues of S, descending. */
  readonly values: Float64Array;
  /** Eigenvectors of S as columns, L × L. */
  readonly vectors: Float64Array;
  /** Jacobi scratch, L × L. */
  readonly work: Float64Array;
  /** Projector Σ_{i<r} U_i·U_iᵀ, L × L. */
  readonly projector: Float64Array;
}

/** Allocate the workspace for window length L (once; fits reuse it). */
export function createSsaWorkspace(L: number): SsaWorkspace {
  return {
    L,
    cov: new Float64Array(L * L),
    values: new Float64Array(L),
    vectors: new Float64Array(L * L),
    work: new Float64Array(L * L),
    projector: new Float64Array(L * L),
  };
}

/** Throw on a window that cannot be embedded or a rank outside 1..L−1. */
export function checkSsaArgs(fn: string, length: number, start: number, end: number, L: number, r: number): void {
  if (start < 0 || end > length) throw new RangeError(`${fn}: range [${start}, ${end}) outside the series (length ${length})`);
  if (L < 2 || end - start < L) throw new RangeError(`${fn}: window length L=${L} needs 2 <= L <= range length ${end - start}`);
  if (r < 1 || r >= L) throw new RangeError(`${fn}: components r=${r} must satisfy 1 <= r < L=${L}`);
}

/**
 * Add the lag-covariance X·Xᵀ of x[start..end) (window L) into `outCov`. Along each diagonal,
 * S[a+1, b+1] = S[a, b] − x_a·x_b + x_{a+Kw}·x_{b+Kw} (offsets from `start`), so the cost is
 * O(L·Kw + L²) rather than O(L²·Kw).
 * @param x series
 * @param start first index of the window
 * @param end one past the last index
 * @param L window length, 2 <= L <= end − start
 * @param outCov L × L accumulator (add, not overwrite: MSSA sums channels into it)
 */
export function addLagCovariance(x: Float64Array, start: number, end: number, L: number, outCov: Float64Array): void {
  const Kw = end - start - L + 1;
  for (let d = 0; d < L; d++) {
    let v = 0;
    for (let j = 0; j < Kw; j++) v += x[start + j] * x[start + d + j];
    for (let a = 0; a + d < L; a++) {
      if (a > 0) {
        const i0 = start + a - 1;
        v += x[i0 + Kw] * x[i0 + d + Kw] - x[i0] * x[i0 + d];
      }
      outCov[a * L + a + d] += v;
      if (d > 0) outCov[(a + d) * L + a] += v;
    }
  }
}

/**
 * LRR coefficients from the leading r eigenvectors (columns of `vectors`, L × L).
 * @param vectors eigenvectors as columns, leading first
 * @param L window length
 * @param r number of leading components
 * @param outCoef coefficients, length L − 1, oldest lag first
 * @returns ν² = Σ π_i²; when ν² >= 1 (the last unit vector lies in the subspace) no LRR exists and
 *   `outCoef` is all NaN
 */
export function lrrCoefficients(vectors: Float64Array, L: number, r: number, outCoef: Float64Array): number {
  let nu2 = 0;
  for (let i = 0; i < r; i++) nu2 += vectors[(L - 1) * L + i] * vectors[(L - 1) * L + i];
  if (!(nu2 < 1)) {
    outCoef.fill(NaN, 0, L - 1);
    return nu2;
  }
  const scale = 1 / (1 - nu2);
  for (let j = 0; j < L - 1; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += vectors[(L - 1) * L + i] * vectors[j * L + i];
    outCoef[j] = s * scale;
  }
  return nu2;
}

/**
 * Decompose x[start..end) with window L and write the LRR of the leading r components.
 * @param x series
 * @param start first index of the window
 * @param end one past the last index
 * @param L window length, 2 <= L <= end − start
 * @param r leading components, 1 <= r < L
 * @param ws workspace for L; keeps the decomposition for `ssaReconstructTail`
 * @param outCoef LRR coefficients, length L − 1
 * @returns ν² (see `lrrCoefficients`); NaN when the window holds a non-finite value
 */
export function ssaFit(
  x: Float64Array,
  start: number,
  end: number,
  L: number,
  r: number,
  ws: SsaWorkspace,
  outCoef: Float64Array,
): number {
  checkSsaArgs('ssaFit', x.length, start, end, L, r);
  ws.cov.fill(0);
  addLagCovariance(x, start, end, L, ws.cov);
  return decomposeAndLrr(ws, r, outCoef);
}

/** Eigen-decompose `ws.cov` into `ws` and write the LRR; shared by SSA and MSSA fits. */
export function decomposeAndLrr(ws: SsaWorkspace, r: number, outCoef: Float64Array): number {
  const L = ws.L;
  for (let i = 0; i < L * L; i++) {
    if (!Number.isFinite(ws.cov[i])) {
      outCoef.fill(NaN, 0, L - 1);
      return NaN;
    }
  }
  symmetricEigen(ws.cov, ws.values, ws.vectors, ws.work, L);
  return lrrCoefficients(ws.vectors, L, r, outCoef);
}

/**
 * Last `count` values of the rank-r reconstruction of x[start..end), using the eigenvectors the
 * latest fit left in `ws` (for MSSA: any one channel of the fitted panel).
 * @param x series
 * @param start first index of the window the fit used
 * @param end one past its last index
 * @param r leading components
 * @param count how many trailing values, 1..end − start
 * @param ws workspace holding the decomposition
 * @param out reconstructed x[end − count .. end), length >= count
 */
export function ssaReconstructTail(
  x: Float64Array,
  start: number,
  end: number,
  r: number,
  count: number,
  ws: SsaWorkspace,
  out: Float64Array,
): void {
  const { L, vectors, projector: P } = ws;
  checkSsaArgs('ssaReconstructTail', x.length, start, end, L, r);
  const N = end - start;
  const Kw = N - L + 1;
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < L; b++) {
      let s = 0;
      for (let i = 0; i < r; i++) s += vectors[a * L + i] * vectors[b * L + i];
      P[a * L + b] = s;
    }
  }
  for (let n = N - count; n < N; n++) {
    const iLo = Math.max(0, n - Kw + 1);
    const iHi = Math.min(L - 1, n);
    let sum = 0;
    // Entry (i, j = n − i) of P·X is row i of P dotted with column j of X, i.e. x[start + j ..].
    for (let i = iLo; i <= iHi; i++) {
      const col = start + n - i;
      let v = 0;
      for (let a = 0; a < L; a++) v += P[i * L + a] * x[col + a];
      sum += v;
    }
    out[n - (N - count)] = sum / (iHi - iLo + 1);
  }
}

/**
 * LRR one-step forecast: Σ_j coef[j]·x[last − (L − 2) + j], the value after x[last].
 * @param x series (observed or reconstructed)
 * @param last index of the newest value used; needs last >= L − 2
 * @param coef LRR coefficients, length L − 1
 * @param L window length
 * @returns the forecast of x[last + 1]
 */
export function lrrForecast(x: Float64Array, last: number, coef: Float64Array, L: number): number {
  const base = last - (L - 2);
  let v = 0;
  for (let j = 0; j < L - 1; j++) v += coef[j] * x[base + j];
  return v;
}

/**
 * Root mean square of the in-sample one-step LRR errors x[τ] − lrrForecast(x, τ − 1) over
 * τ ∈ [start + L − 1, end): how far the coefficients miss when applied to observed values.
 * @param x series
 * @param start first index of the window
 * @param end one past the last index; needs end − start >= L
 * @param coef LRR coefficients, length L − 1
 * @param L window length
 * @returns the RMS error (NaN when the coefficients are NaN)
 */
export function lrrResidualRms(x: Float64Array, start: number, end: number, coef: Float64Array, L: number): number {
  let ss = 0;
  const first = start + L - 1;
  for (let tau = first; tau < end; tau++) {
    const e = x[tau] - lrrForecast(x, tau - 1, coef, L);
    ss += e * e;
  }
  return Math.sqrt(ss / (end - first));
}
