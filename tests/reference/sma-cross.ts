/**
 * Reference backtest of the `sma_cross` family, written straight from
 * docs/reference-semantics.md (copied from the shared spec) with plain arrays and obvious loops: every SMA is summed
 * afresh from its window, every bar is walked once in order. It is the independent check the fast
 * simulator must match to 1e-9 relative.
 *
 * Readings of the spec made explicit:
 * - SMA_n(t) = (C_{t-n+1} + ... + C_t) / n, summed oldest first; undefined (NaN) for t < n-1.
 * - s_t = 1 only when both SMAs are defined and SMA_fast(t) > SMA_slow(t); equality is flat, and
 *   averages within a relative 1e-12 of each other are equal (docs/strategies.md): they differ
 *   only by the rounding of their sums, e.g. on a constant price of 100.1. s_{-1} = 0.
 * - A window [start, end) trades only inside it: SMAs use all closes up to t, the path starts flat
 *   with E_{start-1} = initial capital and s_{start-1} = 0, and no order fills at or after `end`.
 * - An order decided at close t (s_t != s_{t-1}) fills at O_{t+1}; a change at t = T-1 never fills.
 *   Every order fills (all cash in, all units out), so the position held from the open of bar t on
 *   is s_{t-1}: the fill at bar t is an entry when s_{t-1} = 1 and s_{t-2} = 0, an exit when
 *   s_{t-1} = 0 and s_{t-2} = 1 (with s_{-1} = 0).
 * - f = fee_bps / 1e4. Entry spends all cash E: units = E / (O (1 + f)). Exit: cash = units O (1 - f).
 * - E_t is marked at close t after that bar's fill: units * C_t while long, cash while flat.
 * - "Equity just before the entry order" is the cash held at the fill bar's open (flat means
 *   equity = cash); that is the trade's entryEquity. "Just after the exit order" is the cash the
 *   exit brings in. So pnl = exit cash - entryEquity, both fees included; a win is pnl > 0.
 * - A position still open after the last bar is marked at C_{T-1} and is not a trade.
 */
import {
  refMaxDrawdown,
  refProfitFactor,
  refRiskScore,
  refSharpe,
  refSortino,
  refTotalProfit,
  refTotalReturn,
  refWinRate,
} from './metrics.js';

/** Relative difference below which two averages count as equal (docs/strategies.md). */
export const SMA_EQUAL_REL = 1e-12;

export interface ReferenceBars {
  open: number[];
  close: number[];
}

export interface ReferenceSmaCrossParams {
  fast: number;
  slow: number;
  feeBps: number;
  initialCapital: number;
  periodsPerYear: number;
  /** Traded window [start, end); default the whole series. */
  start?: number;
  end?: number;
}

export interface ReferenceTrade {
  /** Bar whose open filled the entry (t+1 for an order decided at close t). */
  entryBar: number;
  /** Bar whose open filled the exit. */
  exitBar: number;
  /** Exit cash - cash held just before the entry, fees included. */
  pnl: number;
  /** Equity (all cash) just before the entry order. */
  entryEquity: number;
}

export interface ReferenceMetrics {
  total_return: number;
  total_profit: number;
  max_drawdown: number;
  /** NaN when std of returns is 0 or T < 3. */
  sharpe: number;
  total_trades: number;
  /** NaN when no trade closed. */
  win_rate: number;
  /** +Infinity when no trade lost, including when there are no trades at all. */
  profit_factor: number;
  /** Always NaN: sma_cross makes no forecast. */
  calibration_error: number;
  sortino: number;
  /** Share of bars with a position at the close. */
  exposure: number;
  /** Sum over fills of notional / equity at the previous close, per year of bars. */
  turnover: number;
  risk_score: number;
  /** 1 once any entry happened (all-in, no stop), else 0. */
  max_capital_at_risk: number;
  /** Always NaN: no forecast. */
  hit_rate: number;
}

export interface ReferenceResult {
  /** E_t at each close, t = 0..T-1. */
  equity: number[];
  trades: ReferenceTrade[];
  metrics: ReferenceMetrics;
}

