/**
 * Tests of the reference itself: hand-computed backtests (derivations in the comments), the metric
 * formulas on tiny inputs, and fill-accounting identities checked with fast-check.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  refCalibrationError,
  refMaxDrawdown,
  refProfitFactor,
  refSharpe,
  refTotalProfit,
  refTotalReturn,
  refWinRate,
} from './metrics.js';
import { refSma, refSmaCrossTargets, referenceSmaCross } from './sma-cross.js';

/** |actual - expected| <= rel * |expected| (exact match required when expected is 0). */
function expectRel(actual: number, expected: number, rel = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

function expectAllRel(actual: number[], expected: number[], rel = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectRel(actual[i], expected[i], rel);
}

describe('referenceSmaCross on a hand-computed 12-bar series (fast=2, slow=3, 10 bps)', () => {
  // t:       0   1   2   3   4   5   6   7   8   9  10  11
  const close = [10, 11, 12, 11, 10, 9, 10, 12, 13, 11, 10, 10];
  const open = [10, 10, 11, 12, 11, 10, 9, 10, 10, 13, 12, 10];
  // SMA2 (t>=1): -, 10.5, 11.5, 11.5, 10.5, 9.5, 9.5, 11, 12.5, 12, 10.5, 10
  // SMA3 (t>=2): -, -, 11, 34/3, 11, 10, 29/3, 31/3, 35/3, 12, 34/3, 31/3
  // s_t: t0,t1 undefined SMA3 -> 0; t2 11.5>11 -> 1; t3 11.5>11.33 -> 1; t4 10.5<11 -> 0;
  //      t5 9.5<10 -> 0; t6 9.5<9.67 -> 0; t7 11>10.33 -> 1; t8 12.5>11.67 -> 1;
  //      t9 (13+11)/2 = 12 = (12+13+11)/3 -> equal -> 0; t10 10.5<11.33 -> 0; t11 10<10.33 -> 0.
  const targets = [0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0];
  // Fills: s2 -> entry at O3 = 12; s4 -> exit at O5 = 10; s7 -> entry at O8 = 10; s9 -> exit at O10 = 12.
  // Had equality counted as long, the second exit would have been decided at t10 and filled at O11 = 10.
  // f = 0.001, E_{-1} = 1000.
  // t0..t2 flat: E = 1000.
  // t3 entry: units1 = 1000 / (12 * 1.001) = 1000 / 12.012; E3 = units1 * 11 = 11000 / 12.012.
  // t4: E4 = units1 * 10 = 10000 / 12.012.
  // t5 exit: c1 = units1 * 10 * 0.999 = 9990 / 12.012 (= 831.668...); E5 = E6 = E7 = c1.
  //   pnl1 = c1 - 1000 = -2022 / 12.012 (= -168.33...), entryEquity 1000.
  // t8 entry: units2 = c1 / (10 * 1.001) = c1 / 10.01; E8 = c1 * 13 / 10.01.
  // t9: E9 = c1 * 11 / 10.01.
  // t10 exit: c2 = units2 * 12 * 0.999 = c1 * 11.988 / 10.01; E10 = E11 = c2.
  //   pnl2 = c2 - c1 = c1 * 1.978 / 10.01 (= +164.34...), entryEquity c1.
  const c1 = 9990 / 12.012;
  const c2 = (c1 * 11.988) / 10.01;
  const equity = [
    1000, 1000, 1000, 11000 / 12.012, 10000 / 12.012, c1, c1, c1,
    (c1 * 13) / 10.01, (c1 * 11) / 10.01, c2, c2,
  ];
  const params = { fast: 2, slow: 3, feeBps: 10, initialCapital: 1000, periodsPerYear: 252 };
  const result = referenceSmaCross({ open, close }, params);

  it('computes the SMAs and targets worked out above', () => {
    expect(refSma(close, 3, 1)).toBeNaN();
    expect(refSma(close, 3, 3)).toBe(34 / 3);
    expect(refSma(close, 2, 9)).toBe(12);
    expect(refSma(close, 3, 9)).toBe(12);
    expect(refSmaCrossTargets(close, 2, 3)).toEqual(targets);
  });

  it('marks the equity worked out above at every close', () => {
    expectAllRel(result.equity, equity);
  });

  it('records both round trips with fee-inclusive pnl from cash before entry to cash after exit', () => {
    expect(result.trades.map((t) => [t.entryBar, t.exitBar])).toEqual([[3, 5], [8, 10]]);
    expectRel(result.trades[0].entryEquity, 1000);
    expectRel(result.trades[0].pnl, -2022 / 12.012);
    expectRel(result.trades[1].entryEquity, c1);
    expectRel(result.trades[1].pnl, (c1 * 1.978) / 10.01);
  });

  it('computes every metric worked out by hand', () => {
    const m = result.metrics;
    // Open ratios cancel ((10/12) * (12/10) = 1), leaving two round-trip fee factors 0.999/1.001.
    expectRel(m.total_return, (0.999 / 1.001) ** 2 - 1); // -0.0039920...
    expectRel(m.total_profit, 1000 * ((0.999 / 1.001) ** 2 - 1)); // -3.9920...
    // Peak 1000 (E_{-1}..E2), trough c1 at t5: 1 - c1/1000 = 2022/12012 = 0.168331...
    // The later peak E8 = 1080.09 falls to E9 = 913.92, only 1 - 11/13 = 0.1538.
    expectRel(m.max_drawdown, 2022 / 12012);
    // r_1..r_11 = 0, 0, 11/12.012-1, 10/11-1, 0.999-1, 0, 0, 13/10.01-1, 11/13-1, 11.988/11-1, 0
    //          = 0, 0, -0.0842491, -0.0909091, -0.001, 0, 0, 0.2987013, -0.1538462, 0.0898182, 0
    // mean = 0.00531955922865, var (ddof 1) = 0.0136010506877, std = 0.116623542596,
    // sharpe = mean / std * sqrt(252) = 0.724085231344 (exact fractions, then one sqrt).
    expectRel(m.sharpe, 0.7240852313444541, 1e-9);
    expect(m.total_trades).toBe(2);
    expect(m.win_rate).toBe(0.5);
    // pnl2 / |pnl1| = 164.3397 / 168.3317
    expectRel(m.profit_factor, ((c1 * 1.978) / 10.01) / (2022 / 12.012));
    expect(m.calibration_error).toBeNaN();
  });

  it('does not mutate its inputs', () => {
    const o = [...open];
    const c = [...close];
    referenceSmaCross({ open: o, close: c }, params);
    expect(o).toEqual(open);
    expect(c).toEqual(close);
  });
});

describe('referenceSmaCross edge cases', () => {
  it('marks a position still open at the end at C_{T-1} and does not fill an order decided at the last bar', () => {
    // close 1,2,3,4,1: SMA2 t1..t4 = 1.5, 2.5, 3.5, 2.5; SMA3 t2..t4 = 2, 3, 8/3.
    // s = 0,0,1,1,0: entry fills at O3 = 4; the exit decided at t4 = T-1 never fills.
    // units = 1 / (4 * 1.001) = 1/4.004; E3 = 4/4.004; E4 = 1/4.004 (marked at C4 = 1).
    const r = referenceSmaCross(
      { open: [1, 2, 3, 4, 2], close: [1, 2, 3, 4, 1] },
      { fast: 2, slow: 3, feeBps: 10, initialCapital: 1, periodsPerYear: 252 },
    );
    expectAllRel(r.equity, [1, 1, 1, 4 / 4.004, 1 / 4.004]);
    expect(r.trades).toEqual([]);
    expectRel(r.metrics.total_return, 1 / 4.004 - 1);
    expectRel(r.metrics.total_profit, 1 / 4.004 - 1);
    // Peak E_{-1} = 1 (E3 = 0.999 never exceeds it): 1 - 1/4.004 = 0.75025.
    expectRel(r.metrics.max_drawdown, 1 - 1 / 4.004);
    // r = 0, 0, 4/4.004 - 1, 1/4 - 1 = 0, 0, -0.000999001, -0.75; mean = -0.18774975025,
    // var (ddof 1) = 0.140500374376, sharpe = mean / sqrt(var) * sqrt(252) = -7.95135049637.
    expectRel(r.metrics.sharpe, -7.9513504963710995, 1e-9);
    expect(r.metrics.total_trades).toBe(0);
    expect(r.metrics.win_rate).toBeNaN();
    // No trades means no losing trade: +Infinity (null in JSON).
    expect(r.metrics.profit_factor).toBe(Infinity);
  });

  it('never trades on constant prices, where the two SMAs are always equal', () => {
    const flat = Array.from({ length: 10 }, () => 5);
    const r = referenceSmaCross(
      { open: flat, close: flat },
      { fast: 2, slow: 3, feeBps: 10, initialCapital: 100, periodsPerYear: 252 },
    );
    expect(refSmaCrossTargets(flat, 2, 3)).toEqual(flat.map(() => 0));
    expect(r.equity).toEqual(flat.map(() => 100));
    expect(r.trades).toEqual([]);
    expect(r.metrics.total_return).toBe(0);
    expect(r.metrics.total_profit).toBe(0);
    expect(r.metrics.max_drawdown).toBe(0);
    expect(r.metrics.sharpe).toBeNaN(); // every return 0, std 0
    expect(r.metrics.total_trades).toBe(0);
    expect(r.metrics.win_rate).toBeNaN();
    expect(r.metrics.profit_factor).toBe(Infinity);
  });

  it('counts equal SMAs as flat and delays the entry to the first strict crossing', () => {
    // close 4,2,6,5,5: t2 SMA2 = 4 = SMA3 -> 0; t3 SMA2 = 5.5 > 13/3 -> 1; t4 SMA2 = 5 < 16/3 -> 0.
    // So the entry fills at O4 = 5 (not O3), E4 = units * C4 = (1/5) * 5 = 1 with no fee.
    const close = [4, 2, 6, 5, 5];
    const open = [4, 3, 2, 6, 5];
    expect(refSmaCrossTargets(close, 2, 3)).toEqual([0, 0, 0, 1, 0]);
    const r = referenceSmaCross({ open, close }, { fast: 2, slow: 3, feeBps: 0, initialCapital: 1, periodsPerYear: 252 });
    expect(r.equity).toEqual([1, 1, 1, 1, 1]);
    expect(r.trades).toEqual([]);
  });

  it('handles an empty series', () => {
    const r = referenceSmaCross({ open: [], close: [] }, { fast: 2, slow: 3, feeBps: 10, initialCapital: 1, periodsPerYear: 252 });
    expect(r.equity).toEqual([]);
    expect(r.metrics.total_return).toBe(0);
    expect(r.metrics.max_drawdown).toBe(0);
    expect(r.metrics.sharpe).toBeNaN();
  });

  it('rejects parameters outside 1 <= fast < slow and mismatched columns', () => {
    const bars = { open: [1, 2, 3], close: [1, 2, 3] };
    const p = { fast: 2, slow: 3, feeBps: 0, initialCapital: 1, periodsPerYear: 252 };
    expect(() => referenceSmaCross(bars, { ...p, fast: 3 })).toThrow(/fast < slow/);
    expect(() => referenceSmaCross(bars, { ...p, fast: 0 })).toThrow(/fast < slow/);
    expect(() => referenceSmaCross({ open: [1, 2], close: [1, 2, 3] }, p)).toThrow(/bars/);
  });
});

describe('reference metrics', () => {
  it('max_drawdown counts E_{-1} as a peak, so a first-bar loss registers', () => {
    expectRel(refMaxDrawdown([0.9, 0.95], 1), 0.1); // 1 - 0.9 / 1
    expectRel(refMaxDrawdown([1.2, 0.9, 1.5, 1.2], 1), 0.25); // 1 - 0.9/1.2 beats 1 - 1.2/1.5 = 0.2
    expect(refMaxDrawdown([1, 1.1, 1.2], 1)).toBe(0);
    expect(refMaxDrawdown([], 1)).toBe(0);
  });

  it('sharpe uses returns between consecutive closes with ddof = 1', () => {
    // r = 0.1, -0.1, 0.1 (the step from E_{-1} is not a return); mean = 1/30,
    // var = (2 (1/15)^2 + (2/15)^2) / 2 = 1/75, mean/std = sqrt(75)/30 = sqrt(3)/6,
    // times sqrt(252): sqrt(252/12) = sqrt(21).
    expectRel(refSharpe([1, 1.1, 0.99, 1.089], 252), Math.sqrt(21), 1e-9);
    expect(refSharpe([1, 2], 252)).toBeNaN(); // T < 3
    expect(refSharpe([1, 2, 4], 252)).toBeNaN(); // r = 1, 1: std exactly 0
  });

  it('total_return and total_profit read the last close against E_{-1}', () => {
    expect(refTotalReturn([2, 3], 2)).toBe(0.5);
    expect(refTotalProfit([2, 3], 2)).toBe(1);
    expect(refTotalReturn([], 2)).toBe(0);
    expect(refTotalProfit([], 2)).toBe(0);
  });

  it('win_rate counts pnl > 0 only', () => {
    expect(refWinRate([1, -1, 0, 2])).toBe(0.5);
    expect(refWinRate([])).toBeNaN();
  });

  it('profit_factor is +Infinity with no losing trade and 0 with losers only', () => {
    expect(refProfitFactor([3, -1, -1, 0])).toBe(1.5); // 3 / |-2|
    expect(refProfitFactor([1, 2])).toBe(Infinity);
    expect(refProfitFactor([0])).toBe(Infinity);
    expect(refProfitFactor([])).toBe(Infinity);
    expect(refProfitFactor([-1, -2])).toBe(0);
  });

  it('calibration_error is the mean absolute forecast miss', () => {
    expectRel(refCalibrationError([0.1, -0.05], [0.05, 0.05]), 0.075); // (0.05 + 0.1) / 2
    expect(refCalibrationError([], [])).toBeNaN();
    expect(() => refCalibrationError([0.1], [])).toThrow();
  });
});

describe('referenceSmaCross fill accounting (property)', () => {
  const price = fc.double({ min: 1, max: 1000, noNaN: true, noDefaultInfinity: true });
  const series = fc.array(fc.tuple(price, price), { minLength: 8, maxLength: 60 });
  // At least 8 bars: with fast-check's bias to short arrays, shorter series rarely trade (4 in 5 of
  // these runs close a trade; the metric tests above cover the empty and tiny cases).
  const windows = fc.integer({ min: 1, max: 4 }).chain((fast) =>
    fc.tuple(fc.constant(fast), fc.integer({ min: fast + 1, max: fast + 5 })),
  );

  /**
   * Rebuilds the fills from the targets alone: the position from bar t's open on is s_{t-1}, so
   * the entries and exits are where it switches. Then E_{T-1} / E_{-1} must be the product of
   * per-trade factors (O_exit (1-f)) / (O_entry (1+f)), times C_{T-1} / (O_entry (1+f)) for a
   * position still open.
   */
  function checkIdentity(rows: [number, number][], fast: number, slow: number, feeBps: number): void {
    const open = rows.map((r) => r[0]);
    const close = rows.map((r) => r[1]);
    const T = close.length;
    const f = feeBps / 1e4;
    const s = refSmaCrossTargets(close, fast, slow);
    const fills: [number, number][] = [];
    let openEntry = -1;
    let factor = 1;
    for (let t = 1; t < T; t++) {
      const prev = t >= 2 ? s[t - 2] : 0;
      if (s[t - 1] === 1 && prev === 0) openEntry = t;
      if (s[t - 1] === 0 && prev === 1) {
        fills.push([openEntry, t]);
        factor *= (open[t] * (1 - f)) / (open[openEntry] * (1 + f));
        openEntry = -1;
      }
    }
    if (openEntry >= 0) factor *= close[T - 1] / (open[openEntry] * (1 + f));

    const r = referenceSmaCross({ open, close }, { fast, slow, feeBps, initialCapital: 1, periodsPerYear: 252 });
    expect(r.trades.map((tr) => [tr.entryBar, tr.exitBar])).toEqual(fills);
    for (const tr of r.trades) {
      // Compared as 1 + return: a return near 0 would make a relative check meaningless.
      expectRel((tr.entryEquity + tr.pnl) / tr.entryEquity, (open[tr.exitBar] * (1 - f)) / (open[tr.entryBar] * (1 + f)));
    }
    // E_{T-1} / E_{-1} is 1 + total_return; read from equity, since 1 + (x - 1) loses digits when x is small.
    expectRel(r.equity[T - 1], factor);
  }

  it('with no fee, E_{T-1} / E_{-1} is the product of exit/entry open ratios and the open mark ratio', () => {
    fc.assert(fc.property(series, windows, (rows, [fast, slow]) => checkIdentity(rows, fast, slow, 0)));
  });

  it('with fees, each round trip scales equity by (1-f)/(1+f) times its open ratio', () => {
    const fee = fc.double({ min: 0, max: 100, noNaN: true });
    fc.assert(fc.property(series, windows, fee, (rows, [fast, slow], bps) => checkIdentity(rows, fast, slow, bps)));
  });
});
