/**
 * The time-series families (`ts_ensemble`, `ts_with_fallback`): a basket of K tickers traded with
 * one shared equity on a weighted mix of precomputed causal forecasts. docs/strategies.md states
 * every rule; in short, at the close of bar t, per ticker:
 *   mu = Σ w_m mu_m / Σ w_m, sigma = Σ w_m sigma_m / Σ w_m (models with w_m > 0);
 *   confident when |mu| >= z * sigma, z = Φ^{-1}(confidence_threshold);
 *   direction = sign(mu) when confident and |mu| >= min_expected_return and |mu| >= noise_k * sigma,
 *   flat when confident but below those, the fallback rule's signal when not confident (fallback
 *   families only), else flat; long-only candidates never go short.
 * A change of direction becomes an order filled at the next open: exits at market, entries at
 * market (with slippage) or as a limit that fills only if the bar trades through it. Sizing
 * (fixed fraction, capped Kelly, volatility target, or risk parity over the positions held after
 * the close) is then capped per ticker, divided by the correlated-exposure penalty (the weighted
 * mean |correlation| with the positions held), and capped per asset class, by gross exposure, and
 * by the guardrail capital at risk per trade (weight x risk distance: the stop distance, or without
 * a stop the loss at an adverse move of k realised sigmas over h bars). Trailing ATR stops and
 * take-profits act intrabar; after either, the same direction needs a new signal.
 *
 * Two passes per candidate: the first computes every ticker's target direction bar by bar (it
 * does not depend on the portfolio) into `ws.target`, with the forecast hit rate and the bars where
 * some target moves; the second runs the portfolio, skips flat stretches where no target moves,
 * and only at an order recomputes that bar's ensemble (and fallback signal) for sizing. Risk-parity
 * covariances and the penalty's correlations are likewise computed only at a bar with an entry,
 * and once per ticker pair and bar for all the candidates of a workspace (its pair caches).
 *
 * Layout: price columns are ticker-major (ticker k, bar t at k * T + t); forecasts are
 * model-major (model m, ticker k, bar t at (m * K + k) * T + t); block-local prefix columns
 * (`localPrefixSums`) have localPrefixLength(T) entries per ticker. The caller owns every buffer,
 * including the workspace; a run allocates nothing.
 *
 * Numerics (docs/strategies.md): a rolling window's sum and variance come from the block-local
 * prefix sums when their rounding bound is small next to the result, else directly from the
 * window's values (two passes, <= the lookback's bars): one huge close no longer outweighs later
 * windows, and a variance is never the cancelled difference of two large sums.
 */
import { windowCorrelation, windowCovariance } from '../stats/correlation.js';
import { LOCAL_BLOCK, LOCAL_REACH, localPrefixLength, localPrefixOffset } from '../stats/prefix-sum.js';
import { riskParityWeights } from '../stats/risk-parity.js';
import { cappedWeight, Decision } from './decision.js';
import { accFill, accFinish, accForecasts, accReset, accSetPath, accTrade } from './metrics.js';

/** Codes of the categorical slots, by the choice names the search spaces use; the decoder maps choices through them. */
export const Direction = { long_only: 0, long_short: 1 } as const;
export const Sizing = { fixed_fraction: 0, kelly: 1, vol_target: 2, risk_parity: 3 } as const;
export const OrderType = { market: 0, limit: 1 } as const;
export const SlippageModel = { fixed_bps: 0, vol_proportional: 1, sqrt_participation: 2 } as const;
export const Switch = { off: 0, on: 1 } as const;
/** `none` is not a searchable choice: a family without the fallback rule fixes the slot to it. */
export const Fallback = { none: 0, momentum: 1, mean_reversion: 2 } as const;

/** Per-candidate parameter vector slots (`TsParam`), filled by the family decoder. */
export const TsParam = {
  direction: 0, // Direction
  noiseK: 1,
  sizing: 2, // Sizing
  fixedFraction: 3,
  kellyCap: 4,
  kellyFraction: 5,
  volTargetPerBar: 6,
  maxWeightTicker: 7,
  maxWeightClass: 8,
  diversificationPenalty: 9,
  orderType: 10, // OrderType
  limitOffset: 11, // fraction of price
  slippageModel: 12, // SlippageModel
  slippageFixed: 13, // fraction of price
  slippageVolMult: 14,
  impactCoef: 15,
  trailingStop: 16, // Switch
  stopAtrMult: 17,
  takeProfit: 18, // Switch
  takeProfitPct: 19,
  fallback: 20, // Fallback
  fallbackLookback: 21,
  fallbackEntryZ: 22,
  /** Gross weight the risk-parity rule spreads over the positions held after the close. */
  riskParityGross: 23,
  /**
   * Ensemble weights start here, one per forecast model in column order; after them (`basketSlot`)
   * one flag per ticker: 1 when the ticker is in the candidate's basket, 0 when it is left out.
   */
  weights: 24,
} as const;

/** Slot of ticker k's basket flag in a parameter vector for M forecast models. */
export function basketSlot(M: number, k: number): number {
  return TsParam.weights + M + k;
}

/** Market data and precomputed columns shared by every candidate. */
export interface TsData {
  readonly K: number;
  readonly T: number;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Number of forecast models M, and their columns. */
  readonly M: number;
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  /** Log returns r_t = ln(C_t / C_{t-1}) (r_0 = 0), ticker-major. */
  readonly logRet: Float64Array;
  /** Block-local prefix sums per ticker (`localPrefixSums`): closes, squared closes, log returns, squared log returns. */
  readonly localPrefixClose: Float64Array;
  readonly localPrefixClose2: Float64Array;
  readonly localPrefixLogRet: Float64Array;
  readonly localPrefixLogRet2: Float64Array;
  /** Asset class index of each ticker (0..classes-1). */
  readonly assetClass: Int32Array;
  readonly classes: number;
  /** Risk distance of a stop-less position decided at each bar (ticker-major), filled by `fillNoStopDistance`. */
  readonly noStopDistance: Float64Array;
}

