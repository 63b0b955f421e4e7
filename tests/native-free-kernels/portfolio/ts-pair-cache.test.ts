/**
 * The ts kernel's pair caches (`ws.pairCorr`, `ws.pairCov`): the correlated-exposure penalty's
 * |correlation| and risk parity's covariance per ticker pair and close, kept by a workspace for all
 * its candidates. A row must not depend on which candidates ran on the workspace before it, on a
 * workspace reused with other lookbacks or data, or on whether the caches are kept at all: each
 * case compares metric rows and equity curves bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACC_SIZE, Metric, METRIC_COUNT, METRIC_NAMES } from '../../../native-free-kernels/portfolio/metrics.js';
import {
  createTsWorkspace,
  Direction,
  Fallback,
  fillNoStopDistance,
  OrderType,
  SlippageModel,
  Sizing,
  Switch,
  TsParam,
  tsPortfolio,
  type TsData,
  type TsSettings,
  type TsWorkspace,
} from '../../../native-free-kernels/portfolio/ts-portfolio.js';
import { windowCorrelation, windowCovariance } from '../../../native-free-kernels/stats/correlation.js';
import type { Panel } from '../../../src/data/types.js';
import { createRng, type Rng } from '../../../src/rng.js';
import { derivedColumns } from '../../../src/simulation/context.js';

const K = 4;
const T = 400;
const ROWS = 24;

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** K tickers on one common factor (each its own beta, so pairs correlate differently), one forecast model whose view flips often. */
function data(seed: number): TsData {
  const rng = createRng(seed, 'ts-pair-cache');
  const open = new Float64Array(K * T), high = new Float64Array(K * T), low = new Float64Array(K * T), close = new Float64Array(K * T);
  const common = Array.from({ length: T }, () => gauss(rng));
  const mu = new Float64Array(K * T), sigma = new Float64Array(K * T);
  for (let k = 0; k < K; k++) {
    const beta = 2 * rng() - 1;
    let c = 100;
    let view = 1;
    for (let t = 0; t < T; t++) {
      const i = k * T + t;
      open[i] = c * Math.exp(0.002 * gauss(rng));
      c = open[i] * Math.exp(0.01 * (beta * common[t] + gauss(rng)));
      close[i] = c;
      high[i] = Math.max(open[i], c) * 1.002;
      low[i] = Math.min(open[i], c) * 0.998;
      if (rng() < 0.1) view = -view;
      mu[i] = view * 0.01 * (0.5 + rng());
      sigma[i] = 0.005;
    }
  }
  const panel: Panel = { tickers: ['A', 'B', 'C', 'D'], T, time: new Float64Array(T), open, high, low, close, volume: new Float64Array(K * T).fill(1e6) };
  const derived = derivedColumns(panel, { assetClassOf: () => 'equity' });
  return {
    K, T, open, high, low, close, volume: panel.volume, M: 1, mu, sigma, logRet: derived.logRet,
    localPrefixClose: derived.localPrefixClose, localPrefixClose2: derived.localPrefixClose2,
    localPrefixLogRet: derived.localPrefixLogRet, localPrefixLogRet2: derived.localPrefixLogRet2,
    assetClass: derived.assetClass, classes: derived.classes, noStopDistance: new Float64Array(K * T),
  };
}

function settings(correlationLookback: number, covLookback: number): TsSettings {
  return {
    start: 0, end: T, fee: 5e-4, initial: 1e6, periodsPerYear: 252, minExpectedReturn: 0, zConfidence: 0,
    capitalAtRiskPerTrade: 1, noStopSigmaMult: 1, noStopVolLookback: 20, maxGrossExposure: 2,
    correlationLookback, covLookback, shrinkage: 0.2, rpMaxIterations: 1000, rpTolerance: 1e-10,
  };
}

/** Rows that trade often, long and short, every other one sized by risk parity, all with a correlation penalty. */
function rows(seed: number): Float64Array[] {
  const rng = createRng(seed, 'ts-pair-cache-rows');
  return Array.from({ length: ROWS }, (_, r) => {
    const p = new Float64Array(TsParam.weights + 1 + K).fill(1); // weight 1, every ticker in the basket
    p[TsParam.direction] = Direction.long_short;
    p[TsParam.noiseK] = 0;
    p[TsParam.sizing] = r % 2 === 0 ? Sizing.risk_parity : Sizing.fixed_fraction;
    p[TsParam.fixedFraction] = 0.1 + 0.4 * rng();
    p[TsParam.riskParityGross] = 0.2 + 0.8 * rng();
    p[TsParam.maxWeightTicker] = 1;
    p[TsParam.maxWeightClass] = 1;
    p[TsParam.diversificationPenalty] = 0.5 + 1.5 * rng();
    p[TsParam.orderType] = OrderType.market;
    p[TsParam.slippageModel] = SlippageModel.fixed_bps;
    p[TsParam.slippageFixed] = 1e-4;
    p[TsParam.trailingStop] = Switch.off;
    p[TsParam.takeProfit] = Switch.off;
    p[TsParam.fallback] = Fallback.none;
    return p;
  });
}

