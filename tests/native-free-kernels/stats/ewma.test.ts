import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ewma } from '../../../native-free-kernels/stats/ewma.js';
import * as ref from '../../reference/ewma.js';

/** Values in [-1e3, 1e3] with ~15% NaN (missing bars), including leading NaNs. */
const series = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(NaN) }), {
    minLength: 0,
    maxLength: 150,
  })
  .map((a) => Float64Array.from(a));
const alpha = fc.double({ min: 1e-3, max: 1, noNaN: true });

describe('ewma', () => {
  it('matches hand-computed values', () => {
    // Reference: alpha = 0.5 over [1, 2, 3]: out0 = 1; out1 = 0.5·2 + 0.5·1 = 1.5; out2 = 0.5·3 + 0.5·1.5 = 2.25
    const out = new Float64Array(3);
    ewma(Float64Array.of(1, 2, 3), 0.5, out);
    expect(Array.from(out)).toEqual([1, 1.5, 2.25]);
  });

  it('skips NaN bars: NaN before the first value, then the previous output repeats', () => {
    // alpha = 0.5 over [NaN, 2, NaN, 4]: NaN; seed 2; skipped -> 2; 0.5·4 + 0.5·2 = 3
    // (one decay step for the skipped bar would give 0.5·4 + 0.5·(0.5·2) = 2.5 instead).
    const out = new Float64Array(4);
    ewma(Float64Array.of(NaN, 2, NaN, 4), 0.5, out);
    expect(Array.from(out)).toEqual([NaN, 2, 2, 3]);
  });

  it('equals the closed-form weighted sum on generated series', () => {
    fc.assert(
      fc.property(series, alpha, (x, a) => {
        const got = new Float64Array(x.length);
        const want = new Float64Array(x.length);
        ewma(x, a, got);
        ref.ewma(x, a, want);
        // Each output is a convex combination of at most 150 inputs, so both forms round to within
        // ~150·eps·max|x| of the exact value; 1e-12·max|x| bounds their difference.
        const scale = x.reduce((m, v) => (Number.isNaN(v) ? m : Math.max(m, Math.abs(v))), Number.MIN_VALUE);
        for (let t = 0; t < x.length; t++) {
          if (Number.isNaN(want[t])) expect(got[t]).toBeNaN();
          else expect(Math.abs(got[t] - want[t])).toBeLessThanOrEqual(1e-12 * scale);
        }
      }),
    );
  });

  it('with alpha = 1 is the input with NaN bars filled forward', () => {
    const out = new Float64Array(5);
    ewma(Float64Array.of(NaN, 3, NaN, -1, 7), 1, out);
    expect(Array.from(out)).toEqual([NaN, 3, 3, -1, 7]);
  });

  it('gives the same result in place (out = x) and leaves x alone otherwise', () => {
    fc.assert(
      fc.property(series, alpha, (x, a) => {
        const before = Array.from(x);
        const out = new Float64Array(x.length);
        ewma(x, a, out);
        expect(Array.from(x)).toEqual(before);
        const inPlace = x.slice();
        ewma(inPlace, a, inPlace);
        expect(Array.from(inPlace)).toEqual(Array.from(out));
      }),
    );
  });

  it('writes only out[0..n)', () => {
    const out = new Float64Array(4).fill(-1);
    ewma(Float64Array.of(1, 2, 3, 4), 0.5, out, 2);
    expect(Array.from(out)).toEqual([1, 1.5, -1, -1]);
  });

  it('rejects alpha outside (0, 1] and a short out buffer', () => {
    const x = new Float64Array(3);
    expect(() => ewma(x, 0, new Float64Array(3))).toThrow(/alpha must be in \(0, 1\]/);
    expect(() => ewma(x, 1.5, new Float64Array(3))).toThrow(RangeError);
    expect(() => ewma(x, 0.5, new Float64Array(2))).toThrow(/out.length >= n/);
  });
});
