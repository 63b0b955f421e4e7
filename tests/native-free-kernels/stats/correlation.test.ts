/** rollingAbsCorrelation against hand-checked cases and a plain Pearson correlation per window. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rollingAbsCorrelation } from '../../../native-free-kernels/stats/correlation.js';

/** Plain Pearson correlation of two equal-length arrays; 0 when either has zero variance. */
function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((x, y) => x + y, 0) / a.length;
  const mb = b.reduce((x, y) => x + y, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? Math.min(1, Math.abs(sab) / Math.sqrt(saa * sbb)) : 0;
}

describe('rollingAbsCorrelation', () => {
  it('is 1 for proportional and for opposite series, 0 before a full window and with one series', () => {
    // Series 0: 1, 2, 4, 3, 5; series 1 = 2 x series 0; series 2 = -series 0. First valid index 1, window 3.
    const r = Float64Array.from([9, 1, 2, 4, 3, 9, 2, 4, 8, 6, 9, -1, -2, -4, -3]);
    const out = new Float64Array(15);
    rollingAbsCorrelation(r, 3, 5, 1, 3, out);
    // Full windows end at t = 3 and 4; before that 0 (index 0 is not a valid value).
    for (let k = 0; k < 3; k++) {
      expect(Array.from(out.subarray(k * 5, k * 5 + 3))).toEqual([0, 0, 0]);
      expect(out[k * 5 + 3]).toBeCloseTo(1, 12);
      expect(out[k * 5 + 4]).toBeCloseTo(1, 12);
    }
    const one = new Float64Array(5);
    rollingAbsCorrelation(r.subarray(0, 5), 1, 5, 1, 3, one);
    expect(Array.from(one)).toEqual([0, 0, 0, 0, 0]);
  });

  it('equals the mean |Pearson| with the other series over each window (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 5, max: 30 }), fc.integer({ min: 2, max: 6 }), fc.infiniteStream(fc.integer({ min: -1000, max: 1000 }).map((v) => v / 10_000)), (K, T, window, values) => {
        const r = new Float64Array(K * T);
        const it = values[Symbol.iterator]();
        for (let i = 0; i < r.length; i++) r[i] = it.next().value as number;
        const out = new Float64Array(K * T);
        rollingAbsCorrelation(r, K, T, 1, window, out);
        for (let k = 0; k < K; k++) {
          for (let t = 0; t < T; t++) {
            let expected = 0;
            if (t >= window) {
              for (let j = 0; j < K; j++) {
                if (j === k) continue;
                const a = Array.from(r.subarray(k * T + t - window + 1, k * T + t + 1));
                const b = Array.from(r.subarray(j * T + t - window + 1, j * T + t + 1));
                expected += Math.abs(pearson(a, b)) / (K - 1);
              }
            }
            expect(Math.abs(out[k * T + t] - expected)).toBeLessThan(1e-9);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
