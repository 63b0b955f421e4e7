/**
 * Both strategy kernels keep the equity-path statistics (peak, trough since the peak, worst
 * drawdown, sums of r, r^2 and min(r, 0)^2, exposure) inline in locals and hand them to
 * `accSetPath` / `accFinish`. This test drives `tsPortfolio` so that it holds the whole equity long
 * exactly when `smaCross` does, and checks that both produce the same equity curve and the same
 * metric row on that shared path.
 *
 * The ts kernel is configured as an all-in, long-only follower of a single "model" whose mu column
 * encodes the SMA signal: mu_t = +1e-3 when SMA_fast(t) > SMA_slow(t) by the sma kernel's own rule,
 * else -1e-3 (long_only turns that into flat); sigma = 1e-3; z = 0, min_expected_return = 0,
 * noise_k = 0; fixed-fraction sizing, every cap 1, market orders without slippage, no stop, no
 * take-profit, no fallback.
 *
 * Not compared: `calibration_error` and `hit_rate` (only the ts kernel forecasts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACC_SIZE, Metric, METRIC_COUNT, METRIC_NAMES, type MetricName } from '../../../native-free-kernels/portfolio/metrics.js';
import { closeGroupCount, closeGroupExtremes, createSmaWorkspace, SMA_PARAM_COUNT, SmaParam, smaCross, type SmaData, type SmaSettings } from '../../../native-free-kernels/portfolio/sma-cross.js';
import { localPrefixLength, localPrefixSums } from '../../../native-free-kernels/stats/prefix-sum.js';
import {
  Direction,
  Fallback,
  OrderType,
  SlippageModel,
  Sizing,
  Switch,
  TsParam,
  createTsWorkspace,
  fillNoStopDistance,
  tsPortfolio,
  type TsData,
  type TsSettings,
} from '../../../native-free-kernels/portfolio/ts-portfolio.js';

const INITIAL = 10_000;
const PERIODS_PER_YEAR = 252;
const MU = 1e-3;
const SIGMA = 1e-3;
const REL_TOL = 1e-9;
const ABS_TOL = 1e-12;

// ---------------------------------------------------------------------------------------------
// Data

/** mulberry32: a tiny seeded uniform generator on [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(u: () => number): () => number {
  return () => {
    const u1 = 1 - u(); // (0, 1]
    const u2 = u();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}

interface Ohlcv {
  readonly T: number;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** One ticker's geometric random walk: overnight gap, intraday move, wicks, volume. */
function makeOhlcv(seed: number, T: number, vol: number, drift: number): Ohlcv {
  const u = rng(seed);
  const z = gaussian(u);
  const open = new Float64Array(T);
  const high = new Float64Array(T);
  const low = new Float64Array(T);
  const close = new Float64Array(T);
  const volume = new Float64Array(T);
  let prev = 50 + 100 * u();
  for (let t = 0; t < T; t++) {
    const o = prev * Math.exp(0.3 * vol * z());
    const c = o * Math.exp(drift + vol * z());
    open[t] = o;
    close[t] = c;
    // Factors >= 1 (resp. <= 1) on representable values keep high >= max(o, c), low <= min(o, c) after rounding.
    high[t] = Math.max(o, c) * Math.exp(0.5 * vol * Math.abs(z()));
    low[t] = Math.min(o, c) * Math.exp(-0.5 * vol * Math.abs(z()));
    volume[t] = 1e5 * (0.5 + u());
    prev = c;
  }
  return { T, open, high, low, close, volume };
}

/** Compensated (Neumaier) prefix sums, out[0] = 0, out[t + 1] = x_0 + ... + x_t, as the shared derived columns are built. */
function prefix(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length + 1);
  let sum = 0;
  let comp = 0;
  for (let t = 0; t < x.length; t++) {
    const v = x[t];
    const s = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s + v : v - s + sum;
    sum = s;
    out[t + 1] = sum + comp;
  }
  return out;
}

function localPrefix(x: Float64Array, lo: Float64Array | null = null): Float64Array {
  const out = new Float64Array(localPrefixLength(x.length));
  localPrefixSums(x, out, x.length, lo);
  return out;
}

interface Prefixes {
  readonly close: Float64Array;
  /** Block-local prefixes of squared closes, log returns (r_0 = 0; `lr` the returns) and their squares. */
  readonly close2: Float64Array;
  readonly lr: Float64Array;
  readonly logRet: Float64Array;
  readonly logRet2: Float64Array;
  /** Simple returns C_t / C_{t-1} - 1 (r_0 = 0), their squares, their squared negative parts (block-local prefixes). */
  readonly ret: Float64Array;
  readonly ret2: Float64Array;
  readonly down2: Float64Array;
}

