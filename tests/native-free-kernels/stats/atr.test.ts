import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atr } from '../../../native-free-kernels/stats/atr.js';
import * as ref from '../../reference/atr.js';

/** Bars as (close, distance up to the high, distance down to the low): H >= C >= L > 0. */
const bars = fc
  .array(fc.tuple(fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 0, max: 0.9, noNaN: true })), {
    minLength: 1,
    maxLength: 150,
  })
  .map((rows) => ({
    high: Float64Array.from(rows, ([c, up]) => c + up),
    low: Float64Array.from(rows, ([c, , down]) => c * (1 - down)),
    close: Float64Array.from(rows, ([c]) => c),
  }));
const barsAndWindow = bars.chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: b.close.length })));

describe('atr', () => {
  it('matches a 3-bar ATR computed by hand', () => {
    // H = [10, 12, 15], L = [8, 9, 13], C = [9, 11, 14], window 2:
    // TR0 = 10 - 8 = 2; TR1 = max(12 - 9, |12 - 9|, |9 - 9|) = 3; TR2 = max(15 - 13, |15 - 11|, |13 - 11|) = 4 (gap up).
    // ATR1 = (2 + 3) / 2 = 2.5; ATR2 = (2.5·1 + 4) / 2 = 3.25.
    const out = new Float64Array(3);
    atr(Float64Array.of(10, 12, 15), Float64Array.of(8, 9, 13), Float64Array.of(9, 11, 14), 2, out, 3);
    expect(Array.from(out)).toEqual([NaN, 2.5, 3.25]);
  });

  it('uses the gap to the previous close when it exceeds the bar range', () => {
    // Gap down: bar 1 has H = 5, L = 4 after C0 = 10, so TR1 = max(1, |5 - 10|, |4 - 10|) = 6; window 1 gives ATR = TR.
    const out = new Float64Array(2);
    atr(Float64Array.of(11, 5), Float64Array.of(9, 4), Float64Array.of(10, 4.5), 1, out);
    expect(Array.from(out)).toEqual([2, 6]);
  });

  it("equals the reference's plain TR array and recursion on generated bars", () => {
    fc.assert(
      fc.property(barsAndWindow, ([{ high, low, close }, window]) => {
        const got = new Float64Array(close.length);
        const want = new Float64Array(close.length);
        atr(high, low, close, window, got);
        ref.atr(high, low, close, window, want);
        // Same operations on positive values, apart from the order of the seed sum: 1e-12 relative.
        for (let t = 0; t < close.length; t++) {
          if (Number.isNaN(want[t])) expect(got[t]).toBeNaN();
          else expect(Math.abs(got[t] - want[t])).toBeLessThanOrEqual(1e-12 * want[t]);
        }
      }),
    );
  });

  it('does not mutate its inputs', () => {
    fc.assert(
      fc.property(barsAndWindow, ([{ high, low, close }, window]) => {
        const before = [Array.from(high), Array.from(low), Array.from(close)];
        atr(high, low, close, window, new Float64Array(close.length));
        expect([Array.from(high), Array.from(low), Array.from(close)]).toEqual(before);
      }),
    );
  });

  it('rejects a window outside [1, n] and mismatched lengths', () => {
    const a = new Float64Array(3);
    expect(() => atr(a, a, a, 4, new Float64Array(3))).toThrow(/window must be an integer in \[1, n = 3\]/);
    expect(() => atr(a, new Float64Array(2), a, 2, new Float64Array(3), 3)).toThrow(/n <= every input length/);
  });
});
