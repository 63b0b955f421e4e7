/**
 * The fast `sma_cross` kernel against the plain reference (tests/reference/sma-cross.ts, written
 * from the spec without sight of the kernel): every metric to 1e-9 relative, and the equity curve,
 * on the embedded real data and on seeded random walks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT } from '../../../native-free-kernels/portfolio/metrics.js';
import type { Panel } from '../../../src/data/types.js';
import { createEvaluator } from '../../../src/simulation/evaluator.js';
import { paramLayout } from '../../../src/config/param-layout.js';
import { createRng } from '../../../src/rng.js';
import { contextFor, panelFromOpenClose, randomWalk } from '../../helpers/panel.js';
import { referenceSmaCross } from '../../reference/sma-cross.js';
import { testConfig } from '../../helpers/config.js';

const cfg = testConfig();
const layout = paramLayout(cfg, 'sma_cross');
const PERIODS = 252;

function readOpenClose(file: string): { open: number[]; close: number[] } {
  const lines = readFileSync(join(import.meta.dirname, '..', '..', '..', 'data', file), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(','));
  return { open: rows.map((r) => Number(r[1])), close: rows.map((r) => Number(r[4])) };
}

function expectClose(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected)) return expect(actual, what).toBeNaN();
  if (!Number.isFinite(expected)) return expect(actual, what).toBe(expected);
  const scale = Math.max(Math.abs(expected), 1e-12);
  expect(Math.abs(actual - expected) / scale, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
}

function compare(panel: Panel, bars: { open: number[]; close: number[] }, fast: number, slow: number, feeBps: number, initial: number, start = 0, end = panel.T): void {
  const ctx = contextFor(panel, { initialCapital: initial, periodsPerYear: PERIODS, fee: feeBps / 1e4, start, end });
  const ev = createEvaluator(layout, ctx);
  const row = new Float64Array(layout.params.length).fill(NaN);
  row[layout.column.get('fast')!] = fast;
  row[layout.column.get('slow')!] = slow;
  const F = new Float64Array(METRIC_COUNT);
  const equity = new Float64Array(panel.T);
  ev.evaluateWithEquity(row, equity, F);
  const ref = referenceSmaCross(bars, { fast, slow, feeBps, initialCapital: initial, periodsPerYear: PERIODS, start, end });
  const tag = `fast=${fast} slow=${slow} fee=${feeBps} window=[${start}, ${end})`;
  for (const name of Object.keys(Metric) as (keyof typeof Metric)[]) {
    expectClose(F[Metric[name]], ref.metrics[name], `${tag} ${name}`);
  }
  ref.equity.forEach((e, i) => expectClose(equity[start + i], e, `${tag} equity[${start + i}]`));
}

describe('sma_cross kernel vs the independent reference', () => {
  it('matches on the embedded S&P 500 series over a grid of windows and fees', () => {
    const bars = readOpenClose('sp500_daily_ohlcv_2000_2020.csv');
    const panel = panelFromOpenClose(bars.open, bars.close);
    for (const [fast, slow] of [[2, 3], [5, 20], [10, 50], [20, 100], [50, 200], [3, 250]] as const) {
      for (const fee of [0, 5, 25]) compare(panel, bars, fast, slow, fee, 1);
    }
  });

  it('matches on search and hold-out windows, where the averages reach back before the window', () => {
    const bars = readOpenClose('sp500_daily_ohlcv_2000_2020.csv');
    const panel = panelFromOpenClose(bars.open, bars.close);
    for (const [start, end] of [[252, 3892], [3892, 5105], [1000, 1001], [1000, 1003]] as const) {
      for (const [fast, slow] of [[5, 20], [20, 100], [50, 200]] as const) compare(panel, bars, fast, slow, 5, 1, start, end);
    }
  });

  it('does not trade on a long constant series, where running sums carry the rounding of the whole series', () => {
    for (const [price, T] of [[33.37, 20_000], [100.1, 100_000]] as const) {
      const bars = { open: new Array<number>(T).fill(price), close: new Array<number>(T).fill(price) };
      const panel = panelFromOpenClose(bars.open, bars.close);
      for (const [fast, slow] of [[2, 5], [2, 300], [50, 200]] as const) {
        const F = new Float64Array(METRIC_COUNT);
        const row = new Float64Array(layout.params.length).fill(NaN);
        row[layout.column.get('fast')!] = fast;
        row[layout.column.get('slow')!] = slow;
        createEvaluator(layout, contextFor(panel)).evaluate(row, 1, F);
        expect(F[Metric.exposure], `${price} x ${T}, ${fast}/${slow}`).toBe(0);
      }
    }
  });

  it('does not trade on a constant price whose averages differ only by rounding', () => {
    const T = 300;
    const bars = { open: new Array<number>(T).fill(100.1), close: new Array<number>(T).fill(100.1) };
    const panel = panelFromOpenClose(bars.open, bars.close);
    for (const [fast, slow] of [[2, 3], [10, 50], [7, 13]] as const) {
      compare(panel, bars, fast, slow, 5, 1);
      const F = new Float64Array(METRIC_COUNT);
      const row = new Float64Array(layout.params.length).fill(NaN);
      row[layout.column.get('fast')!] = fast;
      row[layout.column.get('slow')!] = slow;
      createEvaluator(layout, contextFor(panel)).evaluate(row, 1, F);
      expect(F[Metric.total_trades]).toBe(0);
      expect(F[Metric.exposure]).toBe(0);
    }
  });

  it('matches on the MSFT year with a non-unit initial capital', () => {
    const bars = readOpenClose('msft_2000_2001_daily_ohlcv.csv');
    const panel = panelFromOpenClose(bars.open, bars.close);
    for (const [fast, slow] of [[2, 5], [5, 20], [10, 30]] as const) compare(panel, bars, fast, slow, 10, 10_000);
  });

  it('matches on seeded random walks (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 20, max: 400 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 50 }), (seed, T, fast, gap, fee) => {
        const bars = randomWalk(T, createRng(seed, 'walk'));
        compare(panelFromOpenClose(bars.open, bars.close), bars, fast, fast + gap, fee, 1);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same row for a candidate whether evaluated alone or inside a batch', () => {
    const bars = readOpenClose('msft_2000_2001_daily_ohlcv.csv');
    const ctx = contextFor(panelFromOpenClose(bars.open, bars.close), { initialCapital: 1, periodsPerYear: PERIODS, fee: 5e-4 });
    const ev = createEvaluator(layout, ctx);
    const d = layout.params.length;
    const pairs = [[3, 10], [5, 20], [8, 40], [3, 10]];
    const X = new Float64Array(pairs.length * d).fill(NaN);
    pairs.forEach(([f, s], r) => {
      X[r * d + layout.column.get('fast')!] = f!;
      X[r * d + layout.column.get('slow')!] = s!;
    });
    const F = new Float64Array(pairs.length * METRIC_COUNT);
    ev.evaluate(X, pairs.length, F);
    expect(F.subarray(0, METRIC_COUNT)).toEqual(F.subarray(3 * METRIC_COUNT, 4 * METRIC_COUNT));
    const alone = new Float64Array(METRIC_COUNT);
    ev.evaluate(X.subarray(d, 2 * d), 1, alone);
    expect(alone).toEqual(F.subarray(METRIC_COUNT, 2 * METRIC_COUNT));
  });
});
