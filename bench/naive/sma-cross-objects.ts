/**
 * `sma_cross` written the straightforward way, for the speed comparison only: an array of bar
 * objects, a record object per bar and per trade, SMAs by running sums, then the same metrics as
 * the kernel computed from those arrays. Same rules and results as the kernel (the benchmark
 * prints both for one candidate).
 */
interface Bar {
  open: number;
  close: number;
}

interface BarRecord {
  t: number;
  fastSma: number;
  slowSma: number;
  long: boolean;
  equity: number;
}

interface Trade {
  entryCash: number;
  exitCash: number;
}

export interface NaiveMetrics {
  totalReturn: number;
  maxDrawdown: number;
  sharpe: number;
  winRate: number;
}

export function barsFrom(open: Float64Array, close: Float64Array): Bar[] {
  return Array.from(close, (c, t) => ({ open: open[t], close: c }));
}

export function smaCrossObjects(bars: Bar[], fast: number, slow: number, fee: number, periodsPerYear: number): NaiveMetrics {
  const history: BarRecord[] = [];
  const trades: Trade[] = [];
  const state = { cash: 1, units: 0, long: false, pendingFlip: false, entryCash: 0 };
  let sumFast = 0;
  let sumSlow = 0;
  for (let t = 0; t < bars.length; t++) {
    const bar = bars[t];
    if (state.pendingFlip) {
      if (state.long) {
        state.cash = state.units * bar.open * (1 - fee);
        trades.push({ entryCash: state.entryCash, exitCash: state.cash });
        state.units = 0;
      } else {
        state.entryCash = state.cash;
        state.units = state.cash / (bar.open * (1 + fee));
        state.cash = 0;
      }
      state.long = !state.long;
      state.pendingFlip = false;
    }
    sumFast += bar.close - (t >= fast ? bars[t - fast].close : 0);
    sumSlow += bar.close - (t >= slow ? bars[t - slow].close : 0);
    const rec: BarRecord = {
      t,
      fastSma: t >= fast - 1 ? sumFast / fast : NaN,
      slowSma: t >= slow - 1 ? sumSlow / slow : NaN,
      long: state.long,
      equity: state.long ? state.units * bar.close : state.cash,
    };
    history.push(rec);
    const target = rec.fastSma > rec.slowSma;
    const prevTarget = t > 0 && history[t - 1].fastSma > history[t - 1].slowSma;
    if (target !== prevTarget && t + 1 < bars.length) state.pendingFlip = true;
  }
  const equity = history.map((h) => h.equity);
  const returns = equity.slice(1).map((e, i) => e / equity[i] - 1);
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1));
  let peak = 1;
  let maxDrawdown = 0;
  for (const e of equity) {
    peak = Math.max(peak, e);
    maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
  }
  const wins = trades.filter((tr) => tr.exitCash > tr.entryCash).length;
  return {
    totalReturn: equity[equity.length - 1] - 1,
    maxDrawdown,
    sharpe: (mean / std) * Math.sqrt(periodsPerYear),
    winRate: trades.length > 0 ? wins / trades.length : NaN,
  };
}