/** Batch-wide scalars: guardrails and settings that no candidate changes. */
export interface TsSettings {
  readonly start: number;
  readonly end: number;
  readonly fee: number;
  readonly initial: number;
  readonly periodsPerYear: number;
  readonly minExpectedReturn: number;
  /** Φ^{-1}(confidence_threshold). */
  readonly zConfidence: number;
  readonly capitalAtRiskPerTrade: number;
  /** Risk distance of a stop-less position per unit of realised sigma: k sqrt(h) (`noStopDistance`). */
  readonly noStopSigmaMult: number;
  /** Log returns in that realised sigma. */
  readonly noStopVolLookback: number;
  readonly maxGrossExposure: number;
  /** Log returns in the correlations of the correlated-exposure penalty (diversification.correlation_lookback). */
  readonly correlationLookback: number;
  /** Risk parity (diversification.risk_parity): log returns in the covariance, shrinkage to its diagonal, solver sweeps and tolerance. */
  readonly covLookback: number;
  readonly shrinkage: number;
  readonly rpMaxIterations: number;
  readonly rpTolerance: number;
}

/** Per-ticker state and accumulator, allocated once per evaluator. */
export interface TsWorkspace {
  readonly units: Float64Array;
  readonly dir: Float64Array;
  readonly entryPx: Float64Array;
  readonly entryFees: Float64Array;
  readonly entryEquity: Float64Array;
  readonly expected: Float64Array;
  readonly stopLevel: Float64Array;
  readonly tpLevel: Float64Array;
  readonly blocked: Float64Array;
  readonly pendDir: Float64Array;
  readonly pendNotional: Float64Array;
  readonly pendLimit: Float64Array;
  readonly pendSlip: Float64Array;
  readonly pendExpected: Float64Array;
  readonly pendRisk: Float64Array;
  /** Forecast (or realised) volatility at the decision, for slippage of later stop exits. */
  readonly pendVol: Float64Array;
  readonly entryVol: Float64Array;
  readonly pending: Uint8Array;
  readonly classUsed: Float64Array;
  /** Direction each ticker should hold after this close (blocking applied), while deciding. */
  readonly nextDir: Float64Array;
  /** While deciding: the weight each ticker holds after this close so far (held, or the order placed for it earlier at this close). */
  readonly bookWeight: Float64Array;
  /** Risk parity at the close being decided: each ticker's rule weight (NaN: none), and the solver's members, covariance (n x n) and weights. */
  readonly rpWeight: Float64Array;
  readonly rpMembers: Int32Array;
  readonly rpCov: Float64Array;
  readonly rpX: Float64Array;
  /** Bar at which each position was filled by a limit order (no take-profit on that bar). */
  readonly limitFillBar: Float64Array;
  readonly acc: Float64Array;
  /** Target direction per ticker and bar (ticker-major), from the first pass. */
  readonly target: Int8Array;
  /** Per bar, 1 when some ticker's target differs from its target at the bar before (first pass). */
  readonly targetMoved: Uint8Array;
  /** The candidate's models with weight > 0: column offsets and normalised weights (`activeModels`). */
  readonly modelOffset: Int32Array;
  readonly modelWeight: Float64Array;
  /** [0]: how many of them. */
  readonly modelCount: Int32Array;
  /** Sizing inputs of the order being decided: see SIG_*. */
  readonly sig: Float64Array;
  /** A rolling window's sum and sample variance (`windowStats`): see WIN_*. */
  readonly win: Float64Array;
  /** localPrefixLength(T): a ticker's stride in the block-local prefix columns. */
  readonly localStride: number;
  /**
   * The equity at the current close, handed to `decide` through memory: a double passed as an
   * argument to a function V8 does not inline is boxed, one allocation per bar.
   */
  readonly equityNow: Float64Array;
  /** The candidate's signal rule: see RULE_*. */
  readonly rule: Float64Array;
  /** Slot of the unordered ticker pair {a, b} (a = b included) in the pair caches, at a * K + b and b * K + a. */
  readonly pairSlot: Int32Array;
  /**
   * Pair caches (`pairStat`), at slot * T + t, NaN until computed: the |correlation| of the
   * penalty and the covariance of risk parity over the lookbacks ending at close t. They depend on
   * the data and the batch settings only, so every candidate of the workspace shares them; empty
   * (each value computed where needed) when they would outgrow the forecast columns.
   */
  readonly pairCorr: Float64Array;
  readonly pairCov: Float64Array;
  /** What the pair caches hold: the log-return column and [correlationLookback, covLookback] (`pairCachesFor`). */
  pairSource: Float64Array | null;
  readonly pairLookbacks: Float64Array;
  /** The candidate's ATR column (ticker-major), set by the decoder; unused when stops are off. */
  atr: Float64Array;
  /** When non-null, receives E_t for t in [start, end). */
  equityOut: Float64Array | null;
}

// Slots of `ws.sig`: the sizing inputs of the signal being ordered, and whether the models made it.
const SIG_SIZE_MU = 0, SIG_SIZE_SIGMA = 1, SIG_FROM_MODELS = 2;
// Slots of `ws.win`.
const WIN_SUM = 0, WIN_VAR = 1;

export function createTsWorkspace(K: number, T: number, M: number, classes: number, accSize: number): TsWorkspace {
  const f = () => new Float64Array(K);
  const pairSlot = new Int32Array(K * K);
  let pairs = 0;
  for (let a = 0; a < K; a++) for (let b = a; b < K; b++) pairSlot[a * K + b] = pairSlot[b * K + a] = pairs++;
  // Cached while each cache holds at most as many values as the forecast columns (2 M K T), so a
  // worker's memory stays of the order of its data's: up to 15 tickers with four models. One
  // ticker has no pair to correlate.
  const cachePairs = pairs <= 2 * M * K;
  return {
    units: f(), dir: f(), entryPx: f(), entryFees: f(), entryEquity: f(), expected: f(), stopLevel: f(), tpLevel: f(), blocked: f(),
    pendDir: f(), pendNotional: f(), pendLimit: f(), pendSlip: f(), pendExpected: f(), pendRisk: f(), pendVol: f(), entryVol: f(),
    pending: new Uint8Array(K), classUsed: new Float64Array(classes), nextDir: f(), bookWeight: f(), rpWeight: f(), rpMembers: new Int32Array(K), rpCov: new Float64Array(K * K), rpX: f(), limitFillBar: f(), acc: new Float64Array(accSize),
    target: new Int8Array(K * T), targetMoved: new Uint8Array(T), modelOffset: new Int32Array(Math.max(M, 4)), modelWeight: new Float64Array(Math.max(M, 4)), modelCount: new Int32Array(1), sig: new Float64Array(3), win: new Float64Array(2), localStride: localPrefixLength(T), equityNow: new Float64Array(1),
    rule: new Float64Array(RULE_SIZE),
    pairSlot, pairCorr: new Float64Array(cachePairs && K > 1 ? pairs * T : 0), pairCov: new Float64Array(cachePairs ? pairs * T : 0),
    pairSource: null, pairLookbacks: new Float64Array(2),
    atr: new Float64Array(0),
    equityOut: null,
  };
}

