import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { psi, psiWorkspaceLength } from '../../../native-free-kernels/stats/psi.js';
import * as ref from '../../reference/psi.js';

function workspaceFor(expected: Float64Array, bins: number): Float64Array {
  return new Float64Array(psiWorkspaceLength(expected.length, bins));
}

/** Samples with many ties (small integers) or continuous values, with some NaN. */
const value = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 4, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(NaN) },
);
const sample = fc.array(value, { minLength: 0, maxLength: 80 }).map((a) => Float64Array.from(a));
const bins = fc.integer({ min: 1, max: 12 });
const eps = fc.constantFrom(1e-6, 1e-4, 1e-2);

describe('psi', () => {
  it('matches a hand-counted two-bin example', () => {
    // expected = 1..10, bins = 2: median edge h = 9·1/2 = 4.5 -> 5 + 0.5·(6 - 5) = 5.5.
    // expected counts [5, 5] -> e = [0.5, 0.5]; actual = [1, 2, 3, 6, 7, 8, 9, 10] counts [3, 5] -> a = [3/8, 5/8].
    // PSI = (3/8 - 1/2)·ln(3/4) + (5/8 - 1/2)·ln(5/4) = 0.125·(ln 1.25 - ln 0.75) = 0.125·ln(5/3).
    const expected = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    const actual = Float64Array.of(1, 2, 3, 6, 7, 8, 9, 10);
    const ws = workspaceFor(expected, 2);
    expect(psi(expected, actual, 2, 1e-6, ws)).toBeCloseTo(0.125 * Math.log(5 / 3), 15);
    expect(Array.from(ws.subarray(0, 3))).toEqual([1, 5.5, 10]); // edges q_0..q_2 stay in the workspace
  });

  it('matches a hand-counted example with tied edges and an eps-floored bin', () => {
    // expected = [1, 1, 1, 1, 2, 2, 3, 4], bins = 4, h_k = 7k/4:
    // q1 = s[1] + 0.75·(s[2] - s[1]) = 1; q2 = s[3] + 0.5·(s[4] - s[3]) = 1.5; q3 = s[5] + 0.25·(s[6] - s[5]) = 2.25.
    // Bins (-inf, 1), [1, 1.5), [1.5, 2.25), [2.25, inf): the tied 1s sit on edge q1 and go above it,
    // so expected counts are [0, 4, 2, 2] -> e = [eps, 1/2, 1/4, 1/4].
    // actual = [0.5, 1, 2, 3] -> one per bin -> a = [1/4, 1/4, 1/4, 1/4].
    // PSI = (1/4 - eps)·ln(1/4 / eps) + (1/4 - 1/2)·ln(1/2) + 0 + 0.
    const eps = 1e-6;
    const expected = Float64Array.of(1, 1, 1, 1, 2, 2, 3, 4);
    const got = psi(expected, Float64Array.of(0.5, 1, 2, 3), 4, eps, workspaceFor(expected, 4));
    expect(got).toBeCloseTo((0.25 - eps) * Math.log(0.25 / eps) + -0.25 * Math.log(0.5), 12);
  });

  it('is 0 for identical samples and when all edges coincide', () => {
    const x = Float64Array.of(3, 1, 4, 1, 5, 9, 2, 6);
    expect(psi(x, x, 4, 1e-6, workspaceFor(x, 4))).toBe(0);
    // A constant expected sample: every edge is 7, so all mass of both samples is in the last bin.
    const flat = new Float64Array(5).fill(7);
    expect(psi(flat, Float64Array.of(7, 8, 100), 5, 1e-6, workspaceFor(flat, 5))).toBe(0);
  });

  it('ignores NaN and is NaN for a sample without finite values', () => {
    const e = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    const withNaN = Float64Array.of(1, NaN, 2, 3, 6, 7, 8, NaN, 9, 10);
    const clean = Float64Array.of(1, 2, 3, 6, 7, 8, 9, 10);
    const ws = workspaceFor(e, 2);
    expect(psi(e, withNaN, 2, 1e-6, ws)).toBe(psi(e, clean, 2, 1e-6, ws));
    expect(psi(e, Float64Array.of(NaN), 2, 1e-6, ws)).toBeNaN();
    expect(psi(Float64Array.of(NaN), clean, 2, 1e-6, workspaceFor(clean, 2))).toBeNaN();
  });

  it('equals the plain-array reference and is non-negative on generated samples', () => {
    fc.assert(
      fc.property(sample, sample, bins, eps, (expected, actual, b, e) => {
        const got = psi(expected, actual, b, e, workspaceFor(expected, b));
        const want = ref.psi(expected, actual, b, e);
        if (Number.isNaN(want)) {
          expect(got).toBeNaN();
          return;
        }
        // Same counts and the same sum order: equal up to rounding (1e-12 relative).
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * want);
        expect(got).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('does not mutate its samples', () => {
    fc.assert(
      fc.property(sample, sample, bins, (expected, actual, b) => {
        const before = [Array.from(expected), Array.from(actual)];
        psi(expected, actual, b, 1e-6, workspaceFor(expected, b));
        expect([Array.from(expected), Array.from(actual)]).toEqual(before);
      }),
    );
  });

  it('rejects a short workspace, bins < 1 and eps <= 0', () => {
    const x = new Float64Array(10);
    expect(() => psi(x, x, 3, 1e-6, new Float64Array(19))).toThrow(/psiWorkspaceLength\(10, 3\) = 20/);
    expect(() => psi(x, x, 0, 1e-6, new Float64Array(20))).toThrow(/bins must be an integer >= 1/);
    expect(() => psi(x, x, 3, 0, new Float64Array(20))).toThrow(/eps must be > 0/);
  });
});
