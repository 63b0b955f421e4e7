import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rollingMean, rollingStd } from '../../../native-free-kernels/stats/rolling.js';
import * as ref from '../../reference/rolling.js';
import { createRng } from '../../../src/rng.js';

/**
 * Values in [-1e3, 1e3] with ~10% NaN, mixing round decimals (ties, zeros) with arbitrary doubles.
 * Magnitudes stay >= 1e-6 (or 0): the kernels' domain is prices and returns, and near-subnormal
 * values lose relative precision (their squares underflow) in any implementation.
 */
const value = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map((i) => i / 1e6),
  fc.tuple(fc.double({ min: 1e-6, max: 1e3, noNaN: true }), fc.boolean()).map(([v, negative]) => (negative ? -v : v)),
);
const series = fc
  .array(fc.oneof({ weight: 9, arbitrary: value }, { weight: 1, arbitrary: fc.constant(NaN) }), { minLength: 1, maxLength: 120 })
  .map((a) => Float64Array.from(a));
const seriesAndWindow = series.chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: 1, max: x.length })));

/** Largest |x| over the window ending at t: the scale of any rounding in a sum over it. */
function windowScale(x: Float64Array, t: number, window: number): number {
  let s = 0;
  for (let i = t - window + 1; i <= t; i++) s = Math.max(s, Math.abs(x[i]));
  return s;
}

/**
 * |got - want| <= 1e-12 · max|x| over the window, NaN where NaN. Relative to the window scale, not
 * to the result: a mean near 0 (or a std near 0) of large values is only known to ~window·eps·max|x|
 * by either implementation (the condition number of the sum), so a result-relative bound would
 * test rounding noise.
 */
function expectCloseToRef(got: Float64Array, want: Float64Array, x: Float64Array, window: number): void {
  for (let t = 0; t < want.length; t++) {
    if (Number.isNaN(want[t])) {
      expect(got[t], `t = ${t}`).toBeNaN();
      continue;
    }
    const tol = 1e-12 * Math.max(windowScale(x, t, window), Number.MIN_VALUE);
    expect(Math.abs(got[t] - want[t]), `t = ${t}: ${got[t]} vs ${want[t]}`).toBeLessThanOrEqual(tol);
  }
}

/** Geometric random walk from 100 with 1% daily moves: price-like data. */
function prices(n: number, seed: number): Float64Array {
  const rng = createRng(seed, 'rolling-prices');
  const x = new Float64Array(n);
  let p = 100;
  for (let t = 0; t < n; t++) {
    p *= Math.exp(0.01 * (rng() - 0.5) * Math.sqrt(12));
    x[t] = p;
  }
  return x;
}

/** Largest |got/want - 1| over the defined outputs. */
function maxRelativeError(got: Float64Array, want: Float64Array): number {
  let worst = 0;
  for (let t = 0; t < want.length; t++) {
    if (!Number.isNaN(want[t])) worst = Math.max(worst, Math.abs(got[t] / want[t] - 1));
  }
  return worst;
}

describe('rollingMean', () => {
  it('matches hand-computed values', () => {
    // Reference: rollingMean([1, 2, 3, 4], 2) = [NaN, (1+2)/2, (2+3)/2, (3+4)/2] = [NaN, 1.5, 2.5, 3.5]
    const out = new Float64Array(4);
    rollingMean(Float64Array.of(1, 2, 3, 4), 2, out);
    expect(Array.from(out)).toEqual([NaN, 1.5, 2.5, 3.5]);
  });

  it('is NaN for every window holding a NaN or an infinity, and recovers after it', () => {
    // Windows of 2 over [1, NaN, 3, 4, Inf, 6, 8]: {1,NaN} {NaN,3} -> NaN; {3,4} -> 3.5;
    // {4,Inf} {Inf,6} -> NaN; {6,8} -> 7.
    const out = new Float64Array(7);
    rollingMean(Float64Array.of(1, NaN, 3, 4, Infinity, 6, 8), 2, out);
    expect(Array.from(out)).toEqual([NaN, NaN, NaN, 3.5, NaN, NaN, 7]);
  });

  it('equals the per-window reference on generated series', () => {
    fc.assert(
      fc.property(seriesAndWindow, ([x, window]) => {
        const got = new Float64Array(x.length);
        const want = new Float64Array(x.length);
        rollingMean(x, window, got);
        ref.rollingMean(x, window, want);
        expectCloseToRef(got, want, x, window);
      }),
    );
  });

  it('stays within 1e-12 relative of the naive mean over 1e6 price-like bars', () => {
    const n = 1_000_000;
    const x = prices(n, 1);
    const got = new Float64Array(n);
    const want = new Float64Array(n);
    rollingMean(x, 50, got);
    ref.rollingMean(x, 50, want);
    expect(maxRelativeError(got, want)).toBeLessThan(1e-12);
  });

  it('reads only the first n values and writes only out[0..n)', () => {
    const out = new Float64Array(5).fill(-1);
    rollingMean(Float64Array.of(1, 2, 3, 1e9, 1e9), 2, out, 3);
    expect(Array.from(out)).toEqual([NaN, 1.5, 2.5, -1, -1]);
  });

  it('rejects a window outside [1, n] and a short out buffer', () => {
    const x = new Float64Array(3);
    expect(() => rollingMean(x, 4, new Float64Array(3))).toThrow(/window must be an integer in \[1, n = 3\]/);
    expect(() => rollingMean(x, 0, new Float64Array(3))).toThrow(RangeError);
    expect(() => rollingMean(x, 2, new Float64Array(2))).toThrow(/out.length >= n/);
  });
});