/**
 * Run one candidate over [start, end) and write its metric row to `out` at `offset`; the same
 * calling convention as `smaCross`: (data, settings, params, workspace, out, offset).
 * @param p decoded parameters (`TsParam` slots, weights from `TsParam.weights`)
 * @param ws workspace, with the candidate's ATR column and the optional equity output set
 */
export function tsPortfolio(d: TsData, s: TsSettings, p: Float64Array, ws: TsWorkspace, out: Float64Array, offset: number): void {
  const { K, T, open, high, low, close } = d;
  const { atr, equityOut } = ws;
  const { units, dir, entryPx, entryFees, entryEquity, expected, stopLevel, tpLevel, blocked, pending, acc } = ws;
  const { pendDir, pendNotional, pendLimit, pendSlip, pendExpected, pendRisk, pendVol, entryVol, limitFillBar } = ws;
  const fee = s.fee;
  units.fill(0);
  dir.fill(0);
  blocked.fill(0);
  pending.fill(0);
  limitFillBar.fill(-1);
  accReset(acc, s.initial);
  const rule = ws.rule;
  fillSignalRule(rule, s, p);
  activeModels(d, p, ws);
  pairCachesFor(d, s, ws);
  targetsPass(d, s, rule, p, ws);
  let cash = s.initial;
  let equity = s.initial;
  // The equity path's running statistics, in locals (stored once with accSetPath): a bar whose
  // equity did not move adds a return of exactly 0 and can set no peak or trough.
  let prevE = s.initial, peak = s.initial, minSince = s.initial, worst = 0;
  let sumR = 0, sumR2 = 0, sumDown2 = 0, exposed = 0;
  const stopsOn = p[TsParam.trailingStop] === Switch.on;
  const tpOn = p[TsParam.takeProfit] === Switch.on;
  const stopMult = p[TsParam.stopAtrMult];
  // Open orders and positions, so that bars without either skip their loops.
  let orders = 0;
  let positions = 0;
  // Whether held directions may differ from the targets (`targetsChange`): false once they agreed,
  // until a target moves or a position closes intrabar. Orders are placed only while it is true.
  let unsettled = true;
  const moved = ws.targetMoved;
  for (let t = s.start; t < s.end; t++) {
    if (!unsettled && positions === 0) {
      // Flat with nothing to decide: equity stays put until some target moves.
      const from = t;
      while (t + 1 < s.end && moved[t] === 0) t++;
      if (equityOut !== null) equityOut.fill(equity, from, t);
    }
    // 1. Orders decided at the previous close fill at this open.
    for (let k = 0; k < K && orders > 0; k++) {
      if (pending[k] === 0) continue;
      pending[k] = 0;
      orders--;
      const i = k * T + t;
      if (dir[k] !== 0) {
        cash += closePosition(ws, k, open[i] * (1 - dir[k] * pendSlip[k]), fee, acc, equity);
        positions--;
      }
      const nd = pendDir[k];
      if (nd === 0) continue;
      let px: number;
      if (p[TsParam.orderType] === OrderType.limit) {
        const lim = pendLimit[k];
        // A limit fills only if the bar trades through it, at the limit or the better open.
        if (nd > 0 ? !(low[i] < lim) : !(high[i] > lim)) continue;
        px = nd > 0 ? Math.min(open[i], lim) : Math.max(open[i], lim);
        limitFillBar[k] = t;
      } else {
        px = open[i] * (1 + nd * pendSlip[k]);
      }
      const u = (nd * pendNotional[k]) / px;
      const fees = Math.abs(u * px) * fee;
      cash -= u * px + fees;
      units[k] = u;
      dir[k] = nd;
      positions++;
      entryPx[k] = px;
      entryFees[k] = fees;
      entryEquity[k] = equity;
      expected[k] = pendExpected[k];
      entryVol[k] = pendVol[k];
      stopLevel[k] = stopsOn ? px - nd * stopMult * atr[i - 1] : NaN;
      tpLevel[k] = tpOn ? px * (1 + nd * p[TsParam.takeProfitPct]) : NaN;
      accFill(acc, Math.abs(u * px) / equity, pendRisk[k]);
    }
    // 2. Intrabar exits: stop first (the conservative order when both levels are inside the bar).
    for (let k = 0; k < K && positions > 0; k++) {
      const dk = dir[k];
      if (dk === 0) continue;
      const i = k * T + t;
      let px = NaN;
      if (stopsOn && (dk > 0 ? low[i] <= stopLevel[k] : high[i] >= stopLevel[k])) {
        const level = dk > 0 ? Math.min(open[i], stopLevel[k]) : Math.max(open[i], stopLevel[k]);
        px = level * (1 - dk * slippageAt(d, p, k, t - 1, Math.abs(units[k] * level), entryVol[k]));
      } else if (tpOn && limitFillBar[k] !== t && (dk > 0 ? high[i] >= tpLevel[k] : low[i] <= tpLevel[k])) {
        // (Not on the bar a limit filled: whether its high or low came first is unknown.)
        px = dk > 0 ? Math.max(open[i], tpLevel[k]) : Math.min(open[i], tpLevel[k]);
      }
      if (px === px) {
        blocked[k] = dk;
        unsettled = true;
        cash += closePosition(ws, k, px, fee, acc, equity);
        positions--;
      }
    }
    // 3. Mark to the close; trail stops.
    equity = cash;
    for (let k = 0; k < K && positions > 0; k++) {
      if (dir[k] === 0) continue;
      const i = k * T + t;
      equity += units[k] * close[i];
      if (stopsOn) {
        const lvl = close[i] - dir[k] * stopMult * atr[i];
        if (dir[k] > 0 ? lvl > stopLevel[k] : lvl < stopLevel[k]) stopLevel[k] = lvl;
      }
    }
    if (equityOut !== null) equityOut[t] = equity;
    if (equity !== prevE) {
      if (t > s.start) {
        const r = equity / prevE - 1;
        sumR += r;
        sumR2 += r * r;
        if (r < 0) sumDown2 += r * r;
      }
      if (equity > peak) {
        const dd = 1 - minSince / peak;
        if (dd > worst) worst = dd;
        peak = equity;
        minSince = equity;
      } else if (equity < minSince) {
        minSince = equity;
      }
      prevE = equity;
    }
    if (positions > 0) exposed++;
    // 4. Decide at this close for the next open.
    if (t + 1 < s.end && (unsettled || moved[t] !== 0)) {
      unsettled = targetsChange(ws, K, T, t) > 0;
      if (unsettled) {
        ws.equityNow[0] = equity;
        orders = decide(d, s, rule, p, atr, ws, t);
      }
    }
  }
  accSetPath(acc, prevE, peak, minSince, worst, sumR, sumR2, sumDown2, s.end - s.start, exposed);
  accFinish(acc, s.initial, s.periodsPerYear, true, out, offset);
}

