/**
 * Reference ARX fit in plain arrays, from the regression formula:
 *
 *   y[τ] = c + Σ_{i=1..p} a_i·y[τ−i] + Σ_{j=1..P} b_j·y[τ−j·s] + Σ_e g_e·X[τ−1][e] + ε_τ,
 *   targets τ = start + max(p, P·s, 1) .. end − 1.
 *
 * It writes out the design matrix Z row by row, forms ZᵀZ + λI and Zᵀy by explicit products and
 * solves them by Gaussian elimination with partial pivoting; residual std = sqrt(SSR / (rows − k)).
 */
import { matmul, refGaussSolve, transpose } from './linalg.js';

export interface RefArxOrders {
  p: number;
  P: number;
  s: number;
  E: number;
}

/** Regressors of target τ: [1, y[τ−1..τ−p], y[τ−s], .., y[τ−P·s], X[τ−1][0..E−1]]. */
export function refArxRow(y: number[], X: number[][], tau: number, o: RefArxOrders): number[] {
  const row = [1];
  for (let i = 1; i <= o.p; i++) row.push(y[tau - i]);
  for (let j = 1; j <= o.P; j++) row.push(y[tau - j * o.s]);
  for (let e = 0; e < o.E; e++) row.push(X[tau - 1][e]);
  return row;
}

export function refArxFit(
  y: number[],
  X: number[][],
  start: number,
  end: number,
  o: RefArxOrders,
  ridge: number,
): { coef: number[]; residualStd: number } {
  const first = start + Math.max(o.p, o.P * o.s, 1);
  const Z: number[][] = [];
  const target: number[][] = [];
  for (let tau = first; tau < end; tau++) {
    Z.push(refArxRow(y, X, tau, o));
    target.push([y[tau]]);
  }
  const Zt = transpose(Z);
  const ZtZ = matmul(Zt, Z);
  for (let i = 0; i < ZtZ.length; i++) ZtZ[i][i] += ridge;
  const coef = refGaussSolve(ZtZ, matmul(Zt, target).map((r) => r[0]));
  let ssr = 0;
  for (let r = 0; r < Z.length; r++) {
    const fitted = Z[r].reduce((acc, z, i) => acc + z * coef[i], 0);
    ssr += (target[r][0] - fitted) ** 2;
  }
  return { coef, residualStd: Math.sqrt(ssr / (Z.length - coef.length)) };
}

/** Forecast of y[τ] from y[..τ−1] and X[τ−1]. */
export function refArxPredict(y: number[], X: number[][], tau: number, o: RefArxOrders, coef: number[]): number {
  return refArxRow(y, X, tau, o).reduce((acc, z, i) => acc + z * coef[i], 0);
}
