/**
 * The reference family `sma_cross` (docs/reference-semantics.md): long-only, all-in, target 1 when
 * SMA_fast(t) > SMA_slow(t), order filled at the next open with a proportional fee per side.
 *
 * Inputs (`SmaData`): one series' `open` and `close`, and prefix-sum columns shared by every
 * candidate: of the closes, and of the simple returns r_t = C_t / C_{t-1} - 1, their squares and
 * their squared negative parts (r_0 counted as 0). The window [start, end) is traded; averages may
 * use closes before `start` (they are in the past). The path starts flat with E_{start-1} =
 * initial. The workspace (`acc`, optional `equityOut` of length >= end) is caller-owned; one call
 * allocates nothing.
 *
 * Hot loop: the path alternates flat and long stretches, each run by its own tight loop. On a flat
 * stretch equity stays at `cash`: its returns are exactly 0 and it sets no peak or trough, so it
 * only evaluates the signal. On a long stretch E_t / E_{t-1} - 1 = r_t after the entry bar (units
 * are fixed; equal up to rounding), so the stretch's return sums are differences of the prefix
 * columns, and the loop only tracks drawdown and the signal.
 */
import { accFill, accFinish, accReset, accSetPath, accTrade } from './metrics.js';

/** Slots of the parameter vector `smaCross` reads. */
export const SmaParam = { fast: 0, slow: 1 } as const;
export const SMA_PARAM_COUNT = 2;

/**
 * One series and the prefix columns every candidate shares, each prefix of length >= T + 1
 * (index t + 1 covers bars 0..t): of the closes, and of the simple returns, their squares and
 * their squared negative parts.
 */
export interface SmaData {
  readonly open: Float64Array;
  readonly close: Float64Array;
  readonly prefixClose: Float64Array;
  readonly ret: Float64Array;
  readonly ret2: Float64Array;
  readonly down2: Float64Array;
}

/** Batch-wide settings: the traded window [start, end), fee per side (fee_bps / 1e4), capital, annualisation. */
export interface SmaSettings {
  readonly start: number;
  readonly end: number;
  readonly fee: number;
  readonly initial: number;
  readonly periodsPerYear: number;
}

/** Caller-owned scratch: the metric accumulator (ACC_SIZE) and, when non-null, E_t for t in [start, end). */
export interface SmaWorkspace {
  readonly acc: Float64Array;
  equityOut: Float64Array | null;
}

/**
 * Run one candidate (`SmaParam` slots of `p`) and write its metric row to `out` at `offset`.
 * The same calling convention as `tsPortfolio`: (data, settings, params, workspace, out, offset).
 */
export function smaCross(d: SmaData, s: SmaSettings, p: Float64Array, ws: SmaWorkspace, out: Float64Array, offset: number): void {
  const { open, close, prefixClose: prefix } = d;
  const { start, end, fee, initial, periodsPerYear } = s;
  const { acc, equityOut } = ws;
  accReset(acc, initial);
  // Windows arrive as doubles (rows of a Float64Array); as int32 they index without a conversion
  // check per access, about 3x fewer instructions per bar (callgrind). Callers pass integers.
  const f = p[SmaParam.fast] | 0;
  const sl = p[SmaParam.slow] | 0;
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
      if (longTarget(prefix, t, f, sl)) break;
    }
    if (t >= end - 1) break; // no signal, or one on the last bar: no fill
    t++;
    const entryCash = cash;
    const entryPx = open[t];
    const units = cash / (entryPx * buyCost);
    accFill(acc, (units * entryPx) / entryCash, 1); // all-in without a stop: the whole equity is at risk
    // The entry bar's return is measured from the cash before it (t > start: an entry fills at start + 1 at the earliest).
    const first = t;
    const r = (units * close[t]) / prevE - 1;
    sumR += r;
    sumR2 += r * r;
    sumDown2 += r < 0 ? r * r : 0;
    // Long from bar `first` through bar `last`, the first bar whose target is flat (or the end).
    let last = t;
    for (; t < end; t++) {
      const equity = units * close[t];
      if (equity > peak) {
        const dd = 1 - minSince / peak;
        if (dd > worst) worst = dd;
        peak = equity;
        minSince = equity;
      } else if (equity < minSince) {
        minSince = equity;
      }
      if (equityOut !== null) equityOut[t] = equity;
      last = t;
      if (!longTarget(prefix, t, f, sl)) break;
    }
    sumR += d.ret[last + 1] - d.ret[first + 1];
    sumR2 += d.ret2[last + 1] - d.ret2[first + 1];
    sumDown2 += d.down2[last + 1] - d.down2[first + 1];
    exposed += last - first + 1;
    prevE = units * close[last];
    if (last >= end - 1) break; // still long at the end, or the exit signal is on the last bar
    t = last + 1;
    cash = units * open[t] * sellKeep;
    accTrade(acc, cash - entryCash, NaN, entryCash);
    accFill(acc, open[t] / close[last], 0); // notional units * O_t over the previous close's equity units * C_{t-1}
    const rx = cash / prevE - 1;
    sumR += rx;
    sumR2 += rx * rx;
    sumDown2 += rx < 0 ? rx * rx : 0;
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

/**
 * Averages within this relative difference are equal (docs/strategies.md): two averages of a
 * constant price differ only by the rounding of their sums, and equality counts as flat.
 */
const SMA_EQUAL_REL = 1e-12;

/**
 * s_t: both averages defined and SMA_fast > SMA_slow beyond rounding, compared cross-multiplied
 * (no division). A window sum taken from prefix sums carries the rounding of the prefix itself,
 * about one ulp of the whole series' running sum, so the tolerance also covers
 * 4 (fast + slow) eps |prefix|: on a long flat series the averages must still count as equal.
 */
function longTarget(prefix: Float64Array, t: number, fast: number, slow: number): boolean {
  // Checked first: before both windows fit, a window would start before the series (an out-of-bounds read).
  if (t < slow - 1 || t < fast - 1) return false;
  const top = prefix[t + 1];
  const a = (top - prefix[t + 1 - fast]) * slow;
  const b = (top - prefix[t + 1 - slow]) * fast;
  // The plain comparison settles most bars; the tolerance is needed only when fast is above.
  return a > b && a - b > Math.max(SMA_EQUAL_REL * Math.abs(b), 4 * (fast + slow) * Number.EPSILON * Math.abs(top));
}