describe('rollingStd', () => {
  it('matches hand-computed values', () => {
    // Reference: [2, 4, 4, 4, 5, 5, 7, 9] has mean 5 and squared deviations 9,1,1,1,0,0,4,16 (sum 32):
    // population std sqrt(32/8) = 2, sample std sqrt(32/7).
    const x = Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9);
    const out = new Float64Array(8);
    rollingStd(x, 8, 0, out);
    expect(out[7]).toBe(2);
    expect(Array.from(out.subarray(0, 7)).every(Number.isNaN)).toBe(true);
    rollingStd(x, 8, 1, out);
    expect(out[7]).toBeCloseTo(Math.sqrt(32 / 7), 15);
    // Windows of 3 over [1, 2, 3, 4] with ddof 1: {1,2,3} and {2,3,4} both have M2 = 1 + 0 + 1 = 2, std sqrt(2/2) = 1.
    rollingStd(Float64Array.of(1, 2, 3, 4), 3, 1, out, 4);
    expect(Array.from(out.subarray(0, 4))).toEqual([NaN, NaN, 1, 1]);
  });

  it('equals the per-window two-pass reference on generated series', () => {
    const withDdof = seriesAndWindow.chain(([x, w]) => fc.tuple(fc.constant(x), fc.constant(w), fc.integer({ min: 0, max: Math.min(1, w - 1) })));
    fc.assert(
      fc.property(withDdof, ([x, window, ddof]) => {
        const got = new Float64Array(x.length);
        const want = new Float64Array(x.length);
        rollingStd(x, window, ddof, got);
        ref.rollingStd(x, window, ddof, want);
        expectCloseToRef(got, want, x, window);
      }),
    );
  });

  it('stays accurate after a level shift that would cancel the shifted sums', () => {
    // 60 bars of noise around 0, then 200 bars around 1e4 with std 1e-2: the sums shifted by the
    // first window's mean would cancel ~1e12-fold, so this checks the recompute guard. The
    // reference's two-pass is exact to ~1e-15 here (mean error ~1e-11 against std 1e-2).
    const rng = createRng(7, 'level-shift');
    const x = new Float64Array(260);
    for (let t = 0; t < x.length; t++) x[t] = (t < 60 ? 0 : 1e4) + (t < 60 ? 1 : 1e-2) * (rng() - 0.5);
    const got = new Float64Array(x.length);
    const want = new Float64Array(x.length);
    rollingStd(x, 30, 1, got);
    ref.rollingStd(x, 30, 1, want);
    expect(maxRelativeError(got.subarray(100), want.subarray(100))).toBeLessThan(1e-12);
  });

  it('stays within 1e-12 relative of the two-pass std over 1e6 price-like bars', () => {
    const n = 1_000_000;
    const x = prices(n, 2);
    const got = new Float64Array(n);
    const want = new Float64Array(n);
    rollingStd(x, 20, 1, got);
    ref.rollingStd(x, 20, 1, want);
    expect(maxRelativeError(got, want)).toBeLessThan(1e-12);
  });

  it('is exactly 0 on a constant window and NaN around a NaN', () => {
    // Windows of 2 over [5, 5, NaN, 5, 5]: {5,5} -> 0; {5,NaN} {NaN,5} -> NaN; {5,5} -> 0.
    const out = new Float64Array(5);
    rollingStd(Float64Array.of(5, 5, NaN, 5, 5), 2, 1, out);
    expect(Array.from(out)).toEqual([NaN, 0, NaN, NaN, 0]);
  });

  it('rejects ddof outside [0, window)', () => {
    const x = new Float64Array(4);
    expect(() => rollingStd(x, 2, 2, new Float64Array(4))).toThrow(/ddof must be in \[0, window = 2\)/);
    expect(() => rollingStd(x, 2, -1, new Float64Array(4))).toThrow(RangeError);
  });
});

describe('rolling kernels', () => {
  it('stay exact next to price spikes of 1e8 to 1e16 and levels down to 1e-4: a spike that left the window leaves no trace (property)', () => {
    const spike = fc.record({ at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), exp: fc.double({ min: 8, max: 16, noNaN: true }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 20, max: 300 }), fc.integer({ min: -4, max: 2 }), fc.array(spike, { minLength: 1, maxLength: 4 }), fc.integer({ min: 2, max: 20 }), (seed, n, level, spikes, window) => {
        const x = prices(n, seed).map((v) => (v / 100) * 10 ** level);
        for (const s of spikes) x[Math.floor(s.at * n)] = 10 ** s.exp;
        const got = new Float64Array(n);
        const want = new Float64Array(n);
        // Positive windows: both results are well conditioned, so they must agree relative to themselves.
        rollingMean(x, window, got);
        ref.rollingMean(x, window, want);
        expect(maxRelativeError(got, want)).toBeLessThan(1e-12);
        rollingStd(x, window, 1, got);
        ref.rollingStd(x, window, 1, want);
        expect(maxRelativeError(got, want)).toBeLessThan(1e-12);
      }),
      { numRuns: 100 },
    );
  });

  it('do not mutate their input', () => {
    fc.assert(
      fc.property(seriesAndWindow, ([x, window]) => {
        const before = Array.from(x);
        const out = new Float64Array(x.length);
        rollingMean(x, window, out);
        rollingStd(x, window, 0, out);
        expect(Array.from(x)).toEqual(before);
      }),
    );
  });
});
