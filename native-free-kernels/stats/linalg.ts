/**
 * Small dense linear algebra on row-major `Float64Array`s: ridge least squares through the
 * Cholesky factor of the normal equations, and the symmetric eigendecomposition by cyclic Jacobi.
 *
 * Matrices are n × n, element (i, j) at `i * n + j`, and may be longer than n² (only the first n²
 * entries are live). Inputs are never written; factors, solutions and eigenvectors go into buffers
 * the caller owns and reuses, so no call allocates. Sizes here are model orders and SSA window
 * lengths (tens), where these O(n³) methods are fastest and exact enough.
 */

/** Cyclic Jacobi sweeps allowed before giving up; it converges quadratically, usually in < 10. */
export const JACOBI_MAX_SWEEPS = 50;

/**
 * Lower Cholesky factor of (A + ridge·I), written to the lower triangle of `outL` (upper left as is).
 * @param A symmetric n × n matrix (only the lower triangle is read)
 * @param ridge added to every diagonal entry before factoring (0 for plain least squares)
 * @param outL n × n buffer for the factor
 * @param n matrix order
 * @returns false when the matrix is not numerically positive definite (then `outL` is garbage)
 */
export function choleskyFactor(A: Float64Array, ridge: number, outL: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j] + ridge;
    for (let k = 0; k < j; k++) d -= outL[j * n + k] * outL[j * n + k];
    // `!(d > 0)` also rejects NaN, so non-finite input reports failure instead of a NaN factor.
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    outL[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= outL[i * n + k] * outL[j * n + k];
      outL[i * n + j] = s / ljj;
    }
  }
  return true;
}

/**
 * Solve L·Lᵀ·x = b given the lower Cholesky factor L (forward then back substitution).
 * @param L factor from `choleskyFactor`
 * @param b right-hand side, length n
 * @param outX solution, length n (may alias `b`)
 * @param n system order
 */
export function choleskySolve(L: Float64Array, b: Float64Array, outX: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * outX[k];
    outX[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = outX[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * outX[k];
    outX[i] = s / L[i * n + i];
  }
}

/**
 * Ridge least squares from the normal equations: solves (XᵀX + ridge·I)·β = Xᵀy.
 * @param XtX XᵀX, n × n symmetric
 * @param Xty Xᵀy, length n
 * @param ridge added to the diagonal (0 for ordinary least squares)
 * @param outFactor n × n scratch for the Cholesky factor
 * @param outBeta coefficients, length n
 * @param n number of coefficients
 * @returns false when XᵀX + ridge·I is not positive definite; `outBeta` is then all NaN
 */
export function solveNormalEquations(
  XtX: Float64Array,
  Xty: Float64Array,
  ridge: number,
  outFactor: Float64Array,
  outBeta: Float64Array,
  n: number,
): boolean {
  if (!choleskyFactor(XtX, ridge, outFactor, n)) {
    outBeta.fill(NaN, 0, n);
    return false;
  }
  choleskySolve(outFactor, Xty, outBeta, n);
  return true;
}

/**
 * Eigendecomposition A = V·diag(λ)·Vᵀ of a symmetric matrix by cyclic Jacobi rotations, eigenvalues
 * sorted descending. Column j of `outVectors` (entries `i * n + j`) is the unit eigenvector of
 * `outValues[j]`. Stops when the off-diagonal mass is below machine precision of ‖A‖_F.
 * @param A symmetric n × n matrix (not modified)
 * @param outValues eigenvalues, length n, descending
 * @param outVectors n × n orthonormal eigenvectors as columns
 * @param work n × n scratch (holds the rotated copy of A)
 * @param n matrix order
 * @returns sweeps used; `JACOBI_MAX_SWEEPS` + 1 means it did not converge
 */
export function symmetricEigen(
  A: Float64Array,
  outValues: Float64Array,
  outVectors: Float64Array,
  work: Float64Array,
  n: number,
): number {
  const a = work;
  let frob2 = 0;
  for (let i = 0; i < n * n; i++) {
    a[i] = A[i];
    frob2 += A[i] * A[i];
    outVectors[i] = 0;
  }
  for (let i = 0; i < n; i++) outVectors[i * n + i] = 1;
  // Rotations preserve ‖A‖_F, so one threshold serves every sweep.
  const tol2 = Number.EPSILON * Number.EPSILON * frob2;
  let sweep = 0;
  for (; sweep <= JACOBI_MAX_SWEEPS; sweep++) {
    let off2 = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off2 += 2 * a[p * n + q] * a[p * n + q];
    if (off2 <= tol2) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // Smaller root of t² + 2θt − 1 = 0 keeps the rotation angle ≤ π/4 (stable; Golub & Van Loan 8.5).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          const nkp = c * akp - s * akq;
          const nkq = s * akp + c * akq;
          a[k * n + p] = nkp;
          a[p * n + k] = nkp;
          a[k * n + q] = nkq;
          a[q * n + k] = nkq;
        }
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = outVectors[k * n + p];
          const vkq = outVectors[k * n + q];
          outVectors[k * n + p] = c * vkp - s * vkq;
          outVectors[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) outValues[i] = a[i * n + i];
  // Selection sort, descending, carrying the eigenvector columns along (n is small).
  for (let i = 0; i < n - 1; i++) {
    let best = i;
    for (let j = i + 1; j < n; j++) if (outValues[j] > outValues[best]) best = j;
    if (best === i) continue;
    const tv = outValues[i];
    outValues[i] = outValues[best];
    outValues[best] = tv;
    for (let k = 0; k < n; k++) {
      const tmp = outVectors[k * n + i];
      outVectors[k * n + i] = outVectors[k * n + best];
      outVectors[k * n + best] = tmp;
    }
  }
  return sweep;
}