/** The prefix columns, with the definitions of `derivedColumns` (src/simulation/context.ts), written out here. */
function prefixes(close: Float64Array): Prefixes {
  const T = close.length;
  const c2 = new Float64Array(T);
  const lr = new Float64Array(T);
  const lr2 = new Float64Array(T);
  const sr = new Float64Array(T);
  const sr2 = new Float64Array(T);
  const sd2 = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    c2[t] = close[t] * close[t];
    lr[t] = t > 0 ? Math.log(close[t] / close[t - 1]) : 0;
    lr2[t] = lr[t] * lr[t];
    sr[t] = t > 0 ? close[t] / close[t - 1] - 1 : 0;
    sr2[t] = sr[t] ** 2;
    sd2[t] = Math.min(sr[t], 0) ** 2;
  }
  return { close: prefix(close), close2: localPrefix(c2), lr, logRet: localPrefix(lr), logRet2: localPrefix(lr2), ret: localPrefix(sr), ret2: localPrefix(sr2), down2: localPrefix(sd2) };
}

/**
 * The sma kernel's long target at close t: both windows fit and the directly summed averages
 * compare as the reference compares them; `rel` lets the caller reject data with near-ties.
 */
function smaLongPlain(close: Float64Array, t: number, fast: number, slow: number): { long: boolean; rel: number } {
  if (t < slow - 1 || t < fast - 1) return { long: false, rel: Infinity };
  let sf = 0;
  let ss = 0;
  for (let i = t - fast + 1; i <= t; i++) sf += close[i];
  for (let i = t - slow + 1; i <= t; i++) ss += close[i];
  const mf = sf / fast;
  const ms = ss / slow;
  return { long: mf > ms, rel: Math.abs(mf - ms) / ms };
}

// ---------------------------------------------------------------------------------------------
// Kernel runs

interface Case {
  readonly seed: number;
  readonly T: number;
  readonly fast: number;
  readonly slow: number;
  readonly vol: number;
  readonly drift: number;
  /** Sub-window [start, end) with start > 0. */
  readonly start: number;
  readonly end: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    T: fc.integer({ min: 150, max: 400 }),
    fast: fc.integer({ min: 2, max: 20 }),
    gap: fc.integer({ min: 1, max: 50 }),
    vol: fc.double({ min: 0.004, max: 0.03, noNaN: true }),
    drift: fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
    startPick: fc.integer({ min: 1, max: 120 }),
    endCut: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ seed, T, fast, gap, vol, drift, startPick, endCut }) => {
    const end = T - endCut;
    const start = Math.min(startPick, end - 10);
    return { seed, T, fast, slow: fast + gap, vol, drift, start, end };
  });

interface Run {
  readonly sma: Float64Array;
  readonly ts: Float64Array;
  readonly smaEquity: Float64Array;
  readonly tsEquity: Float64Array;
  /** The ts kernel's position in the ticker after the run (+1 long, 0 flat). */
  readonly tsEndDir: number;
}

interface Prepared {
  readonly px: Ohlcv;
  readonly sig: Uint8Array;
  readonly smaData: SmaData;
  readonly tsData: TsData;
}

function prepare(c: Case): Prepared {
  const px = makeOhlcv(c.seed, c.T, c.vol, c.drift);
  const pre = prefixes(px.close);
  const T = c.T;
  const sig = new Uint8Array(T);
  const mu = new Float64Array(T);
  const sigma = new Float64Array(T).fill(SIGMA);
  for (let t = 0; t < T; t++) {
    // Random closes: the averages are never within rounding of each other (a near-tie would make
    // the 1e-12 equality rule, not the data, decide).
    const { long, rel } = smaLongPlain(px.close, t, c.fast, c.slow);
    if (!(rel > 1e-9)) expect.fail(`near-tie of the averages at bar ${t}: ${JSON.stringify(c)}`);
    sig[t] = long ? 1 : 0;
    mu[t] = long ? MU : -MU;
  }
  const localPrefixCloseLo = new Float64Array(localPrefixLength(T));
  const localPrefixClose = localPrefix(px.close, localPrefixCloseLo);
  const closeGroupMax = new Float64Array(closeGroupCount(T));
  const closeGroupMin = new Float64Array(closeGroupCount(T));
  closeGroupExtremes(px.close, closeGroupMax, closeGroupMin);
  const smaData: SmaData = { open: px.open, close: px.close, prefixClose: pre.close, localPrefixClose, localPrefixCloseLo, ret: pre.ret, ret2: pre.ret2, down2: pre.down2, closeGroupMax, closeGroupMin };
  const tsData: TsData = {
    K: 1,
    T,
    open: px.open,
    high: px.high,
    low: px.low,
    close: px.close,
    volume: px.volume,
    M: 1,
    mu,
    sigma,
    logRet: pre.lr,
    localPrefixClose,
    localPrefixClose2: pre.close2,
    localPrefixLogRet: pre.logRet,
    localPrefixLogRet2: pre.logRet2,
    assetClass: new Int32Array(1),
    classes: 1,
    noStopDistance: new Float64Array(T),
  };
  return { px, sig, smaData, tsData };
}

