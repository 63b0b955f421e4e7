/**
 * ARX kernel against tests/reference/arx.ts (explicit design matrix, normal equations solved by
 * Gaussian elimination with partial pivoting), plus exact recovery of noiseless models.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArxOrders, arxCoefficientCount, arxFit, arxPredict, createArxWorkspace } from '../../../native-free-kernels/forecast/arx.js';
import { createRng } from '../../../src/rng.js';
import { refArxFit, refArxPredict } from '../../reference/arx.js';

function gaussian(seed: number, n: number, scale: number): Float64Array {
  const rng = createRng(seed, 'arx-test');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return out;
}

function fit(y: Float64Array, X: Float64Array, start: number, end: number, o: ArxOrders, ridge = 0) {
  const coef = new Float64Array(arxCoefficientCount(o));
  const std = arxFit(y, X, start, end, o, ridge, createArxWorkspace(o), coef);
  return { coef, std };
}

const none = new Float64Array(0);

describe('arxFit hand checks', () => {
  it('recovers the AR(1) coefficient of a noiseless geometric sequence exactly', () => {
    // y[t] = 0.05·0.8^t satisfies y[t] = 0 + 0.8·y[t−1] exactly, so least squares with an
    // intercept has the zero-residual solution (c, a) = (0, 0.8).
    const y = Float64Array.from({ length: 40 }, (_, t) => 0.05 * 0.8 ** t);
    const o = { p: 1, P: 0, s: 2, E: 0 };
    const { coef, std } = fit(y, none, 0, 40, o);
    expect(Math.abs(coef[1] - 0.8)).toBeLessThan(1e-12);
    expect(Math.abs(coef[0])).toBeLessThan(1e-14);
    expect(std).toBeLessThan(1e-15);
    // Forecast made at bar 39 for bar 40: 0.8·y[39] = 0.05·0.8^40.
    const ext = Float64Array.from({ length: 41 }, (_, t) => 0.05 * 0.8 ** t);
    expect(arxPredict(ext, none, 40, o, coef)).toBeCloseTo(0.05 * 0.8 ** 40, 15);
  });

  it('recovers a seasonal lag and an exogenous column, reading X at τ − 1', () => {
    // y[τ] = 0.01 + 0.5·y[τ−4] + 2·X[τ−1]: X random, y built forward from four random seeds.
    const n = 60;
    const X = gaussian(1, n, 0.01);
    const y = gaussian(2, n, 0.01);
    for (let t = 4; t < n; t++) y[t] = 0.01 + 0.5 * y[t - 4] + 2 * X[t - 1];
    const { coef, std } = fit(y, X, 0, n, { p: 0, P: 1, s: 4, E: 1 });
    expect(coef[0]).toBeCloseTo(0.01, 12);
    expect(coef[1]).toBeCloseTo(0.5, 10);
    expect(coef[2]).toBeCloseTo(2, 10);
    expect(std).toBeLessThan(1e-14);
  });

  it('returns NaN for too few rows, non-finite inputs or a singular system', () => {
    const y = gaussian(3, 30, 0.01);
    const o = { p: 2, P: 0, s: 2, E: 0 };
    // k = 3 coefficients, max lag 2: [0, 5) has 3 rows, not more than k.
    expect(Number.isNaN(fit(y, none, 0, 5, o).std)).toBe(true);
    expect(Number.isFinite(fit(y, none, 0, 6, o).std)).toBe(true);
    const withNaN = y.slice();
    withNaN[10] = NaN;
    const bad = fit(withNaN, none, 0, 30, o);
    expect(Number.isNaN(bad.std) && Array.from(bad.coef).every(Number.isNaN)).toBe(true);
    // An all-zero exogenous column (a range on bars with H = L) makes XᵀX singular exactly:
    // no fit without a ridge, a fit with one.
    const flatX = new Float64Array(30);
    expect(Number.isNaN(fit(y, flatX, 0, 30, { ...o, E: 1 }).std)).toBe(true);
    expect(Number.isFinite(fit(y, flatX, 0, 30, { ...o, E: 1 }, 1e-6).std)).toBe(true);
  });

  it('rejects a range outside the series', () => {
    expect(() => fit(new Float64Array(10), none, -1, 10, { p: 1, P: 0, s: 2, E: 0 })).toThrow(RangeError);
    expect(() => fit(new Float64Array(10), none, 0, 11, { p: 1, P: 0, s: 2, E: 0 })).toThrow(RangeError);
  });
});

describe('arxFit against the reference', () => {
  it('matches coefficients, residual std and forecasts on random series and orders', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.nat(),
          p: fc.integer({ min: 0, max: 4 }),
          P: fc.integer({ min: 0, max: 2 }),
          // s > p: a seasonal lag equal to an AR lag would be a duplicate column.
          sOverP: fc.integer({ min: 1, max: 4 }),
          E: fc.integer({ min: 0, max: 3 }),
          start: fc.integer({ min: 0, max: 10 }),
          len: fc.integer({ min: 40, max: 120 }),
          ridge: fc.constantFrom(0, 1e-6, 0.1),
        }),
        ({ seed, p, P, sOverP, E, start, len, ridge }) => {
          const o = { p, P, s: Math.max(2, p + sOverP), E };
          const n = start + len + 1;
          const y = gaussian(seed, n, 0.01);
          const X = gaussian(seed + 1, n * E, 0.02);
          const [yBefore, XBefore] = [y.slice(), X.slice()];
          const end = start + len;
          const { coef, std } = fit(y, X, start, end, o, ridge);
          const yArr = Array.from(y);
          const XRows = Array.from({ length: n }, (_, t) => Array.from(X.subarray(t * E, (t + 1) * E)));
          const ref = refArxFit(yArr, XRows, start, end, o, ridge);
          for (let i = 0; i < coef.length; i++) expect(Math.abs(coef[i] - ref.coef[i])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(ref.coef[i])));
          expect(Math.abs(std - ref.residualStd)).toBeLessThanOrEqual(1e-9 * ref.residualStd);
          const f = arxPredict(y, X, end, o, coef);
          expect(Math.abs(f - refArxPredict(yArr, XRows, end, o, ref.coef))).toBeLessThanOrEqual(1e-11);
          expect(y).toEqual(yBefore);
          expect(X).toEqual(XBefore);
        },
      ),
      { numRuns: 60 },
    );
  });
});
