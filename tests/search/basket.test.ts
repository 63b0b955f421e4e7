/**
 * Basket choice in the search space: the layout's basket columns and bounds, the row checks, the
 * baseline fill, and the projection of unit-cube points into the bounds (src/search/basket.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basketParam, encodeNamedValues, paramLayout, rowProblems, type ParamLayout } from '../../src/config/param-layout.js';
import type { PnloptConfig } from '../../src/config/load.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { feasibleRegion } from '../../src/search/constraints.js';
import { decodePoints } from '../../src/search/encoding.js';
import { familyVersion } from '../../src/simulation/families/index.js';
import { testConfig } from '../helpers/config.js';

const base = testConfig();

/** The test config with other basket bounds and asset classes. */
function withBasket(basket: Partial<PnloptConfig['strategy']['basket']>, classes: Record<string, string> = {}): PnloptConfig {
  return {
    ...base,
    strategy: {
      ...base.strategy,
      basket: { ...base.strategy.basket, ...basket },
      asset_classes: { ...base.strategy.asset_classes, tickers: { ...base.strategy.asset_classes.tickers, ...classes } },
    },
  };
}

/** Tickers held by a decoded row, by name. */
function held(layout: ParamLayout, X: Float64Array, offset = 0): string[] {
  return layout.basket!.tickers.filter((t) => X[offset + layout.column.get(basketParam(t))!] === 0);
}

describe('the basket columns of a layout', () => {
  it('adds one on/off column per ticker, sorted, for a basket family on several tickers only', () => {
    const layout = paramLayout(base, 'ts_ensemble', ['MSFT', 'AAPL', 'SPY']);
    const plain = paramLayout(base, 'ts_ensemble', ['MSFT']);
    expect(layout.params.length).toBe(plain.params.length + 3);
    expect(layout.params.slice(plain.params.length).map((p) => p.name)).toEqual(['basket_AAPL', 'basket_MSFT', 'basket_SPY']);
    expect(plain.basket).toBeNull();
    expect(paramLayout(base, 'sma_cross', ['MSFT', 'AAPL']).basket).toBeNull();
    // The panel's order does not change the space or the family version; the bounds and the ticker set do.
    expect(paramLayout(base, 'ts_ensemble', ['SPY', 'MSFT', 'AAPL']).params).toEqual(layout.params);
    expect(familyVersion(paramLayout(base, 'ts_ensemble', ['SPY', 'MSFT', 'AAPL']))).toBe(familyVersion(layout));
    expect(familyVersion(paramLayout(withBasket({ min_size: 2 }), 'ts_ensemble', ['MSFT', 'AAPL', 'SPY']))).not.toBe(familyVersion(layout));
    expect(familyVersion(paramLayout(base, 'ts_ensemble', ['MSFT', 'AAPL']))).not.toBe(familyVersion(layout));
    // Without basket columns the version is the plain space's.
    expect(familyVersion(plain)).toBe(familyVersion(paramLayout(base, 'ts_ensemble', ['SPY'])));
  });

  it('refuses bounds no basket of the loaded tickers can meet, naming the key', () => {
    expect(() => paramLayout(withBasket({ min_size: 4 }), 'ts_ensemble', ['A', 'B', 'C'])).toThrow(ConfigError);
    expect(() => paramLayout(withBasket({ min_size: 4 }), 'ts_ensemble', ['A', 'B', 'C'])).toThrow(/basket\.min_size.*at most 3/);
    // Two bond tickers capped at one leave at most two of the three.
    const capped = withBasket({ min_size: 3, max_per_asset_class: { bond: 1 } }, { B: 'bond', C: 'bond' });
    expect(() => paramLayout(capped, 'ts_ensemble', ['A', 'B', 'C'])).toThrow(/at most 2/);
  });

  it('refuses a ticker whose name cannot be a column of a CSV header or a --params list', () => {
    expect(() => paramLayout(base, 'ts_ensemble', ['A', 'B,C'])).toThrow(UsageError);
    expect(() => paramLayout(base, 'ts_ensemble', ['A', 'x=1'])).toThrow(/ticker "x=1" cannot name a basket column/);
    expect(paramLayout(base, 'ts_ensemble', ['^GSPC', 'BRK.B', 'BTC-USD']).basket!.tickers).toEqual(['BRK.B', 'BTC-USD', '^GSPC']);
    // A family without basket columns takes any name.
    expect(paramLayout(base, 'ts_ensemble', ['B,C']).basket).toBeNull();
  });
});