/** SMA_n(t) = mean(C_{t-n+1..t}) summed from its window; NaN when t < n-1. */
export function refSma(close: number[], n: number, t: number): number {
  if (t < n - 1) return NaN;
  let sum = 0;
  for (let i = t - n + 1; i <= t; i++) sum += close[i];
  return sum / n;
}

/** Targets s_t: 1 when both SMAs are defined and SMA_fast(t) > SMA_slow(t), else 0. */
export function refSmaCrossTargets(close: number[], fast: number, slow: number): number[] {
  const s: number[] = [];
  for (let t = 0; t < close.length; t++) {
    const f = refSma(close, fast, t);
    const sl = refSma(close, slow, t);
    // NaN > x and x > NaN are both false, so an undefined SMA gives 0.
    const equal = Math.abs(f - sl) <= SMA_EQUAL_REL * Math.abs(sl);
    s.push(f > sl && !equal ? 1 : 0);
  }
  return s;
}

/** Full `sma_cross` backtest and its metrics, per the reference semantics. */
export function referenceSmaCross(bars: ReferenceBars, p: ReferenceSmaCrossParams): ReferenceResult {
  const { open, close } = bars;
  if (open.length !== close.length) throw new Error(`open has ${open.length} bars, close ${close.length}`);
  if (!Number.isInteger(p.fast) || !Number.isInteger(p.slow) || p.fast < 1 || p.fast >= p.slow) {
    throw new Error(`need integers 1 <= fast < slow, got fast=${p.fast} slow=${p.slow}`);
  }
  if (!(p.feeBps >= 0) || !(p.initialCapital > 0) || !(p.periodsPerYear > 0)) {
    throw new Error(`need feeBps >= 0, initialCapital > 0, periodsPerYear > 0`);
  }

  const start = p.start ?? 0;
  const end = p.end ?? close.length;
  const f = p.feeBps / 1e4;
  const s = refSmaCrossTargets(close, p.fast, p.slow);
  // Targets before the window do not trade: s_{start-1} = 0.
  const target = (t: number) => (t >= start ? s[t] : 0);

  let cash = p.initialCapital;
  let units = 0;
  let long = false;
  let entryBar = -1;
  let entryEquity = 0;
  let notionalShare = 0;
  let longBars = 0;
  let entries = 0;
  const equity: number[] = [];
  const trades: ReferenceTrade[] = [];

  for (let t = start; t < end; t++) {
    // The order decided at close t-1 fills at this bar's open.
    const before = equity.length > 0 ? equity[equity.length - 1] : p.initialCapital;
    if (t >= start + 1) {
      const want = target(t - 1);
      const had = target(t - 2);
      if (want === 1 && had === 0) {
        entryEquity = cash;
        entryBar = t;
        units = cash / (open[t] * (1 + f));
        notionalShare += (units * open[t]) / before;
        entries++;
        cash = 0;
        long = true;
      } else if (want === 0 && had === 1) {
        notionalShare += (units * open[t]) / before;
        cash = units * open[t] * (1 - f);
        units = 0;
        long = false;
        trades.push({ entryBar, exitBar: t, pnl: cash - entryEquity, entryEquity });
      }
    }
    if (long) longBars++;
    equity.push(long ? units * close[t] : cash);
  }
  const nBars = end - start;

  const pnls = trades.map((tr) => tr.pnl);
  return {
    equity,
    trades,
    metrics: {
      total_return: refTotalReturn(equity, p.initialCapital),
      total_profit: refTotalProfit(equity, p.initialCapital),
      max_drawdown: refMaxDrawdown(equity, p.initialCapital),
      sharpe: refSharpe(equity, p.periodsPerYear),
      total_trades: trades.length,
      win_rate: refWinRate(pnls),
      profit_factor: refProfitFactor(pnls),
      calibration_error: NaN,
      sortino: refSortino(equity, p.periodsPerYear),
      exposure: nBars > 0 ? longBars / nBars : 0,
      turnover: nBars > 0 ? notionalShare / (nBars / p.periodsPerYear) : 0,
      risk_score: refRiskScore(equity, p.periodsPerYear),
      max_capital_at_risk: entries > 0 ? 1 : 0,
      hit_rate: NaN,
    },
  };
}