/** A workspace for `d`; sized for `M` models, which decides whether it keeps the pair caches. */
function workspace(d: TsData, s: TsSettings, M: number): TsWorkspace {
  const ws = createTsWorkspace(K, T, M, d.classes, ACC_SIZE);
  fillNoStopDistance(d, s, ws);
  ws.atr = new Float64Array(K * T).fill(NaN);
  return ws;
}

/** Metric row and equity curve of row p on `ws`. */
function run(d: TsData, s: TsSettings, ws: TsWorkspace, p: Float64Array): { F: Float64Array; equity: Float64Array } {
  const F = new Float64Array(METRIC_COUNT);
  ws.equityOut = new Float64Array(T);
  tsPortfolio(d, s, p, ws, F, 0);
  return { F, equity: ws.equityOut };
}

function expectSame(got: { F: Float64Array; equity: Float64Array }, want: { F: Float64Array; equity: Float64Array }, what: string): void {
  METRIC_NAMES.forEach((name, m) => expect(Object.is(got.F[m], want.F[m]), `${what}: ${name} ${got.F[m]} vs ${want.F[m]}`).toBe(true));
  for (let t = 0; t < T; t++) expect(Object.is(got.equity[t], want.equity[t]), `${what}: equity at bar ${t}`).toBe(true);
}

describe('ts kernel pair caches', () => {
  it('keep one value per unordered pair: both moments are the same bits with the windows swapped (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 80 }), fc.nat(), fc.nat(), fc.nat(), (xs, u, v, w) => {
        const x = Float64Array.from(xs);
        const L = 2 + (u % (x.length - 1));
        const a = v % (x.length - L + 1), b = w % (x.length - L + 1);
        expect(Object.is(windowCorrelation(x, a, b, L), windowCorrelation(x, b, a, L))).toBe(true);
        expect(Object.is(windowCovariance(x, a, b, L), windowCovariance(x, b, a, L))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  const d = data(11);
  const s = settings(20, 30);
  const ps = rows(12);

  it('are kept up to the forecast columns size: four tickers with two models, not with one', () => {
    // Pairs with the diagonal: 4 * 5 / 2 = 10, kept while <= 2 M K (16 with two models, 8 with one).
    expect(workspace(d, s, 2).pairCov.length).toBe(10 * T);
    expect(workspace(d, s, 2).pairCorr.length).toBe(10 * T);
    expect(workspace(d, s, 1).pairCov.length).toBe(0);
    expect(workspace(d, s, 1).pairCorr.length).toBe(0);
  });

  it('give every row of a batch the row it gets on a fresh workspace, and the row computed without them', () => {
    const shared = workspace(d, s, 2);
    let traded = 0;
    for (const [r, p] of ps.entries()) {
      const batch = run(d, s, shared, p);
      expectSame(batch, run(d, s, workspace(d, s, 2), p), `row ${r} after ${r} others vs alone`);
      expectSame(batch, run(d, s, workspace(d, s, 1), p), `row ${r} cached vs computed`);
      if (batch.F[Metric.total_trades] > 10) traded++;
    }
    // The rows hold several positions at once, so the penalty and risk parity have pairs to compute.
    expect(traded).toBe(ROWS);
  });

  it('start again on a workspace reused with other lookbacks or other data', () => {
    const reused = workspace(d, s, 2);
    for (const p of ps) run(d, s, reused, p);
    const s2 = settings(35, 15);
    const d2 = data(13);
    fillNoStopDistance(d2, s2, reused);
    for (const [r, p] of ps.entries()) {
      expectSame(run(d, s2, reused, p), run(d, s2, workspace(d, s2, 2), p), `row ${r}, other lookbacks`);
    }
    for (const [r, p] of ps.entries()) {
      expectSame(run(d2, s2, reused, p), run(d2, s2, workspace(d2, s2, 2), p), `row ${r}, other data`);
    }
  });
});
