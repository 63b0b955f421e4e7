/** windowCorrelation and windowCovariance against hand-checked cases and plain two-pass formulas. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowCorrelation, windowCovariance } from '../../../native-free-kernels/stats/correlation.js';

function meanOf(a: number[]): number {
  return a.reduce((x, y) => x + y, 0) / a.length;
}

/** Plain sample covariance (ddof 1). */
function cov(a: number[], b: number[]): number {
  const ma = meanOf(a), mb = meanOf(b);
  return a.reduce((s, v, i) => s + (v - ma) * (b[i] - mb), 0) / (a.length - 1);
}

describe('windowCorrelation / windowCovariance', () => {
  it('is 1 for proportional and -1 for opposite windows, 0 against a constant window', () => {
    // Series 0: 1, 2, 4, 3; series 1 = 2 x series 0; series 2 = -series 0; series 3 constant. T = 4.
    const x = Float64Array.from([1, 2, 4, 3, 2, 4, 8, 6, -1, -2, -4, -3, 5, 5, 5, 5]);
    expect(windowCorrelation(x, 1, 5, 3)).toBeCloseTo(1, 14);
    expect(windowCorrelation(x, 0, 8, 4)).toBeCloseTo(-1, 14);
    expect(windowCorrelation(x, 0, 12, 4)).toBe(0);
    // Bars 1..3 of series 0: 2, 4, 3 (mean 3): variance (1 + 1 + 0) / 2 = 1; with series 1 it doubles.
    expect(windowCovariance(x, 1, 1, 3)).toBe(1);
    expect(windowCovariance(x, 1, 5, 3)).toBe(2);
  });

  it('equals the plain formulas on random windows (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }).map((v) => v / 10_000), { minLength: 24, maxLength: 24 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 12 }), (vals, L, from) => {
        const x = Float64Array.from(vals);
        const start = Math.min(from, 12 - L);
        const a = vals.slice(start, start + L), b = vals.slice(12 + start, 12 + start + L);
        const c = cov(a, b), va = cov(a, a), vb = cov(b, b);
        expect(Math.abs(windowCovariance(x, start, 12 + start, L) - c)).toBeLessThan(1e-15);
        const rho = va > 0 && vb > 0 ? c / Math.sqrt(va * vb) : 0;
        expect(Math.abs(windowCorrelation(x, start, 12 + start, L) - rho)).toBeLessThan(1e-12);
      }),
      { numRuns: 200 },
    );
  });
});