/** Close ticker k's position at `px`: record the trade, return the cash it releases. */
function closePosition(ws: TsWorkspace, k: number, px: number, fee: number, acc: Float64Array, equity: number): number {
  const u = ws.units[k];
  const fees = Math.abs(u * px) * fee;
  const pnl = u * (px - ws.entryPx[k]) - ws.entryFees[k] - fees;
  accTrade(acc, pnl, ws.expected[k], ws.entryEquity[k]);
  accFill(acc, Math.abs(u * px) / equity, 0);
  ws.units[k] = 0;
  ws.dir[k] = 0;
  return u * px - fees;
}

/** Slippage fraction for an order of `notional` in ticker k decided at bar t (0 for limit fills). */
function slippageAt(d: TsData, p: Float64Array, k: number, t: number, notional: number, vol: number): number {
  const model = p[TsParam.slippageModel];
  if (model === SlippageModel.fixed_bps) return p[TsParam.slippageFixed];
  if (model === SlippageModel.vol_proportional) return p[TsParam.slippageVolMult] * vol;
  const i = k * d.T + t;
  const dollarVolume = d.volume[i] * d.close[i];
  // Participation is capped at the whole bar's volume (and is 1 when the bar traded nothing).
  return p[TsParam.impactCoef] * vol * Math.sqrt(dollarVolume > 0 ? Math.min(1, notional / dollarVolume) : 1);
}

/** Realised std of log returns over (t - L, t]; their sum goes to `ws.win[WIN_SUM]`. */
function realisedVol(d: TsData, ws: TsWorkspace, k: number, t: number, L: number): number {
  windowStats(d.logRet, d.localPrefixLogRet, d.localPrefixLogRet2, d.T, ws, k, t, L);
  return Math.sqrt(ws.win[WIN_VAR]);
}

/** A prefix-sum window is used while its rounding bound is at most 2^-30 of its sum and of (L - 1) x its variance. */
const WINDOW_TRUST = 2 ** -30;
const TRUST2 = WINDOW_TRUST * WINDOW_TRUST;
/** e1^2 / top2, e1 = 4u sqrt(N top2) the bound on a window sum's error, N = LOCAL_BLOCK + LOCAL_REACH the most terms of a block prefix. */
const E1_SQ_PER_TOP2 = 16 * Number.EPSILON * Number.EPSILON * (LOCAL_BLOCK + LOCAL_REACH);

/**
 * Sum and sample variance (ddof 1) of x over bars (t - L, t] of ticker k into `ws.win` (WIN_*), from
 * the block-local prefix sums P1 of x and P2 of x^2 when they settle both: each compensated
 * entry is within about an ulp of its exact prefix; P2 only grows within a block, and
 * |P1| <= sqrt(N P2) (Cauchy-Schwarz, N terms), so 4u of those bounds the differences. Else (a
 * huge value earlier in the block, a window of near-equal values, L beyond the block reach) both
 * come from the window itself in two passes, as the reference computes them.
 */
function windowStats(x: Float64Array, P1: Float64Array, P2: Float64Array, T: number, ws: TsWorkspace, k: number, t: number, L: number): void {
  const out = ws.win;
  if (L <= LOCAL_REACH + 1) {
    const i = k * ws.localStride + localPrefixOffset(t) + t + 1;
    const top2 = P2[i];
    const s1 = P1[i] - P1[i - L];
    const ss = top2 - P2[i - L] - (s1 * s1) / L;
    // Bounds compared squared (no sqrt per call): e1 <= trust |s1|, and the error of ss,
    // 4u top2 + 2 |s1| e1 / L, at most trust ss, half from each term.
    const e1sq = E1_SQ_PER_TOP2 * top2;
    const half = 0.5 * WINDOW_TRUST * ss;
    if (e1sq <= TRUST2 * s1 * s1 && 4 * Number.EPSILON * top2 <= half && 4 * s1 * s1 * e1sq <= half * L * (half * L)) {
      out[WIN_SUM] = s1;
      out[WIN_VAR] = ss / (L - 1);
      return;
    }
  }
  windowStatsDirect(x, k * T + t - L + 1, L, out);
}

/** `windowStats` from the values x[from..from + L - 1] (apart, so the common path stays small enough to inline). */
function windowStatsDirect(x: Float64Array, from: number, L: number, out: Float64Array): void {
  let sum = 0;
  for (let j = from; j <= from + L - 1; j++) sum += x[j];
  const mean = sum / L;
  let ss = 0;
  for (let j = from; j <= from + L - 1; j++) ss += (x[j] - mean) * (x[j] - mean);
  out[WIN_SUM] = sum;
  out[WIN_VAR] = ss / (L - 1);
}

/**
 * The candidate's models with weight > 0 into the workspace: forecast column offset (m * K * T),
 * weight / sum of positive weights, and how many (`modelCount`).
 */
function activeModels(d: TsData, p: Float64Array, ws: TsWorkspace): void {
  let sum = 0;
  for (let m = 0; m < d.M; m++) if (p[TsParam.weights + m] > 0) sum += p[TsParam.weights + m];
  let n = 0;
  for (let m = 0; m < d.M; m++) {
    const w = p[TsParam.weights + m];
    if (!(w > 0)) continue;
    ws.modelOffset[n] = m * d.K * d.T;
    ws.modelWeight[n] = w / sum;
    n++;
  }
  ws.modelCount[0] = n;
}

/**
 * The candidate's ensemble of column `col` (d.mu or d.sigma) at index i: sum w_m col_m / sum w_m
 * over the active models, NaN without any (`targetsPass` sums up to four in the same order).
 */
