/**
 * One ticker's decision at a close, as a strategy kernel hands it to an engine that keeps its own
 * book (the paper-trading engine): slots of a caller-owned Float64Array, and the caps that depend
 * on the book. The backtest kernels apply the same caps to their own book (`cappedWeight`).
 */

/** Slots of a decision row. */
export const Decision = {
  /** Target direction: 1 long, -1 short, 0 flat (long-only applied; a stop's block is the engine's). */
  direction: 0,
  /**
   * Weight of equity the signal asks for: the sizing rule (risk parity over the directions after
   * this close), the per-ticker cap and the correlated-exposure penalty against the book the engine
   * passed; the caps of `cappedWeight` follow.
   */
  weight: 1,
  /** Loss fraction the position risks (stop distance / close, or the stop-less model); weight x it is the capital at risk. */
  riskDistance: 2,
  /** Limit price of an entry, NaN for a market order. */
  limitPrice: 3,
  /** The decision's sigma (forecast or realised), for slippage; NaN or 0 when it has none. */
  sigma: 4,
  /** The forecast one-bar log move behind the signal, NaN for a rule-based signal (calibration). */
  expectedMove: 5,
  /** Take-profit distance as a fraction of the entry price, NaN when off. */
  takeProfitPct: 6,
  /** The strategy's cap on the weight held per asset class. */
  classCap: 7,
  /** The cap on gross exposure (simulation.max_gross_exposure). */
  grossCap: 8,
  /** The guardrail capital_at_risk_per_trade. */
  capitalAtRisk: 9,
  /** Trailing-stop distance in price at this close (multiple x ATR), NaN when off. */
  stopDistance: 10,
} as const;
export const DECISION_SIZE = 11;

/**
 * The smallest weight that opens a position (docs/strategies.md, "w <= 1e-12 means no entry"). A
 * cap that held positions and earlier orders at the same close already fill leaves only the
 * rounding of `cap - weight elsewhere`, an ulp or so either side of 0 depending on the order of
 * the sum; such a remainder is no position and no trade.
 */
export const MIN_ENTRY_WEIGHT = 1e-12;

/**
 * Weight `w` under the caps that depend on the book, in order: the room left in the asset class
 * and in gross exposure, then the capital at risk per trade (`car` / risk distance). When w x
 * distance would round an ulp above `car`, w is stepped down by that ulp, so the guardrail holds
 * exactly. Returns 0 for a weight of rounding only (<= MIN_ENTRY_WEIGHT) or an undefined one.
 */
export function cappedWeight(w: number, classRoom: number, grossRoom: number, car: number, riskDistance: number): number {
  let c = Math.min(w, classRoom, grossRoom);
  c = Math.min(c, car / riskDistance);
  if (c * riskDistance > car) c *= 1 - Number.EPSILON;
  return c > MIN_ENTRY_WEIGHT ? c : 0;
}
