/**
 * The reference family `sma_cross` (docs/reference-semantics.md): long-only, all-in, target 1 when
 * SMA_fast(t) > SMA_slow(t), order filled at the next open with a proportional fee per side.
 *
 * Inputs (`SmaData`): one series' `open` and `close`, and prefix-sum columns shared by every
 * candidate: of the closes (series-wide and block-local), and of the simple returns
 * r_t = C_t / C_{t-1} - 1, their squares and their squared negative parts (r_0 counted as 0). The
 * window [start, end) is traded; averages may use closes before `start` (they are in the past).
 * The path starts flat with E_{start-1} = initial. The workspace (`acc`, optional `equityOut` of
 * length >= end) is caller-owned; one call allocates nothing.
 *
 * Hot loop: the path alternates flat and long stretches, each run by its own tight loop. On a flat
 * stretch equity stays at `cash`: its returns are exactly 0 and it sets no peak or trough, so it
 * only evaluates the signal. On a long stretch E_t / E_{t-1} - 1 = r_t after the entry bar (units
 * are fixed; equal up to rounding), so the stretch's return sums are differences of the prefix
 * columns, and the loop only tracks drawdown and the signal.
 *
 * Numerics (docs/strategies.md): a prefix carries every earlier bar, so one huge price (or return,
 * or a price that has since fallen by orders of magnitude) leaves an absolute rounding of a few
 * ulps of itself in every later difference. Windows read block-local prefix sums, so only the
 * bars of their own block count, and each use of a difference is checked against a bound on its
 * rounding: a signal the difference cannot settle is retried with the prefixes' rounding residue
 * (`refinedLong`), then decided by summing both windows as the reference does (`windowsLong`); a
 * long stretch whose prefix rounding is not small next to the path's return sums so far is summed
 * bar by bar.
 */
import { LOCAL_BLOCK, LOCAL_BLOCK_BITS, LOCAL_REACH, localPrefixOffset } from '../stats/prefix-sum.js';
import { accFill, accFinish, accReset, accSetPath, accTrade } from './metrics.js';

/** Slots of the parameter vector `smaCross` reads. */
export const SmaParam = { fast: 0, slow: 1 } as const;
export const SMA_PARAM_COUNT = 2;

/**
 * One series and the prefix columns every candidate shares: the series-wide prefix of the closes
 * (length >= T + 1, index t + 1 covers bars 0..t), and block-local prefixes (`localPrefixSums`) of
 * the closes and of the simple returns, their squares and their squared negative parts.
 */
