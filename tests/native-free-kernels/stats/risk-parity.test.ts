/** riskParityWeights (coordinate descent) against hand-checked cases and the independent Newton reference. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { riskParityWeights } from '../../../native-free-kernels/stats/risk-parity.js';
import { referenceRiskParity } from '../../reference/risk-parity.js';

const MAX_SWEEPS = 10_000;
const TOL = 1e-12;

function kernel(C: number[][]): { x: number[]; sweeps: number } {
  const n = C.length;
  const flat = Float64Array.from(C.flat());
  const out = new Float64Array(n + 2).fill(NaN);
  const sweeps = riskParityWeights(flat, n, MAX_SWEEPS, TOL, out);
  expect(Array.from(flat)).toEqual(C.flat()); // input unmutated
  expect(out[n]).toBeNaN(); // nothing written past n
  return { x: Array.from(out.subarray(0, n)), sweeps };
}

/** Risk contributions x_i (C x)_i relative to their mean, minus 1: all 0 at the ERC point. */
function rcSpread(C: number[][], x: number[]): number {
  const rc = x.map((xi, i) => xi * C[i].reduce((s, c, j) => s + c * x[j], 0));
  const m = rc.reduce((s, v) => s + v, 0) / rc.length;
  return Math.max(...rc.map((v) => Math.abs(v / m - 1)));
}

describe('riskParityWeights', () => {
  it('gives inverse-volatility weights to uncorrelated positions, and 1 to a single one', () => {
    // sigma = 1 and 2, uncorrelated: x ∝ (1, 1/2) -> (2/3, 1/3); RC = x_i^2 sigma_i^2 = 4/9 each.
    const { x } = kernel([[1, 0], [0, 4]]);
    expect(x[0]).toBeCloseTo(2 / 3, 14);
    expect(x[1]).toBeCloseTo(1 / 3, 14);
    expect(kernel([[0.04]]).x).toEqual([1]);
  });

  it('splits equally between two positions of equal volatility whatever their correlation (hedged or not)', () => {
    for (const rho of [-0.9, 0, 0.5, 0.99]) {
      const { x } = kernel([[1, rho], [rho, 1]]);
      expect(x[0]).toBeCloseTo(0.5, 12);
      expect(x[1]).toBeCloseTo(0.5, 12);
    }
  });

  it('gives a correlated pair less than the independent third (0.95 pair, vols equal)', () => {
    // C = [[1, .9, 0], [.9, 1, 0], [0, 0, 1]]: by symmetry x1 = x2 = a, x3 = c with
    // a (a + .9 a) = c^2 -> c = a sqrt(1.9); a = 1 / (2 + sqrt 1.9) = 0.29828.
    const { x } = kernel([[1, 0.9, 0], [0.9, 1, 0], [0, 0, 1]]);
    const a = 1 / (2 + Math.sqrt(1.9));
    expect(x[0]).toBeCloseTo(a, 12);
    expect(x[1]).toBeCloseTo(a, 12);
    expect(x[2]).toBeCloseTo(a * Math.sqrt(1.9), 12);
  });

  it('equalises risk contributions to 1e-6 and equals the Newton reference on random signed, shrunk covariances (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 80 }),
        fc.integer({ min: 1, max: 100 }).map((v) => v / 100),
        fc.infiniteStream(fc.integer({ min: -10_000, max: 10_000 }).map((v) => v / 10_000)),
        (n, L, shrink, stream) => {
          // Sample covariance of L draws of a factor structure (so correlations are large), volatilities
          // spread over two orders of magnitude, random position signs, shrunk to the diagonal.
          const it = stream[Symbol.iterator]();
          const draw = () => it.next().value as number;
          const vol = Array.from({ length: n }, () => 10 ** (draw() - 2));
          const beta = Array.from({ length: n }, () => draw());
          const sign = Array.from({ length: n }, () => (draw() < 0 ? -1 : 1));
          const R = Array.from({ length: L }, () => {
            const f = draw();
            return vol.map((v, i) => v * (beta[i] * f + 0.3 * draw()));
          });
          const mean = vol.map((_, i) => R.reduce((s, r) => s + r[i], 0) / L);
          const C = vol.map((_, i) =>
            vol.map((__, j) => {
              const c = R.reduce((s, r) => s + (r[i] - mean[i]) * (r[j] - mean[j]), 0) / Math.max(1, L - 1);
              return sign[i] * sign[j] * (i === j ? c : (1 - shrink) * c);
            }),
          );
          if (C.some((row, i) => !(row[i] > 0))) return; // a zero-variance draw: outside the contract
          const { x, sweeps } = kernel(C);
          const ref = referenceRiskParity(C);
          expect(sweeps).toBeLessThan(MAX_SWEEPS);
          expect(rcSpread(C, ref)).toBeLessThan(1e-12);
          expect(rcSpread(C, x)).toBeLessThan(1e-6);
          expect(Math.abs(x.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-12);
          x.forEach((v, i) => {
            expect(v).toBeGreaterThan(0);
            expect(Math.abs(v - ref[i]) / ref[i]).toBeLessThan(1e-8);
          });
        },
      ),
      { numRuns: 300, seed: 20261127 },
    );
  });
});
