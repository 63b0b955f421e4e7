/**
 * Reference backtest of the time-series families `ts_ensemble` and `ts_with_fallback`, written
 * straight from docs/strategies.md ("ts_ensemble and ts_with_fallback") and docs/metrics.md with
 * plain arrays and obvious loops: ATR by Wilder's recursion, every rolling mean / std /
 * correlation summed afresh over its window, Φ^{-1} by bisection on an erf of our own. It is the
 * independent check the fast kernel (native-free-kernels/portfolio/ts-portfolio.ts) must match to 1e-9.
 *
 * Readings of the docs made explicit (where they leave room):
 * - Bars are indexed on the panel calendar; the window is t = start..end-1. Everything causal
 *   (ATR, fallback lookbacks, correlations) may read bars before `start`; "needs t >= L" is the
 *   panel index. Orders are decided at closes start..end-2 only.
 * - ATR_t (Wilder, window w): TR_0 = H_0 - L_0, TR_t = max(H_t - L_t, |H_t - C_{t-1}|,
 *   |L_t - C_{t-1}|); ATR_{w-1} = mean(TR_0..TR_{w-1}); ATR_t = (ATR_{t-1}(w-1) + TR_t) / w;
 *   undefined before w-1.
 * - The correlated exposure c of ticker k at close t: over the other tickers j with a weight after
 *   this close so far (held at C_t, or the weight an order placed earlier at this close will hold:
 *   0 for an exit), sum |w_j| |rho_kj| / sum |w_j|, rho_kj the Pearson correlation of the two
 *   tickers' log returns r_u = ln(C_u / C_{u-1}) (u >= 1) over the `correlationLookback` returns
 *   ending at t (0 for a pair where either window has zero variance); c = 0 while fewer than that
 *   many returns exist or when no other ticker has weight. Later tickers' orders at the same close
 *   do not count yet (ticker order, as for the caps).
 * - Risk parity: the tickers whose direction d* after this close (blocking applied) is non-zero
 *   share `risk_parity_gross` so that each contributes equally to the variance of the signed
 *   basket: Sigma the sample covariance (ddof 1) of their log returns over the `covLookback`
 *   returns ending at t, off-diagonal entries times (1 - shrinkage), entry (i, j) times d_i d_j;
 *   weights x > 0 with sum x = 1 and x_i (Sigma x)_i all equal (solved by `referenceRiskParity`),
 *   rule weight = gross x_i. Undefined (no entry) while fewer than `covLookback` returns exist or
 *   when a member's window has zero variance.
 * - The slippage of an order is one fraction for both its legs. Its sigma is the decision's
 *   signal sigma (realised s_L when the fallback rule was consulted). sqrt_participation's
 *   "notional closed" is |units| x C_t at the decision.
 * - An order whose decision has no positive sigma (it only closes, on a missing forecast) uses the
 *   held position's entry sigma. A stop exit's sqrt_participation notional is |units| x its
 *   unslipped exit price min(O_t, level) (long), with bar t-1's volume and close and the entry
 *   decision's sigma. Participation is capped at 1 (also when the dollar volume is 0).
 * - kelly and vol_target divide by sigma; when sigma is not positive, w is undefined: no entry.
 * - "gross weight held elsewhere" and the class's held weight are summed in ticker order; however
 *   they are summed, a cap they fill leaves a remainder of rounding only, which the docs' entry
 *   threshold (w <= 1e-12: no entry) turns into no order.
 * - A stop or take-profit can trigger on the very bar whose open filled the entry, except a
 *   take-profit on the bar a limit order filled (whether its low or high came first is unknown). The trailing
 *   level moves at every close the position is held, its entry bar's close included, after that
 *   bar's intrabar checks.
 * - The block after a stop/take-profit exit compares d* after the long_only rule; any other d*
 *   (0 or the opposite side) lifts it.
 * - Held weights for the caps are those at close t (after that bar's intrabar exits), other tickers
 *   only: the ticker's own position is being closed by its order. Orders placed for earlier tickers
 *   (ticker order) at the same close count with the weight they will hold (0 for an exit).
 * - A ticker left out of the basket is flat at every close (never traded) and its forecasts are
 *   not scored in the hit rate.
 * - Forecasts are valid only when finite (sigma > 0). A fallback signal also needs its expected
 *   per-bar move (the sizing mu) to reach min_expected_return.
 * - A trade's entry equity ("just before its entry order") is E_{t-1}, the mark at the decision
 *   close; pnl = units (exit - entry) - entry fee - exit fee.
 * - calibration_error uses only trades entered on the models' forecast (the confident branch); a
 *   fallback entry has no forecast, so no expected return.
 * - max_capital_at_risk: over filled entries, w x risk distance at the decision bar t: with a
 *   trailing stop m ATR_t / C_t; without one min(1, k x sigma_t x sqrt(h)), sigma_t the std (ddof 1)
 *   of the L log returns ending at t, and 1 while t < L (the first return is r_1, as for the
 *   fallback rule's "needs t >= L"); w is stepped down an ulp when that product would round above
 *   the guardrail.
 */