function ensembleAt(col: Float64Array, ws: TsWorkspace, i: number): number {
  const o = ws.modelOffset, w = ws.modelWeight, n = ws.modelCount[0];
  if (n === 4) return w[0] * col[o[0] + i] + w[1] * col[o[1] + i] + w[2] * col[o[2] + i] + w[3] * col[o[3] + i];
  let x = n > 0 ? 0 : NaN;
  for (let a = 0; a < n; a++) x += w[a] * col[o[a] + i];
  return x;
}

// Slots of `ws.rule`, filled once per candidate (`fillSignalRule`) so the per-bar code reads
// numbers, not parameter slots or object fields (V8 checks a number field's type at every use in a
// loop): z = Φ^{-1}(confidence_threshold), min_expected_return, noise_k, the `Fallback` code and its
// lookback, 1 when long-only; max(z, noise_k) (Infinity when noise_k is NaN), one bound covering
// confidence and the noise filter when the models decide; the short step of `directionBits` (1
// long-only: a short signal is flat, 2 long-short).
const RULE_Z = 0, RULE_MIN_ER = 1, RULE_NOISE_K = 2, RULE_FALLBACK = 3, RULE_LOOKBACK = 4, RULE_LONG_ONLY = 5;
const RULE_ENTRY_K = 6, RULE_SHORT_STEP = 7, RULE_SIZE = 8;

function fillSignalRule(r: Float64Array, s: TsSettings, p: Float64Array): void {
  r[RULE_Z] = s.zConfidence;
  r[RULE_MIN_ER] = s.minExpectedReturn;
  r[RULE_NOISE_K] = p[TsParam.noiseK];
  r[RULE_FALLBACK] = p[TsParam.fallback];
  r[RULE_LOOKBACK] = p[TsParam.fallbackLookback];
  const longOnly = p[TsParam.direction] === Direction.long_only;
  r[RULE_LONG_ONLY] = longOnly ? 1 : 0;
  const entryK = Math.max(r[RULE_Z], r[RULE_NOISE_K]);
  r[RULE_ENTRY_K] = entryK === entryK ? entryK : Infinity;
  r[RULE_SHORT_STEP] = longOnly ? 1 : 2;
}

/**
 * The signal of ticker k at close t (docs/strategies.md, step 4) from the ensemble's mu and sd
 * there: returns the target direction (long-only applied, blocking not). When the fallback rule
 * decides, its sizing inputs go to `ws.sig`.
 */
function signalOf(d: TsData, r: Float64Array, p: Float64Array, ws: TsWorkspace, k: number, t: number, mu: number, sd: number): number {
  const a = Math.abs(mu);
  // a < Infinity also excludes NaN: only finite forecasts are valid. Without a fallback rule an
  // unconfident forecast is flat like a filtered one, so its test folds into the entry bound.
  const plain = r[RULE_FALLBACK] === Fallback.none;
  if (a < Infinity && sd > 0 && sd < Infinity && (plain || a >= r[RULE_Z] * sd)) {
    return directionBits(r[RULE_SHORT_STEP], Number(mu > 0), belowEntry(a, sd, r[RULE_MIN_ER], r[RULE_ENTRY_K]));
  }
  if (plain || t < r[RULE_LOOKBACK]) return 0;
  let nd = fallbackSignal(d, p, ws, k, t);
  // The guardrail holds for the rule-based signal too: its expected per-bar move must reach it.
  if (!(Math.abs(ws.sig[SIG_SIZE_MU]) >= r[RULE_MIN_ER])) nd = 0;
  return r[RULE_LONG_ONLY] === 1 && nd < 0 ? 0 : nd;
}

/**
 * The models' direction when |mu| = a is at least their entry bound (`below` 0): 1 if mu > 0
 * (`up` 1), else 1 - shortStep (-1, or flat long-only); 0 below the bound. The callers turn the
 * comparisons into numbers (`Number(a < b)`), which compiles without a branch: a branch on the sign
 * of a forecast is mispredicted about half the time.
 */
function directionBits(shortStep: number, up: number, below: number): number {
  return (1 - shortStep * (1 - up)) & (below - 1);
}

/**
 * 1 when |mu| = a is below the models' entry bound max(min_expected_return, z sd, noise_k sd),
 * else 0: sd > 0, so max(z, noise_k) sd (`entryK`) is the larger product exactly. Two comparisons,
 * as Math.max branches on its operands.
 */
function belowEntry(a: number, sd: number, minEr: number, entryK: number): number {
  return Number(a < minEr) | Number(a < entryK * sd);
}

/** 1 when a forecast and the next move agree in sign, else 0 (as numbers: no branch to mispredict). */
function signsAgree(mu: number, move: number): number {
  return Number(move > 0) ^ Number(mu > 0) ^ 1;
}

/** The fallback rule's direction at close t (docs/strategies.md); its sizing inputs go to `sig`. */
function fallbackSignal(d: TsData, p: Float64Array, ws: TsWorkspace, k: number, t: number): number {
  const sig = ws.sig;
  const L = p[TsParam.fallbackLookback];
  const vol = realisedVol(d, ws, k, t, L);
  sig[SIG_FROM_MODELS] = 0;
  sig[SIG_SIZE_SIGMA] = vol;
  if (p[TsParam.fallback] === Fallback.momentum) {
    const ret = ws.win[WIN_SUM];
    sig[SIG_SIZE_MU] = ret / L;
    const z = ret / (vol * Math.sqrt(L));
    return Math.abs(z) >= p[TsParam.fallbackEntryZ] ? (z > 0 ? 1 : -1) : 0;
  }
  windowStats(d.close, d.localPrefixClose, d.localPrefixClose2, d.T, ws, k, t, L);
  const mean = ws.win[WIN_SUM] / L;
  const sdPrice = Math.sqrt(ws.win[WIN_VAR]);
  const c = d.close[k * d.T + t];
  // Expected per-bar move if the price reverts to its mean over the lookback.
  sig[SIG_SIZE_MU] = Math.abs(mean - c) / c / L;
  const z = (c - mean) / sdPrice;
  return Math.abs(z) >= p[TsParam.fallbackEntryZ] ? (z > 0 ? -1 : 1) : 0;
}

/**
 * First pass, per ticker and decision bar: the ensemble mu and sigma (`ensembleAt`), the target
 * direction (`signalOf`), the forecast hit rate; bars where some target moves are marked in
 * `ws.targetMoved`. `ensembleAt` is written out for up to four models and, without a fallback
 * rule, `signalOf` too: no call in the loop then (V8 keeps values live across a call boxed), and
 * every loop invariant read from a typed array into a local, so V8 keeps it in a register instead
 * of checking its type at every use. The model count and rule branches go the same way at every
 * bar (predicted).
 */
