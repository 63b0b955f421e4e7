/**
 * Reference metrics, written straight from docs/reference-semantics.md (copied from the shared spec) ("Metrics of one
 * backtest") with plain arrays and obvious loops. They are the independent check for the fast metric
 * kernels of every strategy family, so each one is the formula and nothing more.
 *
 * `equity[t]` is E_t, the equity marked at close t = 0..T-1; `initial` is E_{-1}.
 * In-memory conventions: NaN where the spec says null, except profit_factor, which is +Infinity when
 * there is no losing trade.
 */

/** E_{T-1} / E_{-1} - 1; with no bars E_{T-1} is E_{-1}, so 0. */
export function refTotalReturn(equity: number[], initial: number): number {
  const last = equity.length === 0 ? initial : equity[equity.length - 1];
  return last / initial - 1;
}

/** E_{T-1} - E_{-1}, in account currency; with no bars 0. */
export function refTotalProfit(equity: number[], initial: number): number {
  const last = equity.length === 0 ? initial : equity[equity.length - 1];
  return last - initial;
}

/** max over t of 1 - E_t / max_{s<=t} E_s, with E_{-1} = initial counted as an earlier peak. */
export function refMaxDrawdown(equity: number[], initial: number): number {
  let worst = 0;
  for (let t = 0; t < equity.length; t++) {
    let peak = initial;
    for (let s = 0; s <= t; s++) peak = Math.max(peak, equity[s]);
    worst = Math.max(worst, 1 - equity[t] / peak);
  }
  return worst;
}

/**
 * mean(r) / std(r) * sqrt(P) with r_t = E_t / E_{t-1} - 1 for t = 1..T-1 (the step from E_{-1} to
 * E_0 is not a return here) and std with ddof = 1. NaN when T < 3 or std is exactly 0.
 */
export function refSharpe(equity: number[], periodsPerYear: number): number {
  if (equity.length < 3) return NaN;
  const r: number[] = [];
  for (let t = 1; t < equity.length; t++) r.push(equity[t] / equity[t - 1] - 1);
  let sum = 0;
  for (const x of r) sum += x;
  const mean = sum / r.length;
  let sq = 0;
  for (const x of r) sq += (x - mean) * (x - mean);
  const std = Math.sqrt(sq / (r.length - 1));
  if (std === 0) return NaN;
  return (mean / std) * Math.sqrt(periodsPerYear);
}

/** Returns r_t = E_t / E_{t-1} - 1 for t = 1..T-1. */
function refReturns(equity: number[]): number[] {
  const r: number[] = [];
  for (let t = 1; t < equity.length; t++) r.push(equity[t] / equity[t - 1] - 1);
  return r;
}

/**
 * mean(r) / D * sqrt(P), D = sqrt(sum min(r, 0)^2 / n) over all n returns (docs/metrics.md);
 * NaN when D = 0 or T < 3.
 */
export function refSortino(equity: number[], periodsPerYear: number): number {
  if (equity.length < 3) return NaN;
  const r = refReturns(equity);
  let sum = 0;
  let down = 0;
  for (const x of r) {
    sum += x;
    if (x < 0) down += x * x;
  }
  const D = Math.sqrt(down / r.length);
  return D === 0 ? NaN : (sum / r.length / D) * Math.sqrt(periodsPerYear);
}

/** std(r) (ddof 1) * sqrt(P); NaN with fewer than 2 returns. */
export function refRiskScore(equity: number[], periodsPerYear: number): number {
  const r = refReturns(equity);
  if (r.length < 2) return NaN;
  let sum = 0;
  for (const x of r) sum += x;
  const mean = sum / r.length;
  let sq = 0;
  for (const x of r) sq += (x - mean) * (x - mean);
  return Math.sqrt(sq / (r.length - 1)) * Math.sqrt(periodsPerYear);
}

/** wins / trades, a win being pnl > 0 (a pnl of exactly 0 is not a win); NaN when no trade closed. */
export function refWinRate(pnls: number[]): number {
  if (pnls.length === 0) return NaN;
  let wins = 0;
  for (const p of pnls) if (p > 0) wins++;
  return wins / pnls.length;
}

/**
 * Sum of winning pnl / |sum of losing pnl|. No losing trade (pnl < 0) gives +Infinity, and that
 * includes no trades at all: the spec's only condition for null is "no losing trade", which an empty
 * list satisfies. Losers and no winners give 0 by the formula itself.
 */
export function refProfitFactor(pnls: number[]): number {
  let won = 0;
  let lost = 0;
  let anyLoser = false;
  for (const p of pnls) {
    if (p > 0) won += p;
    if (p < 0) {
      lost += p;
      anyLoser = true;
    }
  }
  if (!anyLoser) return Infinity;
  return won / Math.abs(lost);
}

/**
 * Mean over closed trades of |expected_return - realized_return|, realized_return being the trade's
 * pnl / entry equity; NaN when no trade closed (mean of nothing). A family that makes no forecast
 * does not call this: its calibration_error is NaN outright.
 */
export function refCalibrationError(expectedReturns: number[], realizedReturns: number[]): number {
  if (expectedReturns.length !== realizedReturns.length) {
    throw new Error(`refCalibrationError: ${expectedReturns.length} expected vs ${realizedReturns.length} realized returns`);
  }
  if (expectedReturns.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < expectedReturns.length; i++) sum += Math.abs(expectedReturns[i] - realizedReturns[i]);
  return sum / expectedReturns.length;
}
