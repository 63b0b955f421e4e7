/**
 * The paper-trading engine: with one configuration for every bar and multiplier 1 it reproduces
 * the backtest kernel's equity curve bit for bit and its trade count (both ts families); its books
 * reconcile with its fills on random sessions (configurations switching per ticker and bar, random
 * multipliers); the multiplier scales a trade's capital at risk and the guardrail still caps it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decision } from '../../native-free-kernels/portfolio/decision.js';
import { Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { PnloptConfig } from '../../src/config/load.js';
import { paramLayout, type ParamLayout } from '../../src/config/param-layout.js';
import { alignPanel } from '../../src/data/panel.js';
import { generateSynthetic } from '../../src/data/synth.js';
import type { Panel } from '../../src/data/types.js';
import { buildContext } from '../../src/jobs/context.js';
import { createRng } from '../../src/rng.js';
import { decodePoints } from '../../src/search/encoding.js';
import type { SimulationContext } from '../../src/simulation/context.js';
import { createEvaluator } from '../../src/simulation/evaluator.js';
import { familyModule, type LiveStrategy } from '../../src/simulation/families/index.js';
import { feasibleRegion } from '../../src/search/constraints.js';
import { initialPaperState, markToClose, runPaperBars, type PaperFill, type Route } from '../../src/simulation/paper-engine.js';
import { booksOf } from '../../src/store/paper-book.js';
import { testConfig } from '../helpers/config.js';

const FAMILIES = ['ts_ensemble', 'ts_with_fallback'] as const;
const N = 24;
const START = 30;
let cacheDir: string;
let cfg: PnloptConfig;
const cases = new Map<string, { layout: ParamLayout; ctx: SimulationContext; X: Float64Array }>();

function rows(layout: ParamLayout, seed: string, n: number): Float64Array {
  const d = layout.params.length;
  const rand = createRng(3, seed);
  const U = new Float64Array(n * d).map(() => rand());
  // Into the feasible region, as the search proposes them (baskets within their bounds).
  const region = feasibleRegion(layout);
  for (let i = 0; i < n; i++) region?.project(U, i * d);
  const X = new Float64Array(n * d);
  decodePoints(layout, U, n, X);
  return X;
}

const route = (row: ArrayLike<number>, configId: number | null = null): Route => ({ row: Array.from(row), source: configId === null ? 'baseline' : 'cache', configId, regime: 'all', mode: null });

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'pnlopt-paper-engine-'));
  const base = testConfig();
  cfg = { ...base, runtime: { ...base.runtime, runtime: { ...base.runtime.runtime, cache_dir: cacheDir } } };
  const data = generateSynthetic({ tickers: 3, bars: 400, seed: 5, config: cfg.synthetic });
  const panel = alignPanel(data);
  for (const family of FAMILIES) {
    const layout = paramLayout(cfg, family, panel.tickers);
    cases.set(family, { layout, ctx: await buildContext(cfg, layout, panel, data.hash, { start: START, end: panel.T }), X: rows(layout, family, N) });
  }
}, 120_000);

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe.each(FAMILIES)('%s: one configuration throughout is the backtest', (family) => {
  it('gives the kernel\'s equity curve bit for bit and its closed trades', () => {
    const { layout, ctx, X } = cases.get(family)!;
    const d = layout.params.length;
    const panel = ctx.panel;
    const evaluator = createEvaluator(layout, ctx);
    const live = familyModule(layout).createLive!(layout, ctx);
    let trading = 0;
    for (let r = 0; r < N; r++) {
      const row = X.subarray(r * d, (r + 1) * d);
      const kernelEquity = new Float64Array(panel.T);
      const F = new Float64Array(METRIC_COUNT);
      evaluator.evaluateWithEquity(row, kernelEquity, F);
      const state = initialPaperState(panel.tickers.length, cfg.strategy.simulation.initial_capital);
      const paperEquity = new Float64Array(panel.T);
      let closed = 0;
      const only = route(row);
      runPaperBars({
        live, panel, from: START, to: panel.T, state, fee: ctx.settings.fee, routeAt: () => only, multiplier: () => 1,
        onBar: (t, fills) => {
          paperEquity[t] = markToClose(state, panel, t);
          closed += fills.filter((f) => f.realizedPnl !== null).length;
        },
      });
      for (let t = START; t < panel.T; t++) expect(Object.is(paperEquity[t], kernelEquity[t]), `row ${r}, bar ${t}: ${paperEquity[t]} vs ${kernelEquity[t]}`).toBe(true);
      expect(closed).toBe(F[Metric.total_trades]);
      if (closed > 0) trading++;
    }
    // Half the rows or more trade (the others leave tickers out or filter every signal), so the
    // parity above covers fills and exits, not only flat books.
    expect(trading).toBeGreaterThanOrEqual(N / 2);
  });
});

/** Closes of each ticker at bar t, by name. */
const closeAt = (panel: Panel, t: number) => (ticker: string) => panel.close[panel.tickers.indexOf(ticker) * panel.T + t];

