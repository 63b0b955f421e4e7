/**
 * Reference basic SSA in plain arrays, straight from Golyandina, Nekrutkin & Zhigljavsky (2001):
 * build the full L × K trajectory matrix X[i][j] = x[i + j], form S = X·Xᵀ by matrix product,
 * take its eigenvectors with the reference classical Jacobi, reconstruct by Hankelizing
 * U_r·U_rᵀ·X (averaging each anti-diagonal i + j = n), and form the LRR
 * R = (1 / (1 − ν²))·Σ π_i·U_i^∇.
 */
import { type Matrix, matmul, refClassicalJacobi, transpose, zeros } from './linalg.js';

/** The L × (N − L + 1) trajectory (Hankel) matrix of x. */
export function refTrajectory(x: number[], L: number): Matrix {
  const K = x.length - L + 1;
  const X = zeros(L, K);
  for (let i = 0; i < L; i++) for (let j = 0; j < K; j++) X[i][j] = x[i + j];
  return X;
}

/** Average each anti-diagonal i + j = n of an L × K matrix: a series of length L + K − 1. */
export function refHankelize(Y: Matrix): number[] {
  const L = Y.length;
  const K = Y[0].length;
  const out: number[] = [];
  for (let n = 0; n < L + K - 1; n++) {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < L; i++) {
      const j = n - i;
      if (j >= 0 && j < K) {
        sum += Y[i][j];
        count++;
      }
    }
    out.push(sum / count);
  }
  return out;
}

export interface RefSsaResult {
  values: number[];
  /** Leading r eigenvectors as columns (L × r). */
  Ur: Matrix;
  nu2: number;
  /** LRR coefficients, length L − 1, oldest lag first. */
  coef: number[];
  /** Rank-r reconstruction of every value of each input series, one array per series. */
  reconstructions: number[][];
}

/** SSA of the horizontally stacked trajectory matrices of `series` (one series: basic SSA). */
export function refStackedSsa(series: number[][], L: number, r: number): RefSsaResult {
  const blocks = series.map((x) => refTrajectory(x, L));
  const X = blocks.reduce((acc, B) => acc.map((row, i) => [...row, ...B[i]]));
  const { values, vectors } = refClassicalJacobi(matmul(X, transpose(X)));
  const Ur = vectors.map((row) => row.slice(0, r));
  const pi = Ur[L - 1];
  const nu2 = pi.reduce((acc, v) => acc + v * v, 0);
  const coef: number[] = [];
  for (let j = 0; j < L - 1; j++) coef.push(Ur[j].reduce((acc, u, i) => acc + pi[i] * u, 0) / (1 - nu2));
  const projector = matmul(Ur, transpose(Ur));
  const reconstructions = blocks.map((B) => refHankelize(matmul(projector, B)));
  return { values, Ur, nu2, coef, reconstructions };
}

/** Basic SSA of one series. */
export function refSsa(x: number[], L: number, r: number): RefSsaResult {
  return refStackedSsa([x], L, r);
}

/** LRR forecast of the value after the end of `x` from its last L − 1 values. */
export function refLrrForecast(x: number[], coef: number[]): number {
  const tail = x.slice(x.length - coef.length);
  return tail.reduce((acc, v, j) => acc + coef[j] * v, 0);
}