import { referenceRiskParity } from './risk-parity.js';

export type ModelName = 'sarimax' | 'samossa' | 'mssa_rl' | 'garch';

/** One ticker's bars on the common calendar. */
export interface RefTicker {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  /** Asset class name. */
  assetClass: string;
}

/** One model's forecast for one ticker: mu[t] of ln(C_{t+1}/C_t) and its std sigma[t]. */
export interface RefForecast {
  mu: number[];
  sigma: number[];
}

/** Parameter values as named in config, in config units (bps, annual), inactive ones absent. */
export interface RefTsParams {
  family: 'ts_ensemble' | 'ts_with_fallback';
  /** Ensemble weight per model (w_sarimax, ...), by model name; absent = not configured. */
  weights: Partial<Record<ModelName, number>>;
  direction: 'long_only' | 'long_short';
  noise_filter_k: number;
  sizing: 'fixed_fraction' | 'kelly' | 'vol_target' | 'risk_parity';
  fixed_fraction?: number;
  kelly_cap?: number;
  kelly_fraction?: number;
  vol_target_annual?: number;
  risk_parity_gross?: number;
  max_weight_per_ticker: number;
  max_weight_per_asset_class: number;
  diversification_penalty: number;
  order_type: 'market' | 'limit';
  limit_offset_bps?: number;
  slippage_model: 'fixed_bps' | 'vol_proportional' | 'sqrt_participation';
  slippage_bps?: number;
  slippage_vol_mult?: number;
  impact_coef?: number;
  trailing_stop: 'off' | 'on';
  trailing_stop_atr_mult?: number;
  atr_window?: number;
  take_profit: 'off' | 'on';
  take_profit_pct?: number;
  fallback_rule?: 'momentum' | 'mean_reversion';
  fallback_lookback?: number;
  fallback_entry_z?: number;
  /** Per ticker, whether it is in the basket (basket_<TICKER>: on); absent = every ticker is. */
  basket?: boolean[];
}

export interface RefTsSettings {
  initialCapital: number;
  periodsPerYear: number;
  /** simulation.fee_bps. */
  feeBps: number;
  /** Window [start, end) on the panel calendar. */
  start: number;
  end: number;
  maxGrossExposure: number;
  correlationLookback: number;
  /** diversification.risk_parity: returns in the covariance, and its shrinkage to the diagonal. */
  covLookback: number;
  shrinkage: number;
  /** Guardrails (signal_routing.time_series). */
  minExpectedReturn: number;
  confidenceThreshold: number;
  capitalAtRiskPerTrade: number;
  /** Risk model of a stop-less position: k, h and L (signal_routing.time_series.no_stop_*). */
  noStopAdverseMoveSd: number;
  noStopHorizonBars: number;
  noStopVolLookback: number;
}

export interface RefTsInput {
  tickers: RefTicker[];
  /** forecasts[model][k]. */
  forecasts: Partial<Record<ModelName, RefForecast[]>>;
  params: RefTsParams;
  settings: RefTsSettings;
}

