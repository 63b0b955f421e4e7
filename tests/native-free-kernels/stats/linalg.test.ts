/**
 * linalg kernels against tests/reference/linalg.ts (Gaussian elimination with partial pivoting;
 * classical max-pivot Jacobi with full matrix products) plus hand-computed factorizations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  choleskyFactor,
  choleskySolve,
  JACOBI_MAX_SWEEPS,
  solveNormalEquations,
  symmetricEigen,
} from '../../../native-free-kernels/stats/linalg.js';
import { type Matrix, refClassicalJacobi, refGaussSolve } from '../../reference/linalg.js';

const flat = (A: Matrix) => Float64Array.from(A.flat());

/** Random symmetric n × n matrix with entries in [-1, 1]. */
const symmetric = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * n, maxLength: n * n }).map((v) => {
    const A: Matrix = [];
    for (let i = 0; i < n; i++) A.push(Array.from({ length: n }, (_, j) => (i <= j ? v[i * n + j] : v[j * n + i])));
    return A;
  }),
);

describe('choleskyFactor / choleskySolve', () => {
  it('factors [[4,2],[2,3]] by hand', () => {
    // l11 = sqrt(4) = 2; l21 = 2 / 2 = 1; l22 = sqrt(3 - 1²) = sqrt(2).
    const L = new Float64Array(4);
    expect(choleskyFactor(Float64Array.of(4, 2, 2, 3), 0, L, 2)).toBe(true);
    expect(L[0]).toBe(2);
    expect(L[2]).toBe(1);
    expect(L[3]).toBeCloseTo(Math.SQRT2, 15);
    // (L·Lᵀ)x = [8, 7]: [[4,2],[2,3]]·[1.25, 1.5] = [5 + 3, 2.5 + 4.5].
    const x = new Float64Array(2);
    choleskySolve(L, Float64Array.of(8, 7), x, 2);
    expect(x[0]).toBeCloseTo(1.25, 14);
    expect(x[1]).toBeCloseTo(1.5, 14);
  });

  it('reports an indefinite or NaN matrix instead of factoring it', () => {
    const L = new Float64Array(4);
    // Eigenvalues of [[1,2],[2,1]] are 3 and -1: not positive definite.
    expect(choleskyFactor(Float64Array.of(1, 2, 2, 1), 0, L, 2)).toBe(false);
    expect(choleskyFactor(Float64Array.of(NaN, 0, 0, 1), 0, L, 2)).toBe(false);
  });
});

describe('solveNormalEquations', () => {
  it('the ridge makes a singular system solvable: ([[1,1],[1,1]] + I)·β = [3,3] gives β = [1,1]', () => {
    const beta = new Float64Array(2);
    const scratch = new Float64Array(4);
    expect(solveNormalEquations(Float64Array.of(1, 1, 1, 1), Float64Array.of(3, 3), 0, scratch, beta, 2)).toBe(false);
    expect(Array.from(beta).every(Number.isNaN)).toBe(true);
    // [[2,1],[1,2]]·[1,1] = [3,3].
    expect(solveNormalEquations(Float64Array.of(1, 1, 1, 1), Float64Array.of(3, 3), 1, scratch, beta, 2)).toBe(true);
    expect(beta[0]).toBeCloseTo(1, 14);
    expect(beta[1]).toBeCloseTo(1, 14);
  });

  it('matches Gaussian elimination on random positive definite systems', () => {
    fc.assert(
      fc.property(
        symmetric,
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 10, maxLength: 10 }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (B, bAll, ridge) => {
          const n = B.length;
          // A = BᵀB + I is positive definite with condition number <= 1 + n².
          const A: Matrix = B.map((_, i) => B.map((__, j) => B.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? 1 : 0)));
          const b = bAll.slice(0, n);
          const Af = flat(A);
          const before = Af.slice();
          const beta = new Float64Array(n);
          expect(solveNormalEquations(Af, Float64Array.from(b), ridge, new Float64Array(n * n), beta, n)).toBe(true);
          const expected = refGaussSolve(A.map((row, i) => row.map((v, j) => v + (i === j ? ridge : 0))), b);
          for (let i = 0; i < n; i++) expect(Math.abs(beta[i] - expected[i])).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(expected[i])));
          expect(Af).toEqual(before);
        },
      ),
    );
  });
});

describe('symmetricEigen (cyclic Jacobi)', () => {
  function eigen(A: Matrix) {
    const n = A.length;
    const values = new Float64Array(n);
    const vectors = new Float64Array(n * n);
    const sweeps = symmetricEigen(flat(A), values, vectors, new Float64Array(n * n), n);
    return { values, vectors, sweeps };
  }

  it('decomposes [[2,1],[1,2]] by hand: λ = 3, 1 with (1,1)/√2 and (1,-1)/√2', () => {
    // det([[2-λ,1],[1,2-λ]]) = (2-λ)² - 1 = 0 → λ = 3, 1.
    const { values, vectors } = eigen([
      [2, 1],
      [1, 2],
    ]);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0] * vectors[2]).toBeCloseTo(0.5, 14); // column 0 ∝ (1, 1)
    expect(vectors[1] * vectors[3]).toBeCloseTo(-0.5, 14); // column 1 ∝ (1, -1)
  });

  it('leaves a diagonal matrix alone (no sweep) apart from sorting', () => {
    const { values, vectors, sweeps } = eigen([
      [1, 0, 0],
      [0, 5, 0],
      [0, 0, -2],
    ]);
    expect(sweeps).toBe(0);
    expect(Array.from(values)).toEqual([5, 1, -2]);
    expect(Array.from(vectors)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('reconstructs A = V·diag(λ)·Vᵀ to 1e-10 with orthonormal V and matches classical Jacobi', () => {
    fc.assert(
      fc.property(symmetric, (A) => {
        const n = A.length;
        const Af = flat(A);
        const before = Af.slice();
        const values = new Float64Array(n);
        const vectors = new Float64Array(n * n);
        const sweeps = symmetricEigen(Af, values, vectors, new Float64Array(n * n), n);
        expect(sweeps).toBeLessThanOrEqual(JACOBI_MAX_SWEEPS);
        expect(Af).toEqual(before);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let a = 0;
            let vtv = 0;
            for (let k = 0; k < n; k++) {
              a += vectors[i * n + k] * values[k] * vectors[j * n + k];
              vtv += vectors[k * n + i] * vectors[k * n + j];
            }
            expect(Math.abs(a - A[i][j])).toBeLessThanOrEqual(1e-10);
            expect(Math.abs(vtv - (i === j ? 1 : 0))).toBeLessThanOrEqual(1e-12);
          }
        }
        for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
        const ref = refClassicalJacobi(A);
        for (let i = 0; i < n; i++) expect(Math.abs(values[i] - ref.values[i])).toBeLessThanOrEqual(1e-10);
      }),
    );
  });
});
