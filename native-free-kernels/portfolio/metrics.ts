/**
 * The metric vector of one backtest, and the running accumulator every strategy kernel feeds.
 *
 * Definitions are those of docs/metrics.md (and the shared reference semantics): equity E_t is
 * marked at each close t of the window, E_{-1} = initial capital; r_t = E_t / E_{t-1} - 1 for the
 * second bar of the window on. The accumulator is a caller-owned `Float64Array(ACC_SIZE)`, so a
 * worker reuses one for every candidate; nothing here allocates. Per-bar equity statistics are
 * kept by the kernels in locals and stored once (`accSetPath`); trades, fills and forecasts are
 * recorded here as they happen.
 */

/** Column of each metric in a metric row; `METRIC_NAMES[i]` is the name of column i. */
export const Metric = {
  total_return: 0,
  total_profit: 1,
  max_drawdown: 2,
  sharpe: 3,
  sortino: 4,
  total_trades: 5,
  win_rate: 6,
  profit_factor: 7,
  calibration_error: 8,
  hit_rate: 9,
  exposure: 10,
  turnover: 11,
  risk_score: 12,
  max_capital_at_risk: 13,
} as const;
export type MetricName = keyof typeof Metric;
export const METRIC_NAMES = Object.keys(Metric) as readonly MetricName[];
export const METRIC_COUNT = METRIC_NAMES.length;

// Accumulator slots.
const PREV_E = 0, PEAK = 1, MIN_SINCE_PEAK = 2, WORST_DD = 3, SUM_R = 4, SUM_R2 = 5, SUM_DOWN2 = 6, N_R = 7;
const BARS = 8, BARS_EXPOSED = 9, TRADES = 10, WINS = 11, SUM_WIN = 12, SUM_LOSS = 13, N_LOSS = 14;
const SUM_CAL_ERR = 15, N_CAL = 16, TURNOVER = 17, MAX_CAR = 18, HITS = 19, N_FORECASTS = 20;
export const ACC_SIZE = 21;

/** Start a new equity path at E_{-1} = initial. */
export function accReset(acc: Float64Array, initial: number): void {
  acc.fill(0);
  acc[PREV_E] = initial;
  acc[PEAK] = initial;
  acc[MIN_SINCE_PEAK] = initial;
}

/**
 * Store an equity path's running statistics, which the kernels keep in locals while they loop
 * (typed-array slots updated every bar cost a load and a store each): the last equity, the peak so
 * far and the lowest equity since it, the worst drawdown of earlier peak segments, and the sums of
 * returns r_t = E_t / E_{t-1} - 1 from the window's second bar on, of their squares and of their
 * squared negative parts. Drawdown is tracked as the trough since the last peak, so no division per
 * bar is spent on it: max_t (1 - E_t / peak_t) is reached at each segment's minimum.
 */
export function accSetPath(
  acc: Float64Array,
  lastEquity: number,
  peak: number,
  minSincePeak: number,
  worstDrawdown: number,
  sumR: number,
  sumR2: number,
  sumDown2: number,
  bars: number,
  barsExposed: number,
): void {
  acc[PREV_E] = lastEquity;
  acc[PEAK] = peak;
  acc[MIN_SINCE_PEAK] = minSincePeak;
  acc[WORST_DD] = worstDrawdown;
  acc[SUM_R] = sumR;
  acc[SUM_R2] = sumR2;
  acc[SUM_DOWN2] = sumDown2;
  acc[N_R] = bars > 0 ? bars - 1 : 0;
  acc[BARS] = bars;
  acc[BARS_EXPOSED] = barsExposed;
}

/**
 * Record a closed round trip.
 * @param pnl equity change from just before entry to just after exit, costs included
 * @param expectedReturn what the signal forecast for the trade at entry (NaN: no forecast)
 * @param entryEquity equity just before the entry order
 */
export function accTrade(acc: Float64Array, pnl: number, expectedReturn: number, entryEquity: number): void {
  acc[TRADES]++;
  if (pnl > 0) {
    acc[WINS]++;
    acc[SUM_WIN] += pnl;
  } else if (pnl < 0) {
    acc[SUM_LOSS] -= pnl;
    acc[N_LOSS]++;
  }
  if (expectedReturn === expectedReturn) {
    acc[SUM_CAL_ERR] += Math.abs(expectedReturn - pnl / entryEquity);
    acc[N_CAL]++;
  }
}

/**
 * Record a fill: traded notional as a fraction of equity, and the capital the position puts at risk.
 * @param notionalFraction |traded notional| / equity at the fill
 * @param capitalAtRisk fraction of equity lost if the position's stop is hit (0 for an exit)
 */
export function accFill(acc: Float64Array, notionalFraction: number, capitalAtRisk: number): void {
  acc[TURNOVER] += notionalFraction;
  if (capitalAtRisk > acc[MAX_CAR]) acc[MAX_CAR] = capitalAtRisk;
}

/** Record directional forecasts: how many were scored and how many matched the next bar's move. */
export function accForecasts(acc: Float64Array, hits: number, scored: number): void {
  acc[HITS] += hits;
  acc[N_FORECASTS] += scored;
}

/**
 * Write the metric row for the path accumulated so far.
 * @param forecasting whether the strategy makes forecasts (calibration error is NaN when not)
 */
export function accFinish(acc: Float64Array, initial: number, periodsPerYear: number, forecasting: boolean, out: Float64Array, offset: number): void {
  const last = acc[BARS] > 0 ? acc[PREV_E] : initial;
  const n = acc[N_R];
  const mean = n > 0 ? acc[SUM_R] / n : NaN;
  const variance = n > 1 ? Math.max(0, (acc[SUM_R2] - acc[SUM_R] * mean) / (n - 1)) : NaN;
  const std = Math.sqrt(variance);
  const downside = n > 0 ? Math.sqrt(acc[SUM_DOWN2] / n) : NaN;
  const trades = acc[TRADES];
  const years = acc[BARS] / periodsPerYear;
  out[offset + Metric.total_return] = last / initial - 1;
  out[offset + Metric.total_profit] = last - initial;
  out[offset + Metric.max_drawdown] = Math.max(acc[WORST_DD], 1 - acc[MIN_SINCE_PEAK] / acc[PEAK]);
  out[offset + Metric.sharpe] = acc[BARS] >= 3 && std > 0 ? (mean / std) * Math.sqrt(periodsPerYear) : NaN;
  out[offset + Metric.sortino] = acc[BARS] >= 3 && downside > 0 ? (mean / downside) * Math.sqrt(periodsPerYear) : NaN;
  out[offset + Metric.total_trades] = trades;
  out[offset + Metric.win_rate] = trades > 0 ? acc[WINS] / trades : NaN;
  out[offset + Metric.profit_factor] = acc[N_LOSS] > 0 ? acc[SUM_WIN] / acc[SUM_LOSS] : Infinity;
  out[offset + Metric.calibration_error] = forecasting && acc[N_CAL] > 0 ? acc[SUM_CAL_ERR] / acc[N_CAL] : NaN;
  out[offset + Metric.hit_rate] = acc[N_FORECASTS] > 0 ? acc[HITS] / acc[N_FORECASTS] : NaN;
  out[offset + Metric.exposure] = acc[BARS] > 0 ? acc[BARS_EXPOSED] / acc[BARS] : 0;
  out[offset + Metric.turnover] = years > 0 ? acc[TURNOVER] / years : 0;
  out[offset + Metric.risk_score] = n > 1 ? std * Math.sqrt(periodsPerYear) : NaN;
  out[offset + Metric.max_capital_at_risk] = acc[MAX_CAR];
}
