/**
 * Portfolio construction on a synthetic basket (issue 17): two tickers driven by one factor
 * (r = b f + sqrt(1 - b^2) e, b = 0.95: correlation about 0.9) and one independent ticker (b = 0).
 * Every ticker gets the same steady long forecast, so all three enter at the same close; the
 * weights are those the kernel orders (`tsDecision`, through the paper engine, which reproduces the
 * backtest kernel bit for bit: paper-engine.test.ts), read from the fills at the next open (no fee,
 * no slippage: notional = w x equity).
 * - The correlated-exposure penalty lowers the pair's combined weight, by the documented formula.
 * - Risk parity equalises the risk contributions w_i (Sigma_s w)_i under the shrunk covariance.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNamedValues, paramLayout, type ParamLayout } from '../../src/config/param-layout.js';
import type { Panel } from '../../src/data/types.js';
import { createRng } from '../../src/rng.js';
import type { SimulationContext } from '../../src/simulation/context.js';
import { familyModule } from '../../src/simulation/families/index.js';
import { configuredModels } from '../../src/simulation/forecast-columns.js';
import { initialPaperState, runPaperBars, type PaperFill } from '../../src/simulation/paper-engine.js';
import { testConfig } from '../helpers/config.js';
import { constantForecastContext, panelFromCloses } from '../helpers/panel.js';

const cfg = testConfig();
const MODELS = configuredModels(cfg.strategy.forecast_models);
const BETAS = [0.95, 0.95, 0];
const T = 200;
/** The close where all three enter: after both lookbacks. */
const T0 = 150;
const CAPITAL = 1e6;
const { correlation_lookback: CORR_L, risk_parity: RP } = cfg.strategy.diversification;

let panel: Panel;
let logRet: number[][];
let layout: ParamLayout;
let ctx: SimulationContext;

beforeAll(() => {
  const rng = createRng(17, 'ts-basket-sizing');
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const vol = 0.01;
  const f = Array.from({ length: T }, gauss);
  logRet = BETAS.map((b) => f.map((ft, t) => (t === 0 ? 0 : vol * (b * ft + Math.sqrt(1 - b * b) * gauss()))));
  const closes = logRet.map((r) => {
    let c = 100;
    return r.map((x) => (c *= Math.exp(x)));
  });
  panel = panelFromCloses(['A', 'B', 'C'], closes, 0.001);
  layout = paramLayout(cfg, 'ts_ensemble', panel.tickers);
  // Every model forecasts +1% a bar with sigma 0.5%: confident, above every guardrail, all the
  // time. No fee, and no capital-at-risk cap: only the sizing rule and the penalty set the weights.
  ctx = constantForecastContext(layout, panel, 0.01, 0.005, { initialCapital: CAPITAL, fee: 0, maxGrossExposure: 1, capitalAtRiskPerTrade: 1 });
});

/** The weights the kernel orders at close T0 for a flat book, under these sizing parameters. */
function enteredWeights(sizing: Record<string, string | number>): number[] {
  const named: Record<string, string | number> = {
    direction: 'long_only', noise_filter_k: 0, max_weight_per_ticker: 1, max_weight_per_asset_class: 1, order_type: 'market',
    slippage_model: 'fixed_bps', slippage_bps: 0, trailing_stop: 'off', take_profit: 'off', ...sizing,
  };
  for (const m of MODELS) Object.assign(named, { [`use_${m}`]: 'on', [`w_${m}`]: 1 });
  const values = new Map(Object.entries(named).filter(([key]) => layout.column.has(key)).map(([key, v]) => [key, String(v)]));
  const { row, problems } = encodeNamedValues(layout, values);
  expect(problems).toEqual([]);
  const state = initialPaperState(3, CAPITAL);
  const fills: PaperFill[] = [];
  const route = { row: Array.from(row), source: 'baseline' as const, configId: null, regime: 'all', mode: null };
  runPaperBars({
    live: familyModule(layout).createLive!(layout, ctx), panel, from: T0, to: T0 + 2, state, fee: 0,
    routeAt: () => route, multiplier: () => 1, onBar: (_t, f) => fills.push(...f),
  });
  expect(fills.map((f) => [f.t, f.side])).toEqual([[T0 + 1, 'buy'], [T0 + 1, 'buy'], [T0 + 1, 'buy']]);
  return fills.map((f) => (f.quantity * f.price) / CAPITAL);
}

/** Sample covariance (ddof 1) of tickers a and b over the L log returns ending at T0. */
function cov(a: number, b: number, L: number): number {
  const x = logRet[a].slice(T0 - L + 1, T0 + 1), y = logRet[b].slice(T0 - L + 1, T0 + 1);
  const mx = x.reduce((s, v) => s + v, 0) / L, my = y.reduce((s, v) => s + v, 0) / L;
  return x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / (L - 1);
}

const corr = (a: number, b: number): number => cov(a, b, CORR_L) / Math.sqrt(cov(a, a, CORR_L) * cov(b, b, CORR_L));

describe('a basket of a correlated pair and an independent ticker', () => {
  it('has the factor structure it was built with', () => {
    expect(corr(0, 1)).toBeGreaterThan(0.8);
    expect(Math.abs(corr(0, 2))).toBeLessThan(0.3);
    expect(Math.abs(corr(1, 2))).toBeLessThan(0.3);
  });

  it('the correlated-exposure penalty lowers the pair\'s combined weight, as the documented formula says', () => {
    const ff = 0.3;
    const plain = enteredWeights({ sizing: 'fixed_fraction', fixed_fraction: ff, diversification_penalty: 0 });
    plain.forEach((w) => expect(w).toBeCloseTo(ff, 12));
    const pen = 2;
    const [w0, w1, w2] = enteredWeights({ sizing: 'fixed_fraction', fixed_fraction: ff, diversification_penalty: pen });
    // A: nothing else held (c = 0); B: only A, ordered earlier at this close (c = |rho_AB|);
    // C: A and B weighted by their weights.
    expect(w0).toBeCloseTo(ff, 12);
    expect(w1).toBeCloseTo(ff / (1 + pen * Math.abs(corr(1, 0))), 12);
    expect(w2).toBeCloseTo(ff / (1 + (pen * (w0 * Math.abs(corr(2, 0)) + w1 * Math.abs(corr(2, 1)))) / (w0 + w1)), 12);
    expect(w0 + w1).toBeLessThan(plain[0] + plain[1] - 0.1);
    // The independent ticker is penalised far less than the second of the pair.
    expect(w2).toBeGreaterThan(w1 + 0.05);
  });

  it('risk parity equalises the risk contributions under the shrunk covariance, and gives the pair less', () => {
    const gross = 0.9;
    const w = enteredWeights({ sizing: 'risk_parity', risk_parity_gross: gross, diversification_penalty: 0 });
    expect(w[0] + w[1] + w[2]).toBeCloseTo(gross, 12);
    const L = RP.cov_lookback;
    const S = [0, 1, 2].map((i) => [0, 1, 2].map((j) => cov(i, j, L) * (i === j ? 1 : 1 - RP.shrinkage)));
    const rc = w.map((wi, i) => wi * S[i].reduce((s, c, j) => s + c * w[j], 0));
    const meanRc = (rc[0] + rc[1] + rc[2]) / 3;
    for (const r of rc) expect(Math.abs(r / meanRc - 1)).toBeLessThan(1e-6);
    // The pair shares less than the two thirds equal weights would give it; the third gets most.
    expect(w[0] + w[1]).toBeLessThan((2 / 3) * gross - 0.02);
    expect(w[2]).toBeGreaterThan(Math.max(w[0], w[1]));
  });
});