function tsParams(fixedFraction: number): Float64Array {
  const p = new Float64Array(TsParam.weights + 1);
  p[TsParam.direction] = Direction.long_only;
  p[TsParam.noiseK] = 0;
  p[TsParam.sizing] = Sizing.fixed_fraction;
  p[TsParam.fixedFraction] = fixedFraction;
  p[TsParam.kellyCap] = 1;
  p[TsParam.kellyFraction] = 1;
  p[TsParam.volTargetPerBar] = 0.01;
  p[TsParam.maxWeightTicker] = 1;
  p[TsParam.maxWeightClass] = 1;
  p[TsParam.diversificationPenalty] = 0;
  p[TsParam.orderType] = OrderType.market;
  p[TsParam.limitOffset] = 0;
  p[TsParam.slippageModel] = SlippageModel.fixed_bps;
  p[TsParam.slippageFixed] = 0;
  p[TsParam.slippageVolMult] = 0;
  p[TsParam.impactCoef] = 0;
  p[TsParam.trailingStop] = Switch.off;
  p[TsParam.stopAtrMult] = 0;
  p[TsParam.takeProfit] = Switch.off;
  p[TsParam.takeProfitPct] = 0;
  p[TsParam.fallback] = Fallback.none;
  p[TsParam.fallbackLookback] = 0;
  p[TsParam.fallbackEntryZ] = 0;
  p[TsParam.weights] = 1;
  return p;
}

function runBoth(prep: Prepared, fast: number, slow: number, start: number, end: number, fee: number, fixedFraction: number): Run {
  const T = prep.px.T;
  const smaSettings: SmaSettings = { start, end, fee, initial: INITIAL, periodsPerYear: PERIODS_PER_YEAR };
  const sp = new Float64Array(SMA_PARAM_COUNT);
  sp[SmaParam.fast] = fast;
  sp[SmaParam.slow] = slow;
  const smaWs = createSmaWorkspace(1);
  smaWs.equityOut = new Float64Array(T).fill(NaN);
  const sma = new Float64Array(METRIC_COUNT);
  smaCross(prep.smaData, smaSettings, sp, smaWs, sma, 0);

  const tsSettings: TsSettings = {
    start,
    end,
    fee,
    initial: INITIAL,
    periodsPerYear: PERIODS_PER_YEAR,
    minExpectedReturn: 0,
    zConfidence: 0, // Φ^{-1}(0.5)
    capitalAtRiskPerTrade: 1,
    // A volatility lookback longer than the series: the stop-less position counts whole, as
    // sma_cross's all-in position does (docs/strategies.md, caps).
    noStopSigmaMult: 1,
    noStopVolLookback: T,
    maxGrossExposure: 1,
    // Unused: one ticker, fixed fraction, no diversification penalty.
    correlationLookback: T,
    covLookback: T,
    shrinkage: 0,
    rpMaxIterations: 1,
    rpTolerance: 1,
  };
  const tsWs = createTsWorkspace(1, T, 1, 1, ACC_SIZE);
  fillNoStopDistance(prep.tsData, tsSettings, tsWs);
  tsWs.atr = new Float64Array(T); // unused: stops are off
  tsWs.equityOut = new Float64Array(T).fill(NaN);
  const ts = new Float64Array(METRIC_COUNT);
  tsPortfolio(prep.tsData, tsSettings, tsParams(fixedFraction), tsWs, ts, 0);
  return { sma, ts, smaEquity: smaWs.equityOut!, tsEquity: tsWs.equityOut, tsEndDir: tsWs.dir[0] };
}

// ---------------------------------------------------------------------------------------------
// Comparison

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true; // also equal infinities
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(a - b);
  return diff <= ABS_TOL || diff <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));
}

const NOT_COMPARED: ReadonlySet<MetricName> = new Set<MetricName>(['calibration_error', 'hit_rate']);

function expectSameMetrics(run: Run, skip: ReadonlySet<MetricName>, label: string): void {
  for (const name of METRIC_NAMES) {
    if (NOT_COMPARED.has(name) || skip.has(name)) continue;
    const a = run.sma[Metric[name]];
    const b = run.ts[Metric[name]];
    if (!close(a, b)) expect.fail(`${label}: ${name} differs: sma_cross ${a}, ts ${b}`);
  }
}