function targetsPass(d: TsData, s: TsSettings, rule: Float64Array, p: Float64Array, ws: TsWorkspace): void {
  const { K, T, close } = d;
  const dm = d.mu;
  const ds = d.sigma;
  const { target } = ws;
  const moved = ws.targetMoved;
  moved.fill(0);
  const o = ws.modelOffset, w = ws.modelWeight, n = ws.modelCount[0];
  const o0 = o[0], o1 = o[1], o2 = o[2], o3 = o[3];
  const w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
  const minEr = rule[RULE_MIN_ER], entryK = rule[RULE_ENTRY_K], shortStep = rule[RULE_SHORT_STEP];
  const plain = rule[RULE_FALLBACK] === Fallback.none;
  let hits = 0;
  let forecasts = 0;
  for (let k = 0; k < K; k++) {
    if (leftOut(d, p, ws, k, s)) continue;
    let prev = 0;
    let closeNow = close[k * T + s.start];
    for (let t = s.start; t + 1 < s.end; t++) {
      const i = k * T + t;
      // `ensembleAt`'s sums in its order, from its 0 below four models (0 + -0 is +0); a model
      // out of the ensemble is never multiplied in (0 x NaN is NaN). Statements, not nested
      // conditional expressions: V8 boxed those (one heap number per bar).
      let mu = NaN, sd = NaN;
      if (n === 4) {
        mu = w0 * dm[o0 + i] + w1 * dm[o1 + i] + w2 * dm[o2 + i] + w3 * dm[o3 + i];
        sd = w0 * ds[o0 + i] + w1 * ds[o1 + i] + w2 * ds[o2 + i] + w3 * ds[o3 + i];
      } else if (n === 3) {
        mu = 0 + w0 * dm[o0 + i] + w1 * dm[o1 + i] + w2 * dm[o2 + i];
        sd = 0 + w0 * ds[o0 + i] + w1 * ds[o1 + i] + w2 * ds[o2 + i];
      } else if (n === 2) {
        mu = 0 + w0 * dm[o0 + i] + w1 * dm[o1 + i];
        sd = 0 + w0 * ds[o0 + i] + w1 * ds[o1 + i];
      } else if (n === 1) {
        mu = 0 + w0 * dm[o0 + i];
        sd = 0 + w0 * ds[o0 + i];
      } else if (n > 4) {
        mu = ensembleAt(dm, ws, i);
        sd = ensembleAt(ds, ws, i);
      }
      const closeNext = close[i + 1];
      const move = closeNext - closeNow;
      closeNow = closeNext;
      const a = Math.abs(mu);
      const valid = a < Infinity && sd > 0 && sd < Infinity;
      if (valid && mu !== 0 && move !== 0) {
        forecasts++;
        hits += signsAgree(mu, move);
      }
      const nd = !plain ? signalOf(d, rule, p, ws, k, t, mu, sd) : valid ? directionBits(shortStep, Number(mu > 0), belowEntry(a, sd, minEr, entryK)) : 0;
      target[i] = nd;
      if (nd !== prev) moved[t] = 1;
      prev = nd;
    }
  }
  accForecasts(ws.acc, hits, forecasts);
}

/**
 * Whether ticker k is left out of the candidate's basket (`basketSlot`); if so its targets are
 * flat over the window (the buffer is shared by candidates) and its forecasts are not scored.
 */
function leftOut(d: TsData, p: Float64Array, ws: TsWorkspace, k: number, s: TsSettings): boolean {
  if (p[basketSlot(d.M, k)] !== 0) return false;
  ws.target.fill(0, k * d.T + s.start, k * d.T + s.end);
  return true;
}

/**
 * The direction each ticker should hold after close t (`ws.nextDir`: its target, unless blocked
 * after a stop or take-profit; a different target lifts the block).
 * @returns how many differ from what is held
 */
function targetsChange(ws: TsWorkspace, K: number, T: number, t: number): number {
  const { dir, blocked, nextDir } = ws;
  let changes = 0;
  for (let k = 0; k < K; k++) {
    let nd = ws.target[k * T + t];
    if (blocked[k] !== 0) {
      if (nd === blocked[k]) nd = 0;
      else blocked[k] = 0;
    }
    nextDir[k] = nd;
    if (nd !== dir[k]) changes++;
  }
  return changes;
}

/**
 * At close t, when targets changed (`targetsChange`): turn the changes into orders for the next open, in ticker order, each sized under
 * the caps given what is held and what the orders before it at this close will hold.
 * @returns the number of orders placed
 */
