/** The unit-cube encoding: values in range, equal strata for integers and choices, inactive = NaN. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePoints, decodeValue, encodeValue } from '../../src/search/encoding.js';
import { paramLayout, rowProblems } from '../../src/config/param-layout.js';
import { feasibleRegion } from '../../src/search/constraints.js';
import { testConfig } from '../helpers/config.js';

const cfg = testConfig();

describe('decodeValue', () => {
  it('maps by hand-checked formulas', () => {
    expect(decodeValue({ type: 'uniform', low: 2, high: 6 }, 0.25)).toBe(3);
    // log-uniform on [0.01, 1]: u = 0.5 is the geometric midpoint 0.1.
    expect(decodeValue({ type: 'log_uniform', low: 0.01, high: 1 }, 0.5)).toBeCloseTo(0.1, 15);
    // int on [2, 5] has 4 strata of width 0.25: u in [0.5, 0.75) -> 4.
    expect(decodeValue({ type: 'int', low: 2, high: 5 }, 0.5)).toBe(4);
    expect(decodeValue({ type: 'int', low: 2, high: 5 }, 0.7499)).toBe(4);
    expect(decodeValue({ type: 'int', low: 2, high: 5 }, 0.9999999)).toBe(5);
    expect(decodeValue({ type: 'categorical', choices: ['a', 'b', 'c'] }, 0.34)).toBe(1);
  });

  it('gives every integer the same share of the cube (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 40 }), (low, width) => {
        const spec = { type: 'int' as const, low, high: low + width };
        const k = width + 1;
        for (let s = 0; s < k; s++) {
          // Points just inside both edges of stratum s (an exact edge s / k may round either way).
          expect(decodeValue(spec, (s + 1e-6) / k)).toBe(low + s);
          expect(decodeValue(spec, (s + 1 - 1e-6) / k)).toBe(low + s);
        }
      }),
    );
  });
});

describe('decodePoints', () => {
  it('decodes every family, projected into its feasible region, to rows that pass the layout checks (property)', () => {
    for (const family of Object.keys(cfg.strategy.families)) {
      // Three tickers: the basket families get their basket columns and bounds.
      const layout = paramLayout(cfg, family, ['AAA', 'BBB', 'CCC']);
      const d = layout.params.length;
      const region = feasibleRegion(layout);
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: d, maxLength: d }), (u) => {
          const U = Float64Array.from(u);
          region?.project(U, 0);
          const X = new Float64Array(d);
          decodePoints(layout, U, 1, X);
          expect(rowProblems(layout, X)).toEqual([]);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('leaves a conditional parameter inactive when its condition fails', () => {
    const layout = paramLayout(cfg, 'ts_ensemble', ['SPX']);
    const d = layout.params.length;
    const U = new Float64Array(d).fill(0.5);
    const sizing = layout.params[layout.column.get('sizing')!].spec;
    if (sizing.type !== 'categorical') throw new Error('sizing must be categorical');
    U[layout.column.get('sizing')!] = sizing.choices.indexOf('kelly') / sizing.choices.length;
    const X = new Float64Array(d);
    decodePoints(layout, U, 1, X);
    expect(X[layout.column.get('kelly_cap')!]).not.toBeNaN();
    expect(X[layout.column.get('fixed_fraction')!]).toBeNaN();
    expect(X[layout.column.get('vol_target_annual')!]).toBeNaN();
  });
});

describe('encodeValue', () => {
  it('inverts decodeValue: integers exactly (stratum centres), continuous values to rounding (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 400 }), (u, low, width) => {
        const int = { type: 'int' as const, low, high: low + width };
        const k = decodeValue(int, u);
        expect(decodeValue(int, encodeValue(int, k))).toBe(k);
        const uniform = { type: 'uniform' as const, low, high: low + width };
        expect(decodeValue(uniform, encodeValue(uniform, decodeValue(uniform, u)))).toBeCloseTo(decodeValue(uniform, u), 9);
        const log = { type: 'log_uniform' as const, low: 0.01, high: 0.01 + width };
        const x = decodeValue(log, u);
        expect(Math.abs(decodeValue(log, encodeValue(log, x)) / x - 1)).toBeLessThan(1e-12);
      }),
    );
    // Out of range values clamp to the cube.
    expect(encodeValue({ type: 'uniform', low: 0, high: 1 }, 2)).toBeLessThan(1);
    expect(encodeValue({ type: 'int', low: 5, high: 9 }, 1)).toBe(0);
  });
});