function expectSameEquity(run: Run, start: number, end: number, label: string): void {
  for (let t = start; t < end; t++) {
    const a = run.smaEquity[t];
    const b = run.tsEquity[t];
    if (!Number.isFinite(a)) expect.fail(`${label}: sma_cross wrote no equity at bar ${t}`);
    if (!close(a, b)) expect.fail(`${label}: equity at bar ${t} differs: sma_cross ${a}, ts ${b}`);
  }
}

/** Held long at close t iff the target at t - 1 (inside the window) was long: the fill is at the open of t. */
function expectedExposure(sig: Uint8Array, start: number, end: number): { bars: number; endsLong: boolean } {
  let bars = 0;
  for (let t = start + 1; t < end; t++) bars += sig[t - 1];
  return { bars, endsLong: end - 2 >= start && sig[end - 2] === 1 };
}

function checkWindow(prep: Prepared, c: Case, start: number, end: number, fee: number, fixedFraction: number, skip: ReadonlySet<MetricName>): Run {
  const label = `case ${JSON.stringify(c)} window [${start}, ${end}) fee ${fee}`;
  const run = runBoth(prep, c.fast, c.slow, start, end, fee, fixedFraction);
  // The two kernels hold long at the same closes, and exactly where the signal says.
  const exp = expectedExposure(prep.sig, start, end);
  expect(run.sma[Metric.exposure], label).toBe(exp.bars / (end - start));
  expect(run.tsEndDir, label).toBe(exp.endsLong ? 1 : 0);
  expectSameEquity(run, start, end, label);
  expectSameMetrics(run, skip, label);
  return run;
}

// ---------------------------------------------------------------------------------------------

describe('sma_cross and ts_portfolio on a shared equity path', () => {
  it('compute the same equity curve and metrics without fees, on the whole series and on a later window', () => {
    let cases = 0;
    let withTrades = 0;
    let endsLong = 0;
    let endsFlat = 0;
    let subWithTrades = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const prep = prepare(c);
        const whole = checkWindow(prep, c, 0, c.T, 0, 1, new Set());
        const sub = checkWindow(prep, c, c.start, c.end, 0, 1, new Set());
        // All-in without a stop: the whole equity at risk in both.
        if (whole.sma[Metric.total_trades] > 0) expect(whole.ts[Metric.max_capital_at_risk]).toBe(1);
        cases++;
        if (whole.sma[Metric.total_trades] > 0) withTrades++;
        if (sub.sma[Metric.total_trades] > 0) subWithTrades++;
        if (whole.tsEndDir === 1) endsLong++;
        else endsFlat++;
      }),
      { numRuns: 100, seed: 20240611 },
    );
    // Not vacuous: trades happened in most cases, and both end states occur.
    expect(cases).toBe(100);
    expect(withTrades).toBeGreaterThan(0.8 * cases);
    expect(subWithTrades).toBeGreaterThan(0.5 * cases);
    expect(endsLong).toBeGreaterThan(0);
    expect(endsFlat).toBeGreaterThan(0);
  });

  it('compute the same path with a proportional fee when the ts position is sized to the same all-in units', () => {
    // With a fee f, sma_cross buys units = cash / (O (1 + f)): notional plus fee is the whole cash.
    // The ts kernel buys notional w E and pays the fee f w E out of cash, so fixed_fraction 1 would
    // leave cash at -f E (a slightly levered position) and the paths would differ. With
    // w = 1 / (1 + f) the ts kernel buys the same units and keeps cash at 0 (up to rounding), so the
    // paths coincide. max_capital_at_risk then differs by construction (documented, not a path
    // difference): sma_cross records 1 (all-in, docs/strategies.md), the ts kernel records its
    // position weight w x 1 = 1 / (1 + f) (docs/metrics.md); it is checked against those values.
    let cases = 0;
    let withTrades = 0;
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 50 }), (c, feeBps) => {
        const fee = feeBps / 1e4;
        const w = 1 / (1 + fee);
        const prep = prepare(c);
        const skip = new Set<MetricName>(['max_capital_at_risk']);
        for (const [s, e] of [
          [0, c.T],
          [c.start, c.end],
        ] as const) {
          const run = checkWindow(prep, c, s, e, fee, w, skip);
          const entered = run.sma[Metric.turnover] > 0;
          expect(run.sma[Metric.max_capital_at_risk]).toBe(entered ? 1 : 0);
          expect(run.ts[Metric.max_capital_at_risk]).toBe(entered ? w : 0);
          if (s === 0) {
            cases++;
            if (run.sma[Metric.total_trades] > 0) withTrades++;
          }
        }
      }),
      { numRuns: 100, seed: 777 },
    );
    expect(cases).toBe(100);
    expect(withTrades).toBeGreaterThan(0.8 * cases);
  });
});