function decide(d: TsData, s: TsSettings, rule: Float64Array, p: Float64Array, atr: Float64Array, ws: TsWorkspace, t: number): number {
  const { K, T, close } = d;
  const equity = ws.equityNow[0];
  const { dir, units, classUsed, nextDir, bookWeight, sig, pending, pendDir, pendNotional, pendLimit, pendRisk, pendExpected, pendVol, pendSlip, entryVol } = ws;
  // Weights held at this close, per ticker, by asset class and in total; each order below updates them.
  let gross = 0;
  for (let c = 0; c < d.classes; c++) classUsed[c] = 0;
  for (let q = 0; q < K; q++) {
    bookWeight[q] = 0;
    if (dir[q] === 0) continue;
    const wq = Math.abs(units[q] * close[q * T + t]) / equity;
    bookWeight[q] = wq;
    gross += wq;
    classUsed[d.assetClass[q]] += wq;
  }
  // Risk parity sizes every entry of this close from one solve over the directions after it (all
  // set by `targetsChange`), made at the first entry: bars with only exits need none.
  let rpPending = p[TsParam.sizing] === Sizing.risk_parity;
  let orders = 0;
  for (let k = 0; k < K; k++) {
    const nd = nextDir[k];
    if (nd === dir[k]) continue;
    const i = k * T + t;
    const cls = d.assetClass[k];
    // Sizing inputs: the ensemble's, unless the fallback rule made this bar's signal (without
    // one, the signal has no side effect, and an exit needs only sigma).
    const plain = rule[RULE_FALLBACK] === Fallback.none;
    const mu = nd !== 0 || !plain ? ensembleAt(d.mu, ws, i) : NaN;
    sig[SIG_SIZE_MU] = mu;
    sig[SIG_SIZE_SIGMA] = ensembleAt(d.sigma, ws, i);
    sig[SIG_FROM_MODELS] = 1;
    if (!plain) signalOf(d, rule, p, ws, k, t, mu, sig[SIG_SIZE_SIGMA]);
    const sizeSig = sig[SIG_SIZE_SIGMA];
    const held = dir[k] !== 0 ? Math.abs(units[k] * close[i]) / equity : 0;
    pendDir[k] = 0;
    let w = 0;
    if (nd !== 0) {
      if (rpPending) {
        riskParityAt(d, s, p, ws, t);
        rpPending = false;
      }
      const riskDistance = riskDistanceAt(d, p, atr, i);
      w = cappedWeight(signalWeight(d, s, p, ws, bookWeight, k, t), p[TsParam.maxWeightClass] - (classUsed[cls] - held), s.maxGrossExposure - (gross - held), s.capitalAtRiskPerTrade, riskDistance);
      if (w > 0) {
        pendDir[k] = nd;
        pendNotional[k] = w * equity;
        pendLimit[k] = close[i] * (1 - nd * p[TsParam.limitOffset]);
        pendRisk[k] = w * riskDistance;
        // The forecast return of the trade on entry equity: weight x the one-bar forecast move.
        pendExpected[k] = sig[SIG_FROM_MODELS] === 1 ? w * Math.expm1(Math.abs(mu)) : NaN;
      }
    }
    if (w === 0 && dir[k] === 0) continue;
    gross += w - held;
    classUsed[cls] += w - held;
    bookWeight[k] = w;
    pending[k] = 1;
    orders++;
    // Exits and market entries pay slippage on the larger of the two legs' notionals; an order
    // without a positive sigma at its decision (an exit on a missing forecast) uses the entry's.
    const notional = Math.max(w * equity, held * equity);
    pendVol[k] = sizeSig > 0 ? sizeSig : dir[k] !== 0 ? entryVol[k] : 0;
    pendSlip[k] = slippageAt(d, p, k, t, notional, pendVol[k]);
  }
  return orders;
}

/**
 * Fill `d.noStopDistance`, the risk distance of a position without a stop decided at close t
 * (docs/strategies.md, caps): min(1, k sqrt(h) sigma_t), sigma_t the realised std of the last L
 * log returns; 1 (the whole position) while fewer than L returns exist. It depends on no
 * candidate, so the evaluator fills it once instead of an order computing it.
 */
export function fillNoStopDistance(d: TsData, s: TsSettings, ws: TsWorkspace): void {
  const L = s.noStopVolLookback;
  for (let k = 0; k < d.K; k++) {
    for (let t = 0; t < d.T; t++) d.noStopDistance[k * d.T + t] = t >= L ? Math.min(1, s.noStopSigmaMult * realisedVol(d, ws, k, t, L)) : 1;
  }
}

/**
 * The weight ticker k's signal asks for at close t: the sizing rule (inputs in `ws.sig`, or the
 * risk-parity weight `riskParityAt` left in `ws.rpWeight`), the per-ticker cap, then the
 * correlated-exposure penalty against `book` (the weight each ticker holds after this close so far).
 */
function signalWeight(d: TsData, s: TsSettings, p: Float64Array, ws: TsWorkspace, book: Float64Array, k: number, t: number): number {
  const sig = ws.sig;
  const rule = p[TsParam.sizing] === Sizing.risk_parity ? ws.rpWeight[k] : weightFor(p, sig[SIG_SIZE_MU], sig[SIG_SIZE_SIGMA]);
  const w = Math.min(rule, p[TsParam.maxWeightTicker]);
  const penalty = p[TsParam.diversificationPenalty];
  // Without a penalty the correlations are not needed (w / 1 is w).
  return penalty > 0 ? w / (1 + penalty * heldCorrelation(d, s, ws, book, k, t)) : w;
}

/**
 * The correlated exposure of ticker k at close t (docs/strategies.md, caps): the mean |rho_kj| over
 * the other tickers j weighted by their weight in `book`, rho the correlation of log returns over
 * the `correlationLookback` returns ending at t; 0 when nothing else is held or fewer returns exist.
 */
function heldCorrelation(d: TsData, s: TsSettings, ws: TsWorkspace, book: Float64Array, k: number, t: number): number {
  const L = s.correlationLookback;
  if (t < L) return 0;
  let num = 0, den = 0;
  for (let j = 0; j < d.K; j++) {
    // |w|: a weight is negative when the equity is (a loss beyond the capital).
    const wj = Math.abs(book[j]);
    if (j === k || !(wj > 0)) continue;
    num += wj * pairStat(d, ws.pairCorr, ws.pairSlot, true, L, k, j, t);
    den += wj;
  }
  return den > 0 ? num / den : 0;
}

/**
 * Risk-parity rule weights at close t into `ws.rpWeight` (docs/strategies.md, sizing): over the
 * tickers with a direction after this close (`ws.nextDir`), equal risk contributions under the
 * signed, shrunk covariance of the `covLookback` log returns ending at t, scaled to the candidate's
 * gross. NaN (no entry) for the others, and for all while fewer returns exist or a member's window
 * has zero variance (its risk, hence its weight, is undefined).
 */
function riskParityAt(d: TsData, s: TsSettings, p: Float64Array, ws: TsWorkspace, t: number): void {
  const { nextDir, rpWeight, rpMembers, rpCov, rpX } = ws;
  const L = s.covLookback;
  let n = 0;
  for (let k = 0; k < d.K; k++) {
    rpWeight[k] = NaN;
    if (nextDir[k] !== 0) rpMembers[n++] = k;
  }
  if (n === 0 || t < L) return;
  for (let a = 0; a < n; a++) {
    const ka = rpMembers[a];
    for (let b = 0; b <= a; b++) {
      const kb = rpMembers[b];
      // Signed: a short position's returns count negated. Off the diagonal, shrunk towards 0.
      const c = nextDir[ka] * nextDir[kb] * pairStat(d, ws.pairCov, ws.pairSlot, false, L, ka, kb, t);
      rpCov[a * n + b] = rpCov[b * n + a] = a === b ? c : (1 - s.shrinkage) * c;
    }
    if (!(rpCov[a * n + a] > 0)) return;
  }
  riskParityWeights(rpCov, n, s.rpMaxIterations, s.rpTolerance, rpX);
  for (let a = 0; a < n; a++) rpWeight[rpMembers[a]] = p[TsParam.riskParityGross] * rpX[a];
}

