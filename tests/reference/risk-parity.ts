/**
 * Reference equal-risk-contribution weights, written independently of the kernel
 * (native-free-kernels/stats/risk-parity.ts, coordinate descent): damped Newton on
 * f(y) = y'Cy / 2 - b sum ln y_i, b = 1/n, whose stationary point has y_i (C y)_i = b for every i,
 * with plain arrays and Gaussian elimination; x = y / sum y. Far from the solution a step is halved
 * until it keeps y > 0 and decreases f (Armijo); close to it the full Newton step converges
 * quadratically, to a risk-contribution error at the rounding level.
 */

function matVec(C: number[][], y: number[]): number[] {
  return C.map((row) => row.reduce((s, c, j) => s + c * y[j], 0));
}

function objective(C: number[][], y: number[], b: number): number {
  const Cy = matVec(C, y);
  return 0.5 * y.reduce((s, v, i) => s + v * Cy[i], 0) - b * y.reduce((s, v) => s + Math.log(v), 0);
}

/** Solve A z = r by Gaussian elimination with partial pivoting (A and r copied). */
function solve(A: number[][], r: number[]): number[] {
  const n = r.length;
  const M = A.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i][c]) > Math.abs(M[piv][c])) piv = i;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let i = c + 1; i < n; i++) {
      const f = M[i][c] / M[c][c];
      for (let j = c; j <= n; j++) M[i][j] -= f * M[c][j];
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let j = i + 1; j < n; j++) s -= M[i][j] * z[j];
    z[i] = s / M[i][i];
  }
  return z;
}

/** Largest relative distance of a risk contribution y_i (C y)_i from b. */
function rcError(C: number[][], y: number[]): number {
  const b = 1 / y.length;
  const Cy = matVec(C, y);
  return Math.max(...y.map((v, i) => Math.abs((v * Cy[i]) / b - 1)));
}

/** ERC weights (summing to 1) of the positions of the symmetric positive definite matrix C. */
export function referenceRiskParity(C: number[][]): number[] {
  const n = C.length;
  const b = 1 / n;
  let y = C.map((row, i) => 1 / Math.sqrt(row[i]));
  for (let iter = 0; iter < 200 && rcError(C, y) > 1e-15; iter++) {
    const Cy = matVec(C, y);
    const g = y.map((v, i) => Cy[i] - b / v);
    const H = C.map((row, i) => row.map((c, j) => (i === j ? c + b / (y[i] * y[i]) : c)));
    const dy = solve(H, g.map((v) => -v));
    const slope = g.reduce((s, v, i) => s + v * dy[i], 0);
    const f0 = objective(C, y, b);
    const far = rcError(C, y) > 1e-6;
    let step = 1;
    for (let h = 0; h < 60; h++) {
      const next = y.map((v, i) => v + step * dy[i]);
      const positive = next.every((v) => v > 0);
      if (positive && (!far || objective(C, next, b) <= f0 + 1e-4 * step * slope)) break;
      step /= 2;
    }
    y = y.map((v, i) => v + step * dy[i]);
  }
  const sum = y.reduce((s, v) => s + v, 0);
  return y.map((v) => v / sum);
}