export interface RefTrade {
  ticker: number;
  /** +1 long, -1 short. */
  direction: number;
  /** Bar whose open (or intrabar limit) filled the entry. */
  entryBar: number;
  exitBar: number;
  exitReason: 'signal' | 'stop' | 'take_profit';
  entryPrice: number;
  exitPrice: number;
  /** Signed units (negative short). */
  units: number;
  entryFee: number;
  exitFee: number;
  pnl: number;
  entryEquity: number;
  /** w (exp(|mu|) - 1) for an entry on the models' forecast, NaN for a fallback entry. */
  expectedReturn: number;
}

export interface RefTsMetrics {
  total_return: number;
  total_profit: number;
  max_drawdown: number;
  sharpe: number;
  sortino: number;
  total_trades: number;
  win_rate: number;
  profit_factor: number;
  calibration_error: number;
  hit_rate: number;
  exposure: number;
  turnover: number;
  risk_score: number;
  max_capital_at_risk: number;
}

/** How often each rule fired in a run, so a property test can show which branches it reached. */
export type RefTsEvents = Record<
  | 'forecastEntry' | 'fallbackEntry' | 'shortEntry' | 'limitFill' | 'limitMiss' | 'signalExit' | 'stopExit' | 'gapStop'
  | 'takeProfit' | 'blockedSignal' | 'tickerCapBinds' | 'classCapBinds' | 'grossCapBinds' | 'riskCapBinds' | 'noEntryWeight'
  | 'noStopVolRisk' | 'noStopWholeBeforeLookback' | 'noStopWholeAtLargeMove' | 'riskParitySized' | 'correlatedPenalty',
  number
>;

export interface RefTsResult {
  /** E_t for t = start..end-1. */
  equity: number[];
  trades: RefTrade[];
  metrics: RefTsMetrics;
  events: RefTsEvents;
}

// ---------------------------------------------------------------------------------------------
// Normal quantile: erf by its everywhere-convergent positive series, Φ, then bisection.

/** erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1 3 5 ... (2n+1)); all terms positive. */
export function refErf(x: number): number {
  if (x < 0) return -refErf(-x);
  if (x > 6) return 1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** Φ(z) = (1 + erf(z / sqrt 2)) / 2. */
export function refNormalCdf(z: number): number {
  return 0.5 * (1 + refErf(z / Math.SQRT2));
}

/** Φ^{-1}(p) by bisection on [-10, 10] down to adjacent doubles. */
export function refNormalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (refNormalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------------------------------------
// Plain statistics.

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample std, ddof 1. */
function std1(xs: number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** Wilder's ATR of the whole series, NaN before bar w-1. */
export function refAtr(tk: RefTicker, w: number): number[] {
  const T = tk.close.length;
  const tr: number[] = [];
  for (let t = 0; t < T; t++) {
    let r = tk.high[t] - tk.low[t];
    if (t > 0) r = Math.max(r, Math.abs(tk.high[t] - tk.close[t - 1]), Math.abs(tk.low[t] - tk.close[t - 1]));
    tr.push(r);
  }
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    if (t < w - 1) out.push(NaN);
    else if (t === w - 1) out.push(mean(tr.slice(0, w)));
    else out.push((out[t - 1] * (w - 1) + tr[t]) / w);
  }
  return out;
}

/** Log returns r_u = ln(C_u / C_{u-1}) for u = from..to. */
function logReturnsBetween(close: number[], from: number, to: number): number[] {
  const r: number[] = [];
  for (let u = from; u <= to; u++) r.push(Math.log(close[u] / close[u - 1]));
  return r;
}

/** Pearson correlation of two equal-length samples; NaN when either has zero variance. */
function correlation(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa === 0 || sbb === 0) return NaN;
  return sab / Math.sqrt(saa * sbb);
}

/** c of ticker k at close t: the |corr| with the other tickers over the `lb` returns ending at t, weighted by `weight(j)`. */
function correlatedExposure(tickers: RefTicker[], k: number, t: number, lb: number, weight: (j: number) => number): number {
  if (t < lb) return 0;
  const mine = logReturnsBetween(tickers[k].close, t - lb + 1, t);
  let num = 0;
  let den = 0;
  for (let j = 0; j < tickers.length; j++) {
    const w = Math.abs(weight(j));
    if (j === k || w === 0) continue;
    const c = correlation(mine, logReturnsBetween(tickers[j].close, t - lb + 1, t));
    num += w * (Number.isNaN(c) ? 0 : Math.abs(c));
    den += w;
  }
  return den > 0 ? num / den : 0;
}

/** Sample covariance (ddof 1) of two equal-length samples. */
function covariance(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (a.length - 1);
}

/** Risk-parity rule weights at close t of the tickers with direction dirs[k] != 0 (NaN for the others, or for all when undefined). */
function riskParityRuleWeights(tickers: RefTicker[], dirs: number[], t: number, s: RefTsSettings, gross: number): number[] {
  const out = tickers.map(() => NaN);
  const members = dirs.flatMap((d, k) => (d !== 0 ? [k] : []));
  if (members.length === 0 || t < s.covLookback) return out;
  const rets = members.map((k) => logReturnsBetween(tickers[k].close, t - s.covLookback + 1, t));
  const C = members.map((ki, a) =>
    members.map((kj, b) => dirs[ki] * dirs[kj] * covariance(rets[a], rets[b]) * (a === b ? 1 : 1 - s.shrinkage)),
  );
  if (C.some((row, a) => !(row[a] > 0))) return out;
  const x = referenceRiskParity(C);
  members.forEach((k, a) => (out[k] = gross * x[a]));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The backtest.

interface Position {
  d: number;
  units: number;
  entryBar: number;
  entryPrice: number;
  entryFee: number;
  entryEquity: number;
  expectedReturn: number;
  /** Sigma of the entry decision (for a stop exit's slippage). */
  sigma: number;
  stopLevel: number;
  tpLevel: number;
}

interface Order {
  /** Direction to open (0: close only). */
  open: number;
  /** Notional of the new position, w E_t. */
  notional: number;
  w: number;
  /** w x risk distance (the stop's, or the stop-less model's), at most the guardrail. */
  capitalAtRisk: number;
  slip: number;
  sigma: number;
  expectedReturn: number;
  /** ATR and close at the decision (stop level and capital at risk). */
  atr: number;
  close: number;
  /** Limit price for a limit entry. */
  limit: number;
}

/** The ensemble forecast of ticker k at bar t. */
function ensemble(input: RefTsInput, k: number, t: number): { mu: number; sigma: number; valid: boolean } {
  let sw = 0;
  let smu = 0;
  let ssig = 0;
  for (const m of Object.keys(input.params.weights) as ModelName[]) {
    const w = input.params.weights[m]!;
    if (!(w > 0)) continue;
    const f = input.forecasts[m]![k];
    sw += w;
    smu += w * f.mu[t];
    ssig += w * f.sigma[t];
  }
  const mu = smu / sw;
  const sigma = ssig / sw;
  return { mu, sigma, valid: sw > 0 && Number.isFinite(mu) && Number.isFinite(sigma) && sigma > 0 };
}

/** docs/strategies.md: "w <= 1e-12 (or undefined) means no entry". */
const MIN_ENTRY_WEIGHT = 1e-12;

/** Run the reference backtest. */
export function referenceTsPortfolio(input: RefTsInput): RefTsResult {
  const { tickers, params: p, settings: s } = input;
  const K = tickers.length;
  const f = s.feeBps / 1e4;
  const z = refNormalQuantile(s.confidenceThreshold);
  const stopOn = p.trailing_stop === 'on';
  const tpOn = p.take_profit === 'on';
  const m = stopOn ? p.trailing_stop_atr_mult! : NaN;
  const atrs = tickers.map((tk) => (stopOn ? refAtr(tk, p.atr_window!) : tk.close.map(() => NaN)));
  const inBasket = (k: number): boolean => p.basket?.[k] ?? true;

  let cash = s.initialCapital;
  const pos: (Position | null)[] = tickers.map(() => null);
  const orders: (Order | null)[] = tickers.map(() => null);
  const blocked: number[] = tickers.map(() => 0);
  const limitFilledAt: number[] = tickers.map(() => -1);
  const equity: number[] = [];
  const trades: RefTrade[] = [];
  let prevE = s.initialCapital;
  let turnoverSum = 0;
  let maxCar = 0;
  let exposedBars = 0;
  let hits = 0;
  let forecastsCounted = 0;
  const events: RefTsEvents = {
    forecastEntry: 0, fallbackEntry: 0, shortEntry: 0, limitFill: 0, limitMiss: 0, signalExit: 0, stopExit: 0, gapStop: 0,
    takeProfit: 0, blockedSignal: 0, tickerCapBinds: 0, classCapBinds: 0, grossCapBinds: 0, riskCapBinds: 0, noEntryWeight: 0,
    noStopVolRisk: 0, noStopWholeBeforeLookback: 0, noStopWholeAtLargeMove: 0, riskParitySized: 0, correlatedPenalty: 0,
  };

  /** Loss fraction of a stop-less position decided at close t: k sigma sqrt(h), at most 1; 1 before L returns exist. */
  const noStopDistance = (tk: RefTicker, t: number): number => {
    const L = s.noStopVolLookback;
    if (t < L) {
      events.noStopWholeBeforeLookback++;
      return 1;
    }
    const loss = s.noStopAdverseMoveSd * std1(logReturnsBetween(tk.close, t - L + 1, t)) * Math.sqrt(s.noStopHorizonBars);
    events[loss >= 1 ? 'noStopWholeAtLargeMove' : 'noStopVolRisk']++;
    return Math.min(1, loss);
  };

  const closePosition = (k: number, t: number, price: number, reason: RefTrade['exitReason']): void => {
    const q = pos[k]!;
    const fee = f * Math.abs(q.units * price);
    cash += q.units * price - fee;
    turnoverSum += Math.abs(q.units * price) / prevE;
    trades.push({
      ticker: k, direction: q.d, entryBar: q.entryBar, exitBar: t, exitReason: reason, entryPrice: q.entryPrice, exitPrice: price,
      units: q.units, entryFee: q.entryFee, exitFee: fee, pnl: q.units * (price - q.entryPrice) - q.entryFee - fee,
      entryEquity: q.entryEquity, expectedReturn: q.expectedReturn,
    });
    events[reason === 'signal' ? 'signalExit' : reason === 'stop' ? 'stopExit' : 'takeProfit']++;
    pos[k] = null;
  };

  for (let t = s.start; t < s.end; t++) {
    // 1. Fills at the open of the orders decided at close t-1.
    for (let k = 0; k < K; k++) {
      const o = orders[k];
      if (o === null) continue;
      orders[k] = null;
      const tk = tickers[k];
      if (pos[k] !== null) closePosition(k, t, tk.open[t] * (1 - pos[k]!.d * o.slip), 'signal');
      if (o.open === 0) continue;
      let price: number;
      if (p.order_type === 'market') price = tk.open[t] * (1 + o.open * o.slip);
      else {
        const l = o.limit;
        const through = o.open > 0 ? tk.low[t] < l : tk.high[t] > l;
        if (!through) {
          events.limitMiss++;
          continue;
        }
        events.limitFill++;
        price = o.open > 0 ? Math.min(tk.open[t], l) : Math.max(tk.open[t], l);
        limitFilledAt[k] = t;
      }
      const units = (o.open * o.notional) / price;
      const fee = f * Math.abs(units * price);
      cash -= units * price + fee;
      turnoverSum += Math.abs(units * price) / prevE;
      events[Number.isNaN(o.expectedReturn) ? 'fallbackEntry' : 'forecastEntry']++;
      if (o.open < 0) events.shortEntry++;
      // Rounding of w = cap / distance can put w x distance an ulp above the cap.
      maxCar = Math.max(maxCar, o.capitalAtRisk);
      pos[k] = {
        d: o.open, units, entryBar: t, entryPrice: price, entryFee: fee, entryEquity: prevE, expectedReturn: o.expectedReturn,
        sigma: o.sigma, stopLevel: stopOn ? price - o.open * m * o.atr : NaN, tpLevel: tpOn ? price * (1 + o.open * p.take_profit_pct!) : NaN,
      };
    }

    // 2. Intrabar exits: the stop first, then the take-profit.
    for (let k = 0; k < K; k++) {
      const q = pos[k];
      if (q === null) continue;
      const tk = tickers[k];
      if (stopOn && (q.d > 0 ? tk.low[t] <= q.stopLevel : tk.high[t] >= q.stopLevel)) {
        const raw = q.d > 0 ? Math.min(tk.open[t], q.stopLevel) : Math.max(tk.open[t], q.stopLevel);
        if (raw === tk.open[t]) events.gapStop++;
        const slip = slippage(p, q.sigma, Math.abs(q.units) * raw, tk.volume[t - 1], tk.close[t - 1]);
        blocked[k] = q.d;
        closePosition(k, t, raw * (1 - q.d * slip), 'stop');
      } else if (tpOn && limitFilledAt[k] !== t && (q.d > 0 ? tk.high[t] >= q.tpLevel : tk.low[t] <= q.tpLevel)) {
        // Not on the bar a limit filled: the bar's order of low and high is unknown.
        const price = q.d > 0 ? Math.max(tk.open[t], q.tpLevel) : Math.min(tk.open[t], q.tpLevel);
        blocked[k] = q.d;
        closePosition(k, t, price, 'take_profit');
      }
    }

    // 3. Mark at the close; the trailing stops follow.
    let E = cash;
    for (let k = 0; k < K; k++) if (pos[k] !== null) E += pos[k]!.units * tickers[k].close[t];
    equity.push(E);
    if (pos.some((q) => q !== null)) exposedBars++;
    for (let k = 0; k < K; k++) {
      const q = pos[k];
      if (q === null || !stopOn) continue;
      const cand = tickers[k].close[t] - q.d * m * atrs[k][t];
      if (q.d > 0 ? cand > q.stopLevel : cand < q.stopLevel) q.stopLevel = cand;
    }

    // Hit rate: every valid nonzero forecast whose next bar is inside the window and moves.
    if (t + 1 < s.end) {
      for (let k = 0; k < K; k++) {
        if (!inBasket(k)) continue;
        const ens = ensemble(input, k, t);
        const move = tickers[k].close[t + 1] - tickers[k].close[t];
        if (ens.valid && ens.mu !== 0 && move !== 0) {
          forecastsCounted++;
          if (sign(ens.mu) === sign(move)) hits++;
        }
      }
    }

    // 4. Decide at the close for the next open.
    if (t + 1 < s.end) {
      // Weight each ticker will hold after the orders placed so far at this close (ticker order).
      const committed: (number | null)[] = new Array<number | null>(K).fill(null);
      const heldWeight = (j: number): number =>
        committed[j] ?? (pos[j] === null ? 0 : Math.abs(pos[j].units * tickers[j].close[t]) / E);
      // Every ticker's signal and direction after this close first: risk parity sizes over them all.
      const decisions = tickers.map((tk, k) => {
        const C = tk.close[t];
        const ens = ensemble(input, k, t);
        const confident = ens.valid && Math.abs(ens.mu) >= z * ens.sigma;
        let d = 0;
        let mu = ens.mu;
        let sigma = ens.sigma;
        let fromForecast = false;
        if (confident) {
          fromForecast = true;
          if (Math.abs(ens.mu) >= s.minExpectedReturn && Math.abs(ens.mu) >= p.noise_filter_k * ens.sigma) d = sign(ens.mu);
        } else if (p.family === 'ts_with_fallback' && t >= p.fallback_lookback!) {
          const L = p.fallback_lookback!;
          const rets = logReturnsBetween(tk.close, t - L + 1, t);
          const sL = std1(rets);
          sigma = sL;
          if (p.fallback_rule === 'momentum') {
            const R = Math.log(C / tk.close[t - L]);
            const zz = R / (sL * Math.sqrt(L));
            if (Math.abs(zz) >= p.fallback_entry_z!) d = sign(zz);
            mu = R / L;
          } else {
            const win = tk.close.slice(t - L + 1, t + 1);
            const mm = mean(win);
            const sd = std1(win);
            const zz = (C - mm) / sd;
            if (Math.abs(zz) >= p.fallback_entry_z!) d = -sign(zz);
            mu = Math.abs(mm - C) / C / L;
          }
          // The min_expected_return guardrail applies to the rule's expected per-bar move too.
          if (!(Math.abs(mu) >= s.minExpectedReturn)) d = 0;
        }
        if (p.direction === 'long_only' && d < 0) d = 0;
        if (!inBasket(k)) d = 0;
        if (blocked[k] !== 0) {
          if (d === blocked[k]) {
            d = 0;
            events.blockedSignal++;
          }
          else blocked[k] = 0;
        }
        return { d, mu, sigma, fromForecast, ens };
      });
      let rpWeights: number[] | null = null;
      for (let k = 0; k < K; k++) {
        const tk = tickers[k];
        const C = tk.close[t];
        const { d, mu, sigma, fromForecast, ens } = decisions[k];
        const held = pos[k] === null ? 0 : pos[k]!.d;
        if (d === held) continue;

        let w = NaN;
        let capitalAtRisk = NaN;
        if (d !== 0) {
          if (p.sizing === 'fixed_fraction') w = p.fixed_fraction!;
          else if (p.sizing === 'risk_parity') {
            rpWeights ??= riskParityRuleWeights(tickers, decisions.map((x) => x.d), t, s, p.risk_parity_gross!);
            w = rpWeights[k];
            if (w > 0) events.riskParitySized++;
          } else if (!(sigma > 0)) w = NaN;
          else if (p.sizing === 'kelly') w = Math.min(p.kelly_cap!, (p.kelly_fraction! * Math.abs(mu)) / (sigma * sigma));
          else w = p.vol_target_annual! / Math.sqrt(s.periodsPerYear) / sigma;
          if (w > p.max_weight_per_ticker) events.tickerCapBinds++;
          w = Math.min(w, p.max_weight_per_ticker);
          const c = correlatedExposure(tickers, k, t, s.correlationLookback, heldWeight);
          if (p.diversification_penalty > 0 && c > 0) events.correlatedPenalty++;
          w = w / (1 + p.diversification_penalty * c);
          let classHeld = 0;
          let grossElsewhere = 0;
          for (let j = 0; j < K; j++) {
            if (j === k) continue;
            grossElsewhere += heldWeight(j);
            if (tickers[j].assetClass === tk.assetClass) classHeld += heldWeight(j);
          }
          if (w > p.max_weight_per_asset_class - classHeld) events.classCapBinds++;
          w = Math.min(w, p.max_weight_per_asset_class - classHeld);
          if (w > s.maxGrossExposure - grossElsewhere) events.grossCapBinds++;
          w = Math.min(w, s.maxGrossExposure - grossElsewhere);
          const riskDistance = stopOn ? (m * atrs[k][t]) / C : noStopDistance(tk, t);
          if (w > s.capitalAtRiskPerTrade / riskDistance) events.riskCapBinds++;
          w = Math.min(w, s.capitalAtRiskPerTrade / riskDistance);
          // cap / distance times distance can round an ulp above the cap: step w down to honour it.
          if (w * riskDistance > s.capitalAtRiskPerTrade) w *= 1 - Number.EPSILON;
          capitalAtRisk = w * riskDistance;
          if (!(w > MIN_ENTRY_WEIGHT)) events.noEntryWeight++;
        }
        // w <= 1e-12 is no entry: all that a cap filled by other positions leaves is rounding.
        const opens = d !== 0 && w > MIN_ENTRY_WEIGHT;
        if (!opens && held === 0) continue;
        const notional = opens ? w * E : 0;
        const closedNotional = held === 0 ? 0 : Math.abs(pos[k]!.units) * C;
        const slipSigma = sigma > 0 ? sigma : held !== 0 ? pos[k]!.sigma : 0;
        committed[k] = opens ? w : 0;
        orders[k] = {
          open: opens ? d : 0, notional, w, capitalAtRisk, sigma: slipSigma,
          slip: slippage(p, slipSigma, Math.max(notional, closedNotional), tk.volume[t], C),
          expectedReturn: fromForecast ? w * (Math.exp(Math.abs(ens.mu)) - 1) : NaN,
          atr: atrs[k][t], close: C,
          limit: p.order_type === 'limit' ? C * (1 - d * (p.limit_offset_bps! / 1e4)) : NaN,
        };
      }
    }
    prevE = E;
  }

  return { equity, trades, events, metrics: metricsOf(equity, trades, s, { turnoverSum, maxCar, exposedBars, hits, forecastsCounted }) };
}

/** Slippage fraction of a market order trading `notional` at a bar with volume V and close C. */
function slippage(p: RefTsParams, sigma: number, notional: number, V: number, C: number): number {
  if (p.slippage_model === 'fixed_bps') return p.slippage_bps! / 1e4;
  if (p.slippage_model === 'vol_proportional') return p.slippage_vol_mult! * sigma;
  const dollarVolume = V * C;
  return p.impact_coef! * sigma * Math.sqrt(dollarVolume > 0 ? Math.min(1, notional / dollarVolume) : 1);
}

function metricsOf(
  equity: number[],
  trades: RefTrade[],
  s: RefTsSettings,
  acc: { turnoverSum: number; maxCar: number; exposedBars: number; hits: number; forecastsCounted: number },
): RefTsMetrics {
  const E0 = s.initialCapital;
  const P = s.periodsPerYear;
  const bars = equity.length;
  const last = equity[bars - 1];
  let worst = 0;
  let peak = E0;
  for (const e of equity) {
    peak = Math.max(peak, e);
    worst = Math.max(worst, 1 - e / peak);
  }
  const r: number[] = [];
  for (let t = 1; t < bars; t++) r.push(equity[t] / equity[t - 1] - 1);
  const sd = r.length >= 2 ? std1(r) : NaN;
  let down = 0;
  for (const x of r) down += Math.min(x, 0) ** 2;
  const D = Math.sqrt(down / r.length);
  const wins = trades.filter((tr) => tr.pnl > 0);
  const losses = trades.filter((tr) => tr.pnl < 0);
  const sumWin = wins.reduce((a, tr) => a + tr.pnl, 0);
  const sumLoss = losses.reduce((a, tr) => a + tr.pnl, 0);
  const calibrated = trades.filter((tr) => !Number.isNaN(tr.expectedReturn));
  return {
    total_return: last / E0 - 1,
    total_profit: last - E0,
    max_drawdown: worst,
    sharpe: bars >= 3 && sd > 0 ? (mean(r) / sd) * Math.sqrt(P) : NaN,
    sortino: bars >= 3 && D > 0 ? (mean(r) / D) * Math.sqrt(P) : NaN,
    total_trades: trades.length,
    win_rate: trades.length > 0 ? wins.length / trades.length : NaN,
    profit_factor: losses.length === 0 ? Infinity : sumWin / Math.abs(sumLoss),
    calibration_error:
      calibrated.length > 0 ? calibrated.reduce((a, tr) => a + Math.abs(tr.expectedReturn - tr.pnl / tr.entryEquity), 0) / calibrated.length : NaN,
    hit_rate: acc.forecastsCounted > 0 ? acc.hits / acc.forecastsCounted : NaN,
    exposure: acc.exposedBars / bars,
    turnover: acc.turnoverSum / (bars / P),
    risk_score: r.length >= 2 ? sd * Math.sqrt(P) : NaN,
    max_capital_at_risk: acc.maxCar,
  };
}