/**
 * Over the L log returns ending at close t of tickers k and j: |windowCorrelation| (`abs`) or
 * windowCovariance, from `cache` (`ws.pairCorr` / `ws.pairCov`) when it is kept. Both are
 * symmetric in k and j to the bit (the same sums, products commuted), so a pair has one slot.
 */
function pairStat(d: TsData, cache: Float64Array, pairSlot: Int32Array, abs: boolean, L: number, k: number, j: number, t: number): number {
  const T = d.T;
  const c = cache.length > 0 ? pairSlot[k * d.K + j] * T + t : -1;
  // A NaN result (NaN returns in the window) is computed again each time: the same value.
  if (c >= 0 && cache[c] === cache[c]) return cache[c];
  const a = k * T + t - L + 1, b = j * T + t - L + 1;
  const v = abs ? Math.abs(windowCorrelation(d.logRet, a, b, L)) : windowCovariance(d.logRet, a, b, L);
  if (c >= 0) cache[c] = v;
  return v;
}

/**
 * Start the pair caches again (all NaN) unless they hold values of this log-return column and
 * these lookbacks: a workspace serving one evaluator does so once, at its first candidate.
 */
function pairCachesFor(d: TsData, s: TsSettings, ws: TsWorkspace): void {
  const key = ws.pairLookbacks;
  if (ws.pairSource === d.logRet && key[0] === s.correlationLookback && key[1] === s.covLookback) return;
  ws.pairCorr.fill(NaN);
  ws.pairCov.fill(NaN);
  ws.pairSource = d.logRet;
  key[0] = s.correlationLookback;
  key[1] = s.covLookback;
}

/** The loss fraction a position entered at close index i risks: the stop distance, or the stop-less model (`noStopDistance`). */
function riskDistanceAt(d: TsData, p: Float64Array, atr: Float64Array, i: number): number {
  return p[TsParam.trailingStop] === Switch.on ? (p[TsParam.stopAtrMult] * atr[i]) / d.close[i] : d.noStopDistance[i];
}

/** Set the candidate's signal rule and ensemble up in the workspace, for `tsDecision` calls that follow. */
export function tsSelect(d: TsData, s: TsSettings, p: Float64Array, ws: TsWorkspace): void {
  fillSignalRule(ws.rule, s, p);
  activeModels(d, p, ws);
  pairCachesFor(d, s, ws);
}

/**
 * Ticker k's decision at close t under the candidate `tsSelect` set up (`Decision` slots in `out`),
 * for an engine that keeps its own book: the signal and the weight it asks for exactly as `decide`
 * computes them, and what the book-dependent caps, fills and exits need.
 * @param blocked per ticker, the direction blocked after a stop or take-profit (0: none)
 * @param book per ticker, the weight it holds after this close so far: held at this close, or what
 *   an order placed for it earlier at this close will hold (0 for an exit)
 */
export function tsDecision(d: TsData, s: TsSettings, p: Float64Array, ws: TsWorkspace, k: number, t: number, blocked: ArrayLike<number>, book: Float64Array, out: Float64Array): void {
  const i = k * d.T + t;
  const sig = ws.sig;
  if (p[TsParam.sizing] === Sizing.risk_parity) {
    // The directions after this close, as `targetsChange` sets them for `decide` (before this
    // ticker's own signal: they overwrite the sizing inputs in `sig`).
    for (let j = 0; j < d.K; j++) {
      const ij = j * d.T + t;
      const nd = p[basketSlot(d.M, j)] === 0 ? 0 : signalOf(d, ws.rule, p, ws, j, t, ensembleAt(d.mu, ws, ij), ensembleAt(d.sigma, ws, ij));
      ws.nextDir[j] = blocked[j] !== 0 && nd === blocked[j] ? 0 : nd;
    }
    riskParityAt(d, s, p, ws, t);
  }
  const mu = ensembleAt(d.mu, ws, i);
  sig[SIG_SIZE_MU] = mu;
  sig[SIG_SIZE_SIGMA] = ensembleAt(d.sigma, ws, i);
  sig[SIG_FROM_MODELS] = 1;
  // A left-out ticker is flat: the engine exits what an earlier route may have left in it.
  const nd = p[basketSlot(d.M, k)] === 0 ? 0 : signalOf(d, ws.rule, p, ws, k, t, mu, sig[SIG_SIZE_SIGMA]);
  const stopsOn = p[TsParam.trailingStop] === Switch.on;
  out[Decision.direction] = nd;
  out[Decision.weight] = nd !== 0 ? signalWeight(d, s, p, ws, book, k, t) : 0;
  out[Decision.riskDistance] = riskDistanceAt(d, p, ws.atr, i);
  out[Decision.limitPrice] = p[TsParam.orderType] === OrderType.limit ? d.close[i] * (1 - nd * p[TsParam.limitOffset]) : NaN;
  out[Decision.sigma] = sig[SIG_SIZE_SIGMA];
  out[Decision.expectedMove] = sig[SIG_FROM_MODELS] === 1 ? mu : NaN;
  out[Decision.takeProfitPct] = p[TsParam.takeProfit] === Switch.on ? p[TsParam.takeProfitPct] : NaN;
  out[Decision.classCap] = p[TsParam.maxWeightClass];
  out[Decision.grossCap] = s.maxGrossExposure;
  out[Decision.capitalAtRisk] = s.capitalAtRiskPerTrade;
  out[Decision.stopDistance] = stopsOn ? p[TsParam.stopAtrMult] * ws.atr[i] : NaN;
}

/** Slippage fraction of an order of `notional` in ticker k decided at close t with sigma `vol`, under candidate p (`slippageAt`). */
export function tsSlippage(d: TsData, p: Float64Array, k: number, t: number, notional: number, vol: number): number {
  return slippageAt(d, p, k, t, notional, vol);
}

/** Target weight from a sizing rule that sizes a ticker alone (risk parity is `riskParityAt`), before caps. */
function weightFor(p: Float64Array, mu: number, sig: number): number {
  const rule = p[TsParam.sizing];
  if (rule === Sizing.fixed_fraction) return p[TsParam.fixedFraction];
  if (!(sig > 0)) return 0;
  if (rule === Sizing.kelly) return Math.min(p[TsParam.kellyCap], (p[TsParam.kellyFraction] * Math.abs(mu)) / (sig * sig));
  return p[TsParam.volTargetPerBar] / sig;
}
