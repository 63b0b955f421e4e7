/**
 * The fast `sma_cross` kernel against the plain reference (tests/reference/sma-cross.ts, written
 * from the spec without sight of the kernel): every metric to 1e-9 relative, and the equity curve,
 * on the embedded real data and on seeded random walks, with price spikes and falling prices, and
 * once through the built CLI (run `npm run build` first).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT } from '../../../native-free-kernels/portfolio/metrics.js';
import type { Panel } from '../../../src/data/types.js';
import { createEvaluator } from '../../../src/simulation/evaluator.js';
import { paramLayout } from '../../../src/config/param-layout.js';
import { createRng } from '../../../src/rng.js';
import { settingsFromConfig } from '../../../src/simulation/build-context.js';
import { createContext, derivedColumns, type SimulationContext, type SimulationSettings } from '../../../src/simulation/context.js';
import { panelFromOpenClose, randomWalk } from '../../helpers/panel.js';
import { runCli } from '../../helpers/cli.js';
import { referenceSmaCross } from '../../reference/sma-cross.js';
import { testConfig } from '../../helpers/config.js';

const cfg = testConfig();
const layout = paramLayout(cfg, 'sma_cross', []);
const PERIODS = 252;

/** The context `contextFor` of tests/helpers/panel.ts builds, with the config loaded once for the file. */
function contextFor(panel: Panel, over: Partial<SimulationSettings> = {}): SimulationContext {
  const derived = derivedColumns(panel, { assetClassOf: () => 'equity' });
  return createContext(panel, derived, null, null, { ...settingsFromConfig(cfg, 0, panel.T), ...over });
}

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
  expect(F[Metric.total_trades], `${tag} total_trades`).toBe(ref.metrics.total_trades);
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

  it('matches with price spikes of 1e8 to 1e16 and levels down to 1e-4 anywhere in the series (property)', () => {
    // A spike before the traded window or before a window's first bar still sits in every later
    // prefix sum; the decisions and the return sums must not feel it (issue 10).
    const spike = fc.record({ at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), exp: fc.double({ min: 8, max: 16, noNaN: true }), where: fc.constantFrom('close', 'open', 'both') });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 30, max: 300 }),
        fc.integer({ min: -4, max: 2 }),
        fc.array(spike, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (seed, T, level, spikes, fast, gap, fee, startShare) => {
          const walk = randomWalk(T, createRng(seed, 'spiky-walk'));
          const bars = { open: walk.open.map((v) => v * 10 ** level), close: walk.close.map((v) => v * 10 ** level) };
          for (const s of spikes) {
            const t = Math.floor(s.at * T);
            if (s.where !== 'open') bars.close[t] = 10 ** s.exp;
            if (s.where !== 'close') bars.open[t] = 10 ** s.exp;
          }
          const panel = panelFromOpenClose(bars.open, bars.close);
          compare(panel, bars, fast, fast + gap, fee, 1, Math.floor(startShare * T));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches over several prefix blocks on a price rising from 1e-4 to 100 and falling back, with spikes, for windows within and beyond a block', () => {
    // The benchmark's synthetic series wanders over orders of magnitude too: series-wide prefix
    // sums of its large prices swamp every later window of small ones. Prefix blocks are 2,048
    // bars; slow windows above 513 bars read the series-wide sums.
    const T = 6000;
    const peak = 4500;
    const walk = randomWalk(T, createRng(11, 'rise-and-fall'));
    const level = (t: number) => 1e-4 * Math.exp(Math.log(1e6) * (t < peak ? t / peak : (T - t) / (T - peak)));
    const bars = { open: walk.open.map((v, t) => (v / 100) * level(t)), close: walk.close.map((v, t) => (v / 100) * level(t)) };
    bars.close[700] = 1e16;
    bars.open[3100] = 1e12;
    bars.close[4700] = 1e9;
    const panel = panelFromOpenClose(bars.open, bars.close);
    for (const [fast, slow] of [[2, 5], [5, 20], [20, 513], [30, 514], [100, 700]] as const) compare(panel, bars, fast, slow, 5, 1, 0, T);
    compare(panel, bars, 10, 40, 5, 1, 2500, 5200);
    // The case needs positions held across block boundaries (where the kernel moves to the next block's sums).
    const trades = [[2, 5], [5, 20], [20, 513]].flatMap(([fast, slow]) => referenceSmaCross(bars, { fast, slow, feeBps: 5, initialCapital: 1, periodsPerYear: PERIODS }).trades);
    for (const boundary of [2048, 4096]) expect(trades.some((tr) => tr.entryBar < boundary && tr.exitBar > boundary), `a trade across bar ${boundary}`).toBe(true);
  });

  it('decides averages at the 1e-12 equality threshold exactly as the reference, after a spike or not', () => {
    // A constant price with one close raised every 20 bars so that SMA_2 / SMA_5 - 1 sweeps the
    // threshold 1e-12 in steps of 1e-17: near it only the reference's own rounding decides, so the
    // kernel must fall back to summing the windows as the reference does.
    const p = 100.1;
    const threshold = 1e-12 / (1 / 2 - 1 / 5);
    for (const spike of [false, true]) {
      const close: number[] = [];
      for (let j = -100; j <= 100; j++) close.push(...new Array<number>(19).fill(p), p * (1 + threshold * (1 + j * 1e-5)));
      if (spike) close[3] = 1e12;
      const bars = { open: close.slice(), close };
      compare(panelFromOpenClose(bars.open, bars.close), bars, 2, 5, 0, 1);
    }
  });

  it('equals the reference through the built CLI on the S&P 500 series with a bad tick of 1e12, one of 1e16 and one of 1e-4', () => {
    const [header, ...lines] = readFileSync(join(import.meta.dirname, '..', '..', '..', 'data', 'sp500_daily_ohlcv_2000_2020.csv'), 'utf8').trim().split('\n');
    const rows = lines.map((l) => l.split(','));
    // Columns date, open, high, low, close, volume; the high and low follow the bad close.
    for (const [k, v] of [[1000, 1e12], [3000, 1e16], [4000, 1e-4]] as const) {
      rows[k][4] = String(v);
      rows[k][2] = String(Math.max(v, Number(rows[k][1])));
      rows[k][3] = String(Math.min(v, Number(rows[k][1])));
    }
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-sma-spikes-'));
    try {
      const file = join(dir, 'spiky.csv');
      writeFileSync(file, [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
      const bars = { open: rows.map((r) => Number(r[1])), close: rows.map((r) => Number(r[4])) };
      const sim = cfg.strategy.simulation;
      for (const [fast, slow] of [[5, 20], [50, 200]] as const) {
        const r = runCli(['backtest', '--data', file, '--strategy', 'sma_cross', '--params', `fast=${fast},slow=${slow}`, '--fee-bps', '5', '--json']);
        expect(r.code, r.stderr).toBe(0);
        const got = (JSON.parse(r.stdout) as { metrics: Record<string, number | string | null> }).metrics;
        const ref = referenceSmaCross(bars, { fast, slow, feeBps: 5, initialCapital: sim.initial_capital, periodsPerYear: sim.periods_per_year });
        expect(got.total_trades).toBe(ref.metrics.total_trades);
        for (const name of Object.keys(Metric) as (keyof typeof Metric)[]) {
          const v = got[name];
          expectClose(v === null ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v), ref.metrics[name], `${fast}/${slow} ${name}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