describe('rowProblems and encodeNamedValues on a basket', () => {
  const cfg = withBasket({ min_size: 2, max_size: 3, max_per_asset_class: { bond: 1 } }, { B: 'bond', C: 'bond' });
  const layout = paramLayout(cfg, 'ts_ensemble', ['A', 'B', 'C', 'D']);
  const baseline = new Map(Object.entries(cfg.strategy.families.ts_ensemble.baseline!).map(([k, v]) => [k, String(v)]));

  it('fills unnamed basket columns with the first tickers the bounds allow (a baseline)', () => {
    const { row, problems } = encodeNamedValues(layout, baseline);
    expect(problems).toEqual([]);
    // A in; B in (the first bond); C out (bond limit 1); D in (size 3 = max_size).
    expect(held(layout, row)).toEqual(['A', 'B', 'D']);
    // Named ones count first: with B out, C takes the bond place.
    expect(held(layout, encodeNamedValues(layout, new Map([...baseline, ['basket_B', 'off']])).row)).toEqual(['A', 'C', 'D']);
  });

  it('names each broken bound', () => {
    const named = (on: string[]) => new Map([...baseline, ...['A', 'B', 'C', 'D'].map((t) => [basketParam(t), on.includes(t) ? 'on' : 'off'] as [string, string])]);
    expect(encodeNamedValues(layout, named(['A'])).problems).toEqual(['the basket holds 1 ticker(s), fewer than basket.min_size 2']);
    expect(encodeNamedValues(layout, named(['A', 'B', 'C', 'D'])).problems).toEqual([
      'the basket holds 4 tickers (A, B, C, D), more than basket.max_size 3',
      'the basket holds 2 tickers of asset class bond, more than basket.max_per_asset_class.bond 1',
    ]);
    expect(encodeNamedValues(layout, named(['A', 'C'])).problems).toEqual([]);
  });
});

describe('the projection into the basket bounds (property)', () => {
  it('lands inside, moves only basket columns that break a bound, by exactly 1/2, and keeps a point inside as it is', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (K, minRaw, extra, bondCap, seed) => {
          const tickers = Array.from({ length: K }, (_, k) => `T${k}`);
          // Every other ticker a bond, under a cap; the bounds are clipped to what can be met.
          const bonds = Object.fromEntries(tickers.filter((_, k) => k % 2 === 1).map((t) => [t, 'bond']));
          const reachable = K - Math.max(0, Object.keys(bonds).length - bondCap);
          const min = Math.min(minRaw, reachable);
          const cfg = withBasket({ min_size: min, max_size: Math.min(K, min + extra), max_per_asset_class: { bond: bondCap } }, bonds);
          const layout = paramLayout(cfg, 'ts_ensemble', tickers);
          const region = feasibleRegion(layout)!;
          const d = layout.params.length;
          let s = seed;
          const U = Float64Array.from({ length: d }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31));
          const before = U.slice();
          const wasInside = region.holds(U, 0);
          region.project(U, 0);
          expect(region.holds(U, 0)).toBe(true);
          const X = new Float64Array(d);
          decodePoints(layout, U, 1, X);
          expect(rowProblems(layout, X).filter((p) => p.startsWith('the basket'))).toEqual([]);
          for (let j = 0; j < d; j++) {
            if (U[j] === before[j]) continue;
            expect(wasInside).toBe(false);
            expect(j).toBeGreaterThanOrEqual(layout.basket!.first);
            expect(Math.abs(U[j] - before[j])).toBeCloseTo(0.5, 12);
            expect(U[j]).toBeGreaterThanOrEqual(0);
            expect(U[j]).toBeLessThan(1);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('drops the tickers nearest the on/off boundary first (hand-checked)', () => {
    const cfg = withBasket({ min_size: 1, max_size: 2 });
    const layout = paramLayout(cfg, 'ts_ensemble', ['A', 'B', 'C', 'D']);
    const region = feasibleRegion(layout)!;
    const U = new Float64Array(layout.params.length).fill(0.3);
    const f = layout.basket!.first;
    // All four in (u < 0.5); C (0.45) and A (0.4) are nearest the boundary: they go.
    U.set([0.4, 0.1, 0.45, 0.2], f);
    region.project(U, 0);
    expect(Array.from(U.subarray(f, f + 4))).toEqual([0.9, 0.1, 0.95, 0.2]);
    // All out: the one nearest the boundary (smallest u) comes in.
    U.set([0.9, 0.7, 0.6, 0.8], f);
    region.project(U, 0);
    expect(Array.from(U.subarray(f, f + 4)).map((u) => Math.round(u * 100) / 100)).toEqual([0.9, 0.7, 0.1, 0.8]);
  });
});