export interface SmaData {
  readonly open: Float64Array;
  readonly close: Float64Array;
  readonly prefixClose: Float64Array;
  /** Read by windows of up to LOCAL_REACH + 1 bars; `localPrefixCloseLo` holds what rounding each entry dropped. */
  readonly localPrefixClose: Float64Array;
  readonly localPrefixCloseLo: Float64Array;
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
  const { open, close, ret, ret2, down2 } = d;
  const { start, end, fee, initial, periodsPerYear } = s;
  const { acc, equityOut } = ws;
  accReset(acc, initial);
  // Windows arrive as doubles (rows of a Float64Array); as int32 they index without a conversion
  // check per access, about 3x fewer instructions per bar (callgrind). Callers pass integers.
  const f = p[SmaParam.fast] | 0;
  const sl = p[SmaParam.slow] | 0;
  const fastTied = f * SMA_TIE; // see `longTarget`
  const errPerTop = signalErrorPerTop(f, sl);
  // Windows that fit in a block read the block-local prefix at index i + o, o = localPrefixOffset(t),
  // longer ones the series-wide prefix (o = 0). t advances one bar at a time, so o is stepped as t
  // enters each block (cheaper than computing it per bar).
  const local = sl <= LOCAL_REACH + 1;
  const prefix = local ? d.localPrefixClose : d.prefixClose;
  const prefixLo = local ? d.localPrefixCloseLo : null;
  const oStep = local ? LOCAL_REACH + 1 : 0;
  let o = local ? localPrefixOffset(start) : 0;
  let nextBlock = ((start >> LOCAL_BLOCK_BITS) + 1) << LOCAL_BLOCK_BITS;
  const buyCost = 1 + fee;
  const sellKeep = 1 - fee;
  let cash = initial;
  let prevE = initial, peak = initial, minSince = initial, worst = 0;
  let sumR = 0, sumR2 = 0, sumDown2 = 0, exposed = 0;
  let t = start;
  for (;;) {
    // Flat from bar t: find the first bar whose target is long (its order fills at the next open).
    for (; t < end; t++) {
      if (t === nextBlock) {
        o += oStep;
        nextBlock += LOCAL_BLOCK;
      }
      if (equityOut !== null) equityOut[t] = cash;
      if (longTarget(close, prefix, prefixLo, t, o, f, sl, fastTied, errPerTop)) break;
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
    if (r < 0) sumDown2 += r * r;
    // Long from bar `first` through bar `last`, the first bar whose target is flat (or the end).
    let last = t;
    for (; t < end; t++) {
      if (t === nextBlock) {
        o += oStep;
        nextBlock += LOCAL_BLOCK;
      }
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
      if (!longTarget(close, prefix, prefixLo, t, o, f, sl, fastTied, errPerTop)) break;
    }
    // Returns of bars first+1..last, block by block from the block-local prefixes. A difference
    // is off by a few ulps of its block's prefixes; it is used while that is below 2^-12 of the
    // path's sums so far (and, for the signed sum, of their root sum of squares), else the bars
    // are summed directly.
    for (let i = first + 1; i <= last; ) {
      const stop = Math.min(last + 1, ((i >> LOCAL_BLOCK_BITS) + 1) << LOCAL_BLOCK_BITS);
      const lo = i + localPrefixOffset(i);
      const hi = lo + (stop - i);
      const s1 = ret[hi] - ret[lo], s2 = ret2[hi] - ret2[lo], sd = down2[hi] - down2[lo];
      const r2Scale = PREFIX_TRUST * (sumR2 + s2);
      const rBound = Math.abs(ret[hi]) + Math.abs(ret[lo]);
      if (ret2[hi] <= r2Scale && down2[hi] <= PREFIX_TRUST * (sumDown2 + sd) && rBound * rBound <= PREFIX_TRUST * r2Scale) {
        sumR += s1;
        sumR2 += s2;
        sumDown2 += sd;
      } else {
        for (let j = i; j < stop; j++) {
          const rj = close[j] / close[j - 1] - 1;
          sumR += rj;
          sumR2 += rj * rj;
          if (rj < 0) sumDown2 += rj * rj;
        }
      }
      i = stop;
    }
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
    if (rx < 0) sumDown2 += rx * rx;
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
const SMA_TIE = 1 + SMA_EQUAL_REL;

/** A prefix difference is trusted while its rounding bound is at most 2^-12 of the sums it adds to. */
const PREFIX_TRUST = 4096;

/**
 * Bound on how far `longTarget`'s difference can be from the one the reference's own rounded
 * averages imply, per unit of the prefix `top` (u = 2^-53): each compensated prefix is within 2u
 * of its exact value, so a window sum from two of them is within 5u top, and the two products are
 * within u top (6 slow + 7.1 fast); the reference sums n closes to within (n - 1)u and divides,
 * so its two sides are within 2 u fast slow top. At least twice that, in eps = 2u.
 */
function signalErrorPerTop(fast: number, slow: number): number {
  return Number.EPSILON * (8 * (fast + slow) + 3 * fast * slow);
}

/**
 * s_t: both averages defined and SMA_fast(t) > SMA_slow(t) (1 + SMA_EQUAL_REL), compared
 * cross-multiplied (no division): slow W_fast against fast (1 + 1e-12) W_slow (`fastTied`), W
 * the window sums from the prefix of closes. A prefix difference is exact only to a few ulps of
 * the prefix, which holds every earlier close of the block (a huge close outweighs later windows);
 * when the two sides are within that bound plus the reference's own rounding (`errPerTop` x
 * prefix), the difference cannot settle the signal: `refinedLong` (block-local prefixes) or
 * `windowsLong` (series-wide, for windows longer than a block's reach) decides.
 */
function longTarget(
  close: Float64Array,
  prefix: Float64Array,
  prefixLo: Float64Array | null,
  t: number,
  o: number,
  fast: number,
  slow: number,
  fastTied: number,
  errPerTop: number,
): boolean {
  // Checked first: before both windows fit, a window would start before the series (an out-of-bounds read).
  if (t < slow - 1 || t < fast - 1) return false;
  const top = prefix[t + 1 + o];
  const diff = (top - prefix[t + 1 + o - fast]) * slow - (top - prefix[t + 1 + o - slow]) * fastTied;
  const err = errPerTop * top;
  if (diff > err) return true;
  if (diff < -err) return false;
  return prefixLo === null ? windowsLong(close, t, fast, slow) : refinedLong(close, prefix, prefixLo, t, o, fast, slow, fastTied);
}

/**
 * Bound on the error of a block prefix read as entry + dropped part (together exactly the
 * compensated sum), per unit of the prefix: the compensation of N = LOCAL_BLOCK + LOCAL_REACH
 * nonnegative terms is rounded at most N times, each time by at most u times its size (<= N u
 * top), so the pair is within N^2 u^2 / 2 of the exact prefix. Four times that covers a window's
 * two ends twice over, in eps^2 = 4 u^2.
 */
const PAIR_ERR_PER_TOP = (LOCAL_BLOCK + LOCAL_REACH) ** 2 * Number.EPSILON ** 2;

/**
 * s_t when the prefix difference cannot settle it (a close that dwarfs the later ones is in the
 * block): window sums from the block prefixes with their dropped parts are within ~2u of
 * themselves plus PAIR_ERR_PER_TOP x top, so only the most extreme spikes leave anything to
 * `windowsLong`. The bound, in eps = 2u: the sums' 2u and each product's u, and the reference's
 * n u per window of n closes, about twice over; plus the pairs' error for both windows.
 */
function refinedLong(close: Float64Array, prefix: Float64Array, lo: Float64Array, t: number, o: number, fast: number, slow: number, fastTied: number): boolean {
  const i = t + 1 + o;
  const top = prefix[i];
  const wf = top - prefix[i - fast] + (lo[i] - lo[i - fast]);
  const ws = top - prefix[i - slow] + (lo[i] - lo[i - slow]);
  const diff = wf * slow - ws * fastTied;
  const err = Number.EPSILON * (slow * (fast + 4) * wf + fast * (slow + 5) * ws) + (fast + slow) * PAIR_ERR_PER_TOP * top;
  if (diff > err) return true;
  if (diff < -err) return false;
  return windowsLong(close, t, fast, slow);
}

/** s_t from the windows themselves, summed oldest first and compared exactly as the reference does. */
function windowsLong(close: Float64Array, t: number, fast: number, slow: number): boolean {
  let sf = 0;
  for (let i = t - fast + 1; i <= t; i++) sf += close[i];
  let ss = 0;
  for (let i = t - slow + 1; i <= t; i++) ss += close[i];
  const mf = sf / fast;
  const ms = ss / slow;
  return mf - ms > SMA_EQUAL_REL * ms;
}
