/**
 * SSA kernels against tests/reference/ssa.ts (explicit trajectory matrix, S = X·Xᵀ by matrix
 * product, classical Jacobi, explicit Hankelization), plus exact LRR forecasts of rank-2 series.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addLagCovariance,
  createSsaWorkspace,
  lrrForecast,
  lrrResidualRms,
  ssaFit,
  ssaReconstructTail,
} from '../../../native-free-kernels/forecast/ssa.js';
import { createRng } from '../../../src/rng.js';
import { matmul, transpose } from '../../reference/linalg.js';
import { refLrrForecast, refSsa, refTrajectory } from '../../reference/ssa.js';

function fitSsa(x: Float64Array, start: number, end: number, L: number, r: number) {
  const ws = createSsaWorkspace(L);
  const coef = new Float64Array(L - 1);
  const nu2 = ssaFit(x, start, end, L, r, ws, coef);
  return { ws, coef, nu2 };
}

/** Fit on x[0..N) and check: reconstruction = x, forecast of x[N] from it and from x itself. */
function expectExactRank2(f: (t: number) => number, N: number, L: number): void {
  const x = Float64Array.from({ length: N }, (_, t) => f(t));
  const { ws, coef, nu2 } = fitSsa(x, 0, N, L, 2);
  expect(nu2).toBeLessThan(1);
  const rec = new Float64Array(N);
  ssaReconstructTail(x, 0, N, 2, N, ws, rec);
  for (let t = 0; t < N; t++) expect(Math.abs(rec[t] - x[t])).toBeLessThan(1e-9);
  expect(Math.abs(lrrForecast(rec, N - 1, coef, L) - f(N))).toBeLessThan(1e-9);
  expect(Math.abs(lrrForecast(x, N - 1, coef, L) - f(N))).toBeLessThan(1e-9);
  expect(lrrResidualRms(x, 0, N, coef, L)).toBeLessThan(1e-9);
}

describe('SSA hand checks', () => {
  it('forecasts a pure sinusoid (rank 2) to 1e-9', () => {
    // sin(ωt + φ) = a·u_t + b·v_t with u = sin ωt, v = cos ωt: every lagged vector lies in a
    // 2-dimensional space, so two components reproduce it and the LRR continues it exactly.
    expectExactRank2((t) => Math.sin((2 * Math.PI * t) / 12 + 0.3), 60, 20);
  });

  it('forecasts a linear trend (rank 2) to 1e-9', () => {
    // 1.5 + 0.25·t spans {1, t}: rank 2.
    expectExactRank2((t) => 1.5 + 0.25 * t, 50, 12);
  });

  it('lrrForecast and lrrResidualRms by hand', () => {
    // L = 3, coef [0.5, 0.5]: forecast after x[3] is 0.5·3 + 0.5·4 = 3.5.
    expect(lrrForecast(Float64Array.of(1, 2, 3, 4), 3, Float64Array.of(0.5, 0.5), 3)).toBe(3.5);
    // L = 2, coef [1] (random-walk forecast) on [1, 2, 4]: errors 2 − 1 = 1, 4 − 2 = 2,
    // RMS = sqrt((1 + 4) / 2) = sqrt(2.5).
    expect(lrrResidualRms(Float64Array.of(1, 2, 4), 0, 3, Float64Array.of(1), 2)).toBeCloseTo(Math.sqrt(2.5), 15);
  });

  it('gives NaN coefficients for a window holding NaN, and rejects impossible sizes', () => {
    const x = Float64Array.from({ length: 30 }, (_, t) => Math.sin(t));
    x[7] = NaN;
    const { coef, nu2 } = fitSsa(x, 0, 30, 10, 2);
    expect(Number.isNaN(nu2)).toBe(true);
    expect(Array.from(coef).every(Number.isNaN)).toBe(true);
    expect(() => fitSsa(x, 0, 30, 10, 10)).toThrow(RangeError);
    expect(() => fitSsa(x, 25, 30, 10, 2)).toThrow(RangeError);
    expect(() => fitSsa(x, 0, 31, 10, 2)).toThrow(RangeError);
  });
});

/** Signal of rank ≤ 2·harmonics + 2 (trend + sinusoids) plus a little noise, from a seed. */
function noisySignal(seed: number, n: number, harmonics: number, noise: number): Float64Array {
  const rng = createRng(seed, 'ssa-test');
  const slope = rng() - 0.5;
  const parts = Array.from({ length: harmonics }, () => ({ a: 1 + rng() * 2, w: 0.2 + rng() * 1.2, ph: rng() * 6 }));
  return Float64Array.from({ length: n }, (_, t) => {
    let v = 0.3 + slope * 0.05 * t;
    for (const p of parts) v += p.a * Math.sin(p.w * t + p.ph);
    return v + noise * (rng() - 0.5);
  });
}

describe('SSA against the reference', () => {
  it('addLagCovariance equals X·Xᵀ of the explicit trajectory matrix', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 30 }), (seed, L, extra) => {
        const x = noisySignal(seed, L + extra + 5, 1, 1);
        const cov = new Float64Array(L * L);
        addLagCovariance(x, 5, x.length, L, cov);
        const X = refTrajectory(Array.from(x.subarray(5)), L);
        const S = matmul(X, transpose(X));
        for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) expect(Math.abs(cov[i * L + j] - S[i][j])).toBeLessThanOrEqual(1e-11 * (1 + Math.abs(S[i][j])));
      }),
    );
  });

  it('matches LRR coefficients, reconstruction and forecasts on noisy signals', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 8, max: 14 }),
        fc.integer({ min: 0, max: 40 }),
        (seed, harmonics, L, extra) => {
          // r = signal rank keeps a clear eigenvalue gap, so the leading subspace is well defined.
          const r = 2 * harmonics + 1;
          const start = 3;
          const x = noisySignal(seed, start + 2 * L + extra, harmonics, 0.05);
          const before = x.slice();
          const { ws, coef, nu2 } = fitSsa(x, start, x.length, L, r);
          const ref = refSsa(Array.from(x.subarray(start)), L, r);
          expect(Math.abs(nu2 - ref.nu2)).toBeLessThan(1e-8);
          for (let j = 0; j < L - 1; j++) expect(Math.abs(coef[j] - ref.coef[j])).toBeLessThan(1e-7 * (1 + Math.abs(ref.coef[j])));
          const N = x.length - start;
          const rec = new Float64Array(N);
          ssaReconstructTail(x, start, x.length, r, N, ws, rec);
          for (let t = 0; t < N; t++) expect(Math.abs(rec[t] - ref.reconstructions[0][t])).toBeLessThan(1e-8);
          // The tail alone equals the end of the full reconstruction.
          const tail = new Float64Array(L - 1);
          ssaReconstructTail(x, start, x.length, r, L - 1, ws, tail);
          expect(Array.from(tail)).toEqual(Array.from(rec.subarray(N - L + 1)));
          expect(Math.abs(lrrForecast(tail, L - 2, coef, L) - refLrrForecast(ref.reconstructions[0], ref.coef))).toBeLessThan(1e-7);
          expect(x).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