describe('books reconcile with the fills', () => {
  it('cash, positions and equity follow from the fills and the closes on random sessions', () => {
    const { layout, ctx, X } = cases.get('ts_with_fallback')!;
    const d = layout.params.length;
    const panel = ctx.panel;
    const live = familyModule(layout).createLive!(layout, ctx);
    const routes = Array.from({ length: N }, (_, r) => route(X.subarray(r * d, (r + 1) * d), r));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: N - 1 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom(0.25, 0.3, 1, 1.2, 3), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: START, max: 200 }),
        fc.integer({ min: 1, max: 40 }),
        (choice, mult, from, every) => {
          const state = initialPaperState(panel.tickers.length, 1e6);
          const fills: PaperFill[] = [];
          const to = panel.T;
          runPaperBars({
            live, panel, from, to, state, fee: ctx.settings.fee,
            // Configurations switch every `every` bars, differently per ticker.
            routeAt: (k, t) => routes[choice[(Math.floor(t / every) + k) % choice.length]],
            multiplier: (k) => mult[k],
            onBar: (_t, f) => fills.push(...f),
          });
          const rowsOf = fills.map((f) => ({ ticker: panel.tickers[f.k], side: f.side, quantity: f.quantity, price: f.price, fees: f.fees, realized_pnl: f.realizedPnl }));
          const books = booksOf(rowsOf, 1e6, closeAt(panel, to - 1));
          const scale = 1e6;
          expect(Math.abs(books.cash - state.cash)).toBeLessThanOrEqual(1e-9 * scale);
          expect(Math.abs(books.equity - markToClose(state, panel, to - 1))).toBeLessThanOrEqual(1e-9 * scale);
          panel.tickers.forEach((ticker, k) => {
            const units = state.positions[k]?.units ?? 0;
            expect(Math.abs((books.positions[ticker] ?? 0) - units)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(units)));
          });
          // A closed trade's PnL is the cash it moved: opening and closing fills net of fees.
          const realized = fills.filter((f) => f.realizedPnl !== null).reduce((s, f) => s + f.realizedPnl!, 0);
          expect(Math.abs(books.realizedPnl - realized)).toBeLessThanOrEqual(1e-9 * scale);
          for (const f of fills) expect(f.quantity).toBeGreaterThan(0);
        },
      ),
      { numRuns: 40, seed: 20261203 },
    );
  });
});

/** A strategy that always asks for `weight` long with risk distance `risk`, guardrail `car`, at market without costs. */
function fixedStrategy(weight: number, risk: number, car: number): LiveStrategy {
  return {
    layout: { params: [] } as unknown as ParamLayout,
    assetClass: new Int32Array([0]),
    select: () => undefined,
    decide: (_k, _t, out) => {
      out.fill(NaN);
      out[Decision.direction] = 1;
      out[Decision.weight] = weight;
      out[Decision.riskDistance] = risk;
      out[Decision.sigma] = 0;
      out[Decision.classCap] = 10;
      out[Decision.grossCap] = 10;
      out[Decision.capitalAtRisk] = car;
    },
    stopDistance: () => NaN,
    slippage: () => 0,
  };
}

/** The weight of the position the first order opens: its notional over the equity at the decision. */
function enteredWeight(strategy: LiveStrategy, multiplier: number): number {
  const panel: Panel = { tickers: ['A'], T: 3, time: new Float64Array([0, 86_400_000, 172_800_000]), open: new Float64Array([100, 100, 100]), high: new Float64Array([100, 100, 100]), low: new Float64Array([100, 100, 100]), close: new Float64Array([100, 100, 100]), volume: new Float64Array([1, 1, 1]) };
  const state = initialPaperState(1, 1000);
  const fills: PaperFill[] = [];
  runPaperBars({ live: strategy, panel, from: 0, to: 2, state, fee: 0, routeAt: () => route([]), multiplier: () => multiplier, onBar: (_t, f) => fills.push(...f) });
  expect(fills).toHaveLength(1);
  return (fills[0].quantity * fills[0].price) / 1000;
}

describe('the regime-state multiplier', () => {
  it('scales a trade\'s capital at risk when the guardrail does not bind (weight 0.1 x risk 0.1 = 0.01 under 0.02)', () => {
    const s = fixedStrategy(0.1, 0.1, 0.02);
    expect(enteredWeight(s, 1)).toBeCloseTo(0.1, 12);
    expect(enteredWeight(s, 0.25)).toBeCloseTo(0.025, 12);
    expect(enteredWeight(s, 0.3)).toBeCloseTo(0.03, 12);
    expect(enteredWeight(s, 1.2)).toBeCloseTo(0.12, 12);
  });

  it('never takes a trade past the guardrail capital_at_risk_per_trade, green included', () => {
    // 0.5 x 0.1 = 0.05 at risk: the guardrail 0.02 caps the weight at 0.2; green's 1.2 cannot lift it.
    const s = fixedStrategy(0.5, 0.1, 0.02);
    expect(enteredWeight(s, 1)).toBeCloseTo(0.2, 12);
    expect(enteredWeight(s, 1.2)).toBeCloseTo(0.2, 12);
    expect(enteredWeight(s, 1.2) * 0.1).toBeLessThanOrEqual(0.02);
    expect(enteredWeight(s, 0.25)).toBeCloseTo(0.05, 12);
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 5, noNaN: true }), fc.double({ min: 1e-3, max: 1, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }), (w, risk, m) => {
        expect(enteredWeight(fixedStrategy(w, risk, 0.02), m) * risk).toBeLessThanOrEqual(0.02 * (1 + 1e-12));
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
