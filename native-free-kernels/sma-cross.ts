/**
 * The reference family `sma_cross` (docs/reference-semantics.md): long-only, all-in, target 1 when
 * SMA_fast(t) > SMA_slow(t), order filled at the next open with a proportional fee per side.
 *
 * Inputs: `open`, `close` of one series, `prefix` = prefixSums(close) (length >= T + 1) and
 * `ret` = simpleReturns(close) (ret[t] = C_t / C_{t-1} - 1, which is E_t / E_{t-1} - 1 on every
 * long bar after the entry bar, up to rounding: no division in the loop). The
 * window [start, end) is traded; averages may use closes before `start` (they are in the past).
 * The path starts flat with E_{start-1} = initial. `acc` (ACC_SIZE) and the optional `equityOut`
 * (length >= end) are caller-owned scratch; one call allocates nothing.
 *
 * Hot loop: the path alternates flat and long stretches, each run by its own tight loop. A flat
 * stretch leaves equity at `cash`, so its returns are exactly 0 and it sets no peak or trough: it
 * only evaluates the signal. The running sums live in locals and are stored once with `accSetPath`.
 */
import { accFill, accFinish, accReset, accSetPath, accTrade } from './metrics.js';

/**
 * Run one candidate and write its metric row to `out` at `offset`.
 * @param fee fraction of traded notional per side (fee_bps / 1e4)
 * @param equityOut when non-null, receives E_t for t in [start, end)
 */
export function smaCross(
  open: Float64Array,
  close: Float64Array,
  prefix: Float64Array,
  ret: Float64Array,
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
  const buyCost = 1 + fee;
  const sellKeep = 1 - fee;
  let cash = initial;
  let prevE = initial, peak = initial, minSince = initial, worst = 0;
  let sumR = 0, sumR2 = 0, sumDown2 = 0, exposed = 0;
  let t = start;
  for (;;) {
    // Flat from bar t: find the first bar whose target is long (its order fills at the next open).
    for (; t < end; t++) {
      if (equityOut !== null) equityOut[t] = cash;
      if (longTarget(prefix, t, fast, slow)) break;
    }
    if (t >= end - 1) break; // no signal, or one on the last bar: no fill
    t++;
    const entryCash = cash;
    const entryPx = open[t]!;
    const units = cash / (entryPx * buyCost);
    accFill(acc, (units * entryPx) / entryCash, 1); // all-in without a stop: the whole equity is at risk
    // Long from bar t until a bar whose target is flat. t > start: an entry fills at start + 1 at the earliest.
    let r = (units * close[t]!) / prevE - 1;
    for (;;) {
      const equity = units * close[t]!;
      sumR += r;
      sumR2 += r * r;
      const down = Math.min(r, 0); // branch-free: the sign of r is a coin flip
      sumDown2 += down * down;
      if (equity > peak) {
        const dd = 1 - minSince / peak;
        if (dd > worst) worst = dd;
        peak = equity;
        minSince = equity;
      } else if (equity < minSince) {
        minSince = equity;
      }
      prevE = equity;
      exposed++;
      if (equityOut !== null) equityOut[t] = equity;
      if (!longTarget(prefix, t, fast, slow) || ++t >= end) break;
      r = ret[t]!;
    }
    if (t >= end - 1) break; // still long at the end, or the exit signal is on the last bar
    t++;
    cash = units * open[t]! * sellKeep;
    accTrade(acc, cash - entryCash, NaN, entryCash);
    accFill(acc, 1, 0); // the whole position is sold: notional / equity at the fill = 1
    r = cash / prevE - 1;
    sumR += r;
    sumR2 += r * r;
    const down = Math.min(r, 0);
    sumDown2 += down * down;
    if (cash > peak) {
      const dd = 1 - minSince / peak;
      if (dd > worst) worst = dd;
      peak = cash;
      minSince = cash;
    } else if (cash < minSince) {
      minSince = cash;
    }
    prevE = cash;
    // Bar t is now flat; the flat loop re-marks it (same value) and checks its signal.
  }
  accSetPath(acc, prevE, peak, minSince, worst, sumR, sumR2, sumDown2, end - start, exposed);
  accFinish(acc, initial, periodsPerYear, false, out, offset);
}

/** s_t: both averages defined and SMA_fast > SMA_slow, compared cross-multiplied (no division). */
function longTarget(prefix: Float64Array, t: number, fast: number, slow: number): boolean {
  const top = prefix[t + 1]!;
  return t >= slow - 1 && (top - prefix[t + 1 - fast]!) * slow > (top - prefix[t + 1 - slow]!) * fast;
}
