/**
 * Reference linear algebra in plain `number[][]`, written from the textbook algorithms and built
 * to be checked by eye, not to be fast:
 * - `refGaussSolve`: Gaussian elimination with partial pivoting on the augmented matrix [A | b].
 * - `refClassicalJacobi`: classical Jacobi (Jacobi 1846): repeatedly zero the largest
 *   off-diagonal entry with a plane rotation J, forming A ← Jᵀ·A·J and V ← V·J as full matrix
 *   products. A different pivot order and update from the fast cyclic version in
 *   native-free-kernels/stats/linalg.ts, so the two share no code path.
 */

export type Matrix = number[][];

export function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

export function identity(n: number): Matrix {
  const I = zeros(n, n);
  for (let i = 0; i < n; i++) I[i][i] = 1;
  return I;
}

export function transpose(A: Matrix): Matrix {
  const T = zeros(A[0].length, A.length);
  for (let i = 0; i < A.length; i++) for (let j = 0; j < A[0].length; j++) T[j][i] = A[i][j];
  return T;
}

export function matmul(A: Matrix, B: Matrix): Matrix {
  const C = zeros(A.length, B[0].length);
  for (let i = 0; i < A.length; i++) {
    for (let j = 0; j < B[0].length; j++) {
      let s = 0;
      for (let k = 0; k < B.length; k++) s += A[i][k] * B[k][j];
      C[i][j] = s;
    }
  }
  return C;
}

/** Solve A·x = b by Gaussian elimination with partial pivoting (A square, non-singular). */
export function refGaussSolve(A: Matrix, b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[pivot][col])) pivot = r;
    [M[col], M[pivot]] = [M[pivot], M[col]];
    for (let r = col + 1; r < n; r++) {
      const f = M[r][col] / M[col][col];
      for (let c = col; c <= n; c++) M[r][c] -= f * M[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let j = i + 1; j < n; j++) s -= M[i][j] * x[j];
    x[i] = s / M[i][i];
  }
  return x;
}

/** Eigenpairs of a symmetric matrix, eigenvalues descending, eigenvectors as columns of `vectors`. */
export function refClassicalJacobi(A: Matrix): { values: number[]; vectors: Matrix } {
  const n = A.length;
  let a = A.map((row) => [...row]);
  let V = identity(n);
  let norm = 0;
  for (const row of A) for (const v of row) norm += v * v;
  norm = Math.sqrt(norm);
  for (let iter = 0; iter < 100 * n * n; iter++) {
    let p = 0;
    let q = 1;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (Math.abs(a[i][j]) > Math.abs(a[p][q])) [p, q] = [i, j];
    if (n < 2 || Math.abs(a[p][q]) <= 1e-14 * norm) break;
    // Angle φ with tan(2φ) = 2·a_pq / (a_qq − a_pp) zeroes entry (p, q) of Jᵀ·A·J.
    const phi = 0.5 * Math.atan2(2 * a[p][q], a[q][q] - a[p][p]);
    const J = identity(n);
    J[p][p] = Math.cos(phi);
    J[q][q] = Math.cos(phi);
    J[p][q] = Math.sin(phi);
    J[q][p] = -Math.sin(phi);
    a = matmul(matmul(transpose(J), a), J);
    V = matmul(V, J);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return {
    values: order.map((i) => a[i][i]),
    vectors: V.map((row) => order.map((i) => row[i])),
  };
}
