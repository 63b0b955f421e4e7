import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logReturns } from '../../../native-free-kernels/stats/returns.js';
import * as ref from '../../reference/returns.js';

const closes = fc.array(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 200 }).map((a) => Float64Array.from(a));

describe('logReturns', () => {
  it('matches hand-computed values', () => {
    // Reference: closes [100, 110, 99]: NaN, ln(110/100) = ln 1.1, ln(99/110) = ln 0.9.
    const out = new Float64Array(3);
    logReturns(Float64Array.of(100, 110, 99), out);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(Math.log(1.1), 15);
    expect(out[2]).toBeCloseTo(Math.log(0.9), 15);
  });

  it('equals the difference of logs ln C_t - ln C_{t-1} on generated closes', () => {
    fc.assert(
      fc.property(closes, (c) => {
        const got = new Float64Array(c.length);
        const want = new Float64Array(c.length);
        logReturns(c, got);
        ref.logReturns(c, want);
        // Both routes are exact up to rounding: the kernel's ratio is off by <= eps relative (so its
        // log by <= eps absolute), the reference's logs by ~eps·|ln C| each. Hence 1e-12 relative
        // plus 4·eps·(1 + |ln C_t| + |ln C_{t-1}|) absolute.
        for (let t = 1; t < c.length; t++) {
          const abs = 4 * Number.EPSILON * (1 + Math.abs(Math.log(c[t])) + Math.abs(Math.log(c[t - 1])));
          expect(Math.abs(got[t] - want[t])).toBeLessThanOrEqual(1e-12 * Math.abs(want[t]) + abs);
        }
        if (c.length > 0) expect(got[0]).toBeNaN();
      }),
    );
  });

  it('does not mutate its input and writes only out[0..n)', () => {
    fc.assert(
      fc.property(closes, (c) => {
        const before = Array.from(c);
        const out = new Float64Array(c.length + 1).fill(-1);
        logReturns(c, out);
        expect(Array.from(c)).toEqual(before);
        expect(out[c.length]).toBe(-1);
      }),
    );
  });

  it('rejects n beyond the input or the output', () => {
    expect(() => logReturns(new Float64Array(2), new Float64Array(3), 3)).toThrow(/n <= close.length/);
    expect(() => logReturns(new Float64Array(3), new Float64Array(2))).toThrow(/out.length >= n/);
  });
});
