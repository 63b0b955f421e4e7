/**
 * The reference family `sma_cross` (docs/reference-semantics.md): long-only, all-in, target 1 when
 * SMA_fast(t) > SMA_slow(t), order filled at the next open with a proportional fee per side.
 *
 * Inputs: `open`, `close` of one series and `prefix` = prefixSums(close) (length >= T + 1). The
 * window [start, end) is traded; averages may use closes before `start` (they are in the past).
 * The path starts flat with E_{start-1} = initial. `acc` (ACC_SIZE) and the optional `equityOut`
 * (length >= end) are caller-owned scratch; one call allocates nothing.
 */
import { accEquity, accFill, accFinish, accReset, accTrade } from './metrics.js';

/**
 * Run one candidate and write its metric row to `out` at `offset`.
 * @param fee fraction of traded notional per side (fee_bps / 1e4)
 * @param equityOut when non-null, receives E_t for t in [start, end)
 */
export function smaCross(
  open: Float64Array,
  close: Float64Array,
  prefix: Float64Array,
  start: number,
  end: number,
  fast: number,
  slow: number,
  fee: number,
  initial: number,
  periodsPerYear: number,
  acc: Float64Array,
  equityOut: Float64Array | null,
  out: Float64Array,
  offset: number,
): void {
  accReset(acc, initial);
  let cash = initial;
  let units = 0;
  let long = false;
  let target = false; // s_{t-1}
  let pending = false;
  let entryCash = 0;
  const buyCost = 1 + fee;
  const sellKeep = 1 - fee;
  for (let t = start; t < end; t++) {
    if (pending) {
      const px = open[t]!;
      if (long) {
        cash = units * px * sellKeep;
        accTrade(acc, cash - entryCash, NaN, entryCash);
        accFill(acc, 1, 0); // the whole position is sold: notional / equity at the fill = 1
        units = 0;
      } else {
        entryCash = cash;
        units = cash / (px * buyCost);
        cash = 0;
        accFill(acc, (units * px) / entryCash, 1); // all-in without a stop: the whole equity is at risk
      }
      long = !long;
      pending = false;
    }
    const equity = long ? units * close[t]! : cash;
    if (equityOut !== null) equityOut[t] = equity;
    accEquity(acc, equity, long ? 1 : 0);
    // Window sums compared cross-multiplied: S_f / fast > S_s / slow without two divisions.
    const s = t >= slow - 1 && (prefix[t + 1]! - prefix[t + 1 - fast]!) * slow > (prefix[t + 1]! - prefix[t + 1 - slow]!) * fast;
    if (s !== target) {
      target = s;
      pending = t + 1 < end;
    }
  }
  accFinish(acc, initial, periodsPerYear, false, out, offset);
}
