/**
 * The reference family `sma_cross` (docs/reference-semantics.md): long-only, all-in, target 1 when
 * SMA_fast(t) > SMA_slow(t), order filled at the next open with a proportional fee per side.
 *
 * Inputs (`SmaData`): one series' `open` and `close`, and prefix-sum columns shared by every
 * candidate: of the closes (series-wide and block-local), and of the simple returns
 * r_t = C_t / C_{t-1} - 1, their squares and their squared negative parts (r_0 counted as 0); and
 * the highest and lowest close of each group of 8 bars (`closeGroupExtremes`). The
 * window [start, end) is traded; averages may use closes before `start` (they are in the past).
 * The path starts flat with E_{start-1} = initial. The workspace (`createSmaWorkspace`: per
 * candidate a metric accumulator and a path state; optional `equityOut` of length >= end) is
 * caller-owned; a call allocates nothing.
 *
 * Batch scheme (`smaCrossBatch`): the candidates advance together, one prefix block
 * (LOCAL_BLOCK bars) at a time: every candidate runs through the block, its path state saved in
 * the workspace, before any moves on to the next. A block's closes and prefixes stay in cache
 * while the batch reads them, instead of each candidate streaming the whole series (a
 * 1,000,000-bar series is tens of MB). The moving averages themselves are shared through the
 * prefix columns, built once per series: a window sum is two reads of them. A column per window
 * would save one read per bar but cost a pass per window and batch, and a batch of random
 * candidates uses about as many distinct windows as it has candidates.
 *
 * Hot loop: within a block the path alternates flat and long stretches. On a flat stretch equity
 * stays at `cash`: its returns are exactly 0 and it sets no peak or trough, so only the signal is
 * evaluated (`scanWhileBelow`: three prefix reads and a comparison per bar, against one rounding
 * bound per block, `TOP_SLACK`; bars before both averages exist are skipped). On a long stretch
 * E_t / E_{t-1} - 1 = r_t after the entry bar (units are fixed; equal up to rounding), so the
 * stretch's return sums are differences of the prefix columns; after the same scan finds where it
 * ends, one pass tracks its drawdown, a group of 8 bars at a time where the group sets no peak.
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
import { ACC_SIZE, METRIC_COUNT, accFill, accFinish, accReset, accSetPath, accTrade } from './metrics.js';

/** Slots of the parameter vector `smaCross` reads (a row of `smaCrossBatch`'s parameter matrix). */
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
  /** Highest and lowest close of each group of CLOSE_GROUP bars (`closeGroupExtremes`). */
  readonly closeGroupMax: Float64Array;
  readonly closeGroupMin: Float64Array;
}

/** Bars per group of `closeGroupExtremes`: 2^CLOSE_GROUP_BITS, a 64-byte cache line of closes. */
export const CLOSE_GROUP_BITS = 3;
const CLOSE_GROUP = 1 << CLOSE_GROUP_BITS;

/** Number of groups `closeGroupExtremes` writes for n bars. */
export function closeGroupCount(n: number): number {
  return (n + CLOSE_GROUP - 1) >> CLOSE_GROUP_BITS;
}

/**
 * outMax[g], outMin[g]: the highest and lowest of close[g CLOSE_GROUP .. (g + 1) CLOSE_GROUP - 1]
 * (the last group may be short). Outputs (length >= closeGroupCount(n)) are caller-owned.
 */
export function closeGroupExtremes(close: Float64Array, outMax: Float64Array, outMin: Float64Array, n = close.length): void {
  for (let g = 0; g << CLOSE_GROUP_BITS < n; g++) {
    let hi = -Infinity;
    let lo = Infinity;
    for (let t = g << CLOSE_GROUP_BITS, stop = Math.min(n, t + CLOSE_GROUP); t < stop; t++) {
      hi = Math.max(hi, close[t]);
      lo = Math.min(lo, close[t]);
    }
    outMax[g] = hi;
    outMin[g] = lo;
  }
}

/** Batch-wide settings: the traded window [start, end), fee per side (fee_bps / 1e4), capital, annualisation. */
export interface SmaSettings {
  readonly start: number;
  readonly end: number;
  readonly fee: number;
  readonly initial: number;
  readonly periodsPerYear: number;
}

/**
 * Slots of a candidate's path state, kept between blocks: whether it is long; the cash while flat;
 * the position's units, the cash it was bought with and its entry bar; the equity at the last close
 * accounted (E_{first-1} while long); peak, trough since it and worst earlier drawdown; the return
 * sums; bars held.
 */
const St = { long: 0, cash: 1, units: 2, entryCash: 3, first: 4, prevE: 5, peak: 6, minSince: 7, worst: 8, sumR: 9, sumR2: 10, sumDown2: 11, exposed: 12 } as const;
const STATE_SIZE = 13;

/** Caller-owned scratch for up to `capacity` candidates (`createSmaWorkspace`), and, when non-null, E_t for t in [start, end) of a single candidate. */
export interface SmaWorkspace {
  readonly capacity: number;
  /** One metric accumulator (ACC_SIZE) per candidate. */
  readonly acc: readonly Float64Array[];
  /** STATE_SIZE path-state slots per candidate. */
  readonly state: Float64Array;
  equityOut: Float64Array | null;
}

/** Scratch for batches of up to `capacity` candidates. */
export function createSmaWorkspace(capacity: number): SmaWorkspace {
  const acc = new Float64Array(capacity * ACC_SIZE);
  return {
    capacity,
    acc: Array.from({ length: capacity }, (_, c) => acc.subarray(c * ACC_SIZE, (c + 1) * ACC_SIZE)),
    state: new Float64Array(capacity * STATE_SIZE),
    equityOut: null,
  };
}

/**
 * Run one candidate (`SmaParam` slots of `p`) and write its metric row to `out` at `offset`; its
 * equity curve goes to `ws.equityOut` when set.
 * The same calling convention as `tsPortfolio`: (data, settings, params, workspace, out, offset).
 */
export function smaCross(d: SmaData, s: SmaSettings, p: Float64Array, ws: SmaWorkspace, out: Float64Array, offset: number): void {
  run(d, s, p, ws, out, offset, 1);
}

/**
 * Run `n` candidates, row c of `P` (SMA_PARAM_COUNT columns, `SmaParam` slots), and write metric
 * row c to `out` (METRIC_COUNT columns): the same rows `smaCross` writes one at a time.
 * @param n at most `ws.capacity`; `ws.equityOut` must be null unless n is 1
 */
export function smaCrossBatch(d: SmaData, s: SmaSettings, P: Float64Array, ws: SmaWorkspace, out: Float64Array, n: number): void {
  if (n > ws.capacity) throw new Error(`smaCrossBatch: ${n} candidates, workspace for ${ws.capacity}`);
  if (n > 1 && ws.equityOut !== null) throw new Error('smaCrossBatch: an equity curve is written for one candidate only');
  run(d, s, P, ws, out, 0, n);
}

function run(d: SmaData, s: SmaSettings, P: Float64Array, ws: SmaWorkspace, out: Float64Array, offset: number, n: number): void {
  const { start, end, initial } = s;
  const { state, equityOut } = ws;
  for (let c = 0; c < n; c++) {
    accReset(ws.acc[c], initial);
    const so = c * STATE_SIZE;
    state.fill(0, so, so + STATE_SIZE);
    state[so + St.cash] = initial;
    state[so + St.prevE] = initial;
    state[so + St.peak] = initial;
    state[so + St.minSince] = initial;
  }
  for (let t = start; t < end; ) {
    const stop = Math.min(end, ((t >> LOCAL_BLOCK_BITS) + 1) << LOCAL_BLOCK_BITS);
    warmBlock(d, t, stop);
    for (let c = 0; c < n; c++) {
      // Windows arrive as doubles (rows of a Float64Array); as int32 they index without a conversion
      // check per access, about 3x fewer instructions per bar (callgrind). Callers pass integers.
      const row = c * SMA_PARAM_COUNT;
      advance(d, s, P[row + SmaParam.fast] | 0, P[row + SmaParam.slow] | 0, state, c * STATE_SIZE, ws.acc[c], t, stop, equityOut);
    }
    t = stop;
  }
  for (let c = 0; c < n; c++) {
    const so = c * STATE_SIZE;
    if (state[so + St.long] === 1) closeStretch(d, state, so, end - 1, equityOut); // still long at the end
    const acc = ws.acc[c];
    accSetPath(acc, state[so + St.prevE], state[so + St.peak], state[so + St.minSince], state[so + St.worst], state[so + St.sumR], state[so + St.sumR2], state[so + St.sumDown2], end - start, state[so + St.exposed]);
    accFinish(acc, initial, s.periodsPerYear, false, out, offset + c * METRIC_COUNT);
  }
}

/** Float64 values per 64-byte cache line. */
const DOUBLES_PER_LINE = 8;

/**
 * Read the block's opens and return prefixes once, in order, one value per cache line. The
 * candidates read them only at fills and at the ends of long stretches, scattered over the block;
 * on a long series each of those reads would otherwise wait on memory (measured: about 15% of a
 * batch's time on 1,000,000 bars, against well under 1% for this pass). The values are not needed.
 */
function warmBlock(d: SmaData, from: number, stop: number): void {
  const { open, ret, ret2, down2 } = d;
  const o = localPrefixOffset(from);
  let sum = 0;
  for (let t = from; t < stop; t += DOUBLES_PER_LINE) sum += open[t] + ret[t + o] + ret2[t + o] + down2[t + o];
}

/**
 * The block's prefixes only grow with t (sums of positive closes, each within about an ulp of its
 * exact value), so its last entry times this bounds every one of them: one rounding bound serves
 * the whole block.
 */
const TOP_SLACK = 1 + 4 * Number.EPSILON;

/**
 * The first prefix index in [i, iStop) at which (top - prefix[i - wa]) ma - (top - prefix[i - wb]) mb,
 * top = prefix[i], is not below `bound` (else iStop). The flat loop passes d < -err with
 * (fast, slow, slow, fastTied); the long loop -d < -err with the roles swapped (floating-point
 * subtraction is antisymmetric, so that is exactly -d). Four bars per pass: they are independent,
 * and a pass's bookkeeping (loop test, interrupt check, array header) costs V8 about one bar.
 */
function scanWhileBelow(prefix: Float64Array, i: number, iStop: number, wa: number, ma: number, wb: number, mb: number, bound: number): number {
  let a = i - wa;
  let b = i - wb;
  for (; i + 3 < iStop; i += 4, a += 4, b += 4) {
    const t0 = prefix[i], t1 = prefix[i + 1], t2 = prefix[i + 2], t3 = prefix[i + 3];
    const d0 = (t0 - prefix[a]) * ma - (t0 - prefix[b]) * mb;
    const d1 = (t1 - prefix[a + 1]) * ma - (t1 - prefix[b + 1]) * mb;
    const d2 = (t2 - prefix[a + 2]) * ma - (t2 - prefix[b + 2]) * mb;
    const d3 = (t3 - prefix[a + 3]) * ma - (t3 - prefix[b + 3]) * mb;
    if (!(d0 < bound && d1 < bound && d2 < bound && d3 < bound)) break;
  }
  for (; i < iStop; i++, a++, b++) {
    const top = prefix[i];
    if (!((top - prefix[a]) * ma - (top - prefix[b]) * mb < bound)) break;
  }
  return i;
}

/**
 * Advance one candidate (windows `fast`, `slow`; path state at `so` of `st`) through bars
 * [from, stop) of one prefix block.
 */
function advance(
  d: SmaData,
  s: SmaSettings,
  fast: number,
  slow: number,
  st: Float64Array,
  so: number,
  acc: Float64Array,
  from: number,
  stop: number,
  equityOut: Float64Array | null,
): void {
  const { open, close, closeGroupMax: groupMax, closeGroupMin: groupMin } = d;
  const { end, fee } = s;
  const fastTied = fast * SMA_TIE; // see `longTarget`
  const errPerTop = signalErrorPerTop(fast, slow);
  // Windows that fit in a block read the block-local prefix at index t + 1 + o, o = localPrefixOffset(t),
  // longer ones the series-wide prefix (o = 0).
  const local = slow <= LOCAL_REACH + 1;
  const prefix = local ? d.localPrefixClose : d.prefixClose;
  const prefixLo = local ? d.localPrefixCloseLo : null;
  const o = local ? localPrefixOffset(from) : 0;
  const k = 1 + o; // bar t's window ends at prefix index t + k
  const err = errPerTop * TOP_SLACK * prefix[Math.min(close.length, ((from >> LOCAL_BLOCK_BITS) + 1) << LOCAL_BLOCK_BITS) + o];
  // Before both windows fit the target is flat (and a window would start before the series).
  const warm = Math.max(fast, slow) - 1;
  let long = st[so + St.long] === 1;
  let units = st[so + St.units];
  let peak = st[so + St.peak], minSince = st[so + St.minSince], worst = st[so + St.worst];
  let t = from;
  while (t < stop) {
    if (!long) {
      // Flat from bar t: find the first bar whose target is long (its order fills at the next open).
      // The loop passes the bars whose difference is certainly flat, `longTarget` settles the rest.
      const cash = st[so + St.cash];
      const iStop = stop + k;
      let i = Math.max(t, warm) + k;
      for (;;) {
        i = scanWhileBelow(prefix, i, iStop, fast, slow, slow, fastTied, -err);
        if (i >= iStop || longTarget(close, prefix, prefixLo, i - k, o, fast, slow, fastTied, errPerTop)) break;
        i++;
      }
      const signal = Math.min(i, iStop) - k;
      if (equityOut !== null) equityOut.fill(cash, t, Math.min(signal + 1, stop));
      if (signal >= stop || signal >= end - 1) break; // no signal in this block, or one on the last bar: no fill
      t = signal + 1;
      const entryPx = open[t];
      units = cash / (entryPx * (1 + fee));
      accFill(acc, (units * entryPx) / cash, 1); // all-in without a stop: the whole equity is at risk
      // The entry bar's return is measured from the cash before it (t > start: an entry fills at start + 1 at the earliest).
      addReturn(st, so, (units * close[t]) / st[so + St.prevE] - 1);
      st[so + St.entryCash] = cash;
      st[so + St.first] = t;
      st[so + St.units] = units;
      long = true;
    } else {
      // Long from bar t through `last`, the first bar whose target is flat (or the block's last bar).
      // The scan is the flat one's with the windows' roles swapped: -d < -err.
      const iStop = stop + k;
      let i = t + k;
      for (;;) {
        i = scanWhileBelow(prefix, i, iStop, slow, fastTied, fast, slow, -err);
        if (i >= iStop || !longTarget(close, prefix, prefixLo, i - k, o, fast, slow, fastTied, errPerTop)) break;
        i++;
      }
      const last = Math.min(i, iStop - 1) - k;
      // Drawdown through `last`. A whole group of bars that sets no new peak only lowers the trough
      // to its lowest close (units * C rises with C, rounding included), so it is read from the
      // group's extremes; other bars one by one.
      for (let j = t; j <= last; ) {
        const g = j >> CLOSE_GROUP_BITS;
        const groupEnd = Math.min(last + 1, (g + 1) << CLOSE_GROUP_BITS);
        if (groupEnd - j === CLOSE_GROUP && units * groupMax[g] <= peak) {
          const low = units * groupMin[g];
          if (low < minSince) minSince = low;
          j = groupEnd;
          continue;
        }
        for (; j < groupEnd; j++) {
          const equity = units * close[j];
          if (equity > peak) {
            const dd = 1 - minSince / peak;
            if (dd > worst) worst = dd;
            peak = equity;
            minSince = equity;
          } else if (equity < minSince) {
            minSince = equity;
          }
        }
      }
      if (i >= iStop) break; // still long at the block's end
      closeStretch(d, st, so, last, equityOut);
      long = false;
      if (last >= end - 1) break; // the exit signal is on the last bar: no fill
      t = last + 1;
      const cash = units * open[t] * (1 - fee);
      const entryCash = st[so + St.entryCash];
      accTrade(acc, cash - entryCash, NaN, entryCash);
      accFill(acc, open[t] / close[t - 1], 0); // notional units * O_t over the previous close's equity units * C_{t-1}
      addReturn(st, so, cash / st[so + St.prevE] - 1);
      if (cash > peak) {
        const dd = 1 - minSince / peak;
        if (dd > worst) worst = dd;
        peak = cash;
        minSince = cash;
      } else if (cash < minSince) {
        minSince = cash;
      }
      st[so + St.prevE] = cash;
      st[so + St.cash] = cash;
      // Bar t is now flat; the flat loop re-marks it (same value) and checks its signal.
    }
  }
  st[so + St.long] = long ? 1 : 0;
  st[so + St.peak] = peak;
  st[so + St.minSince] = minSince;
  st[so + St.worst] = worst;
}

/** Add one return r_t to a candidate's sums. */
function addReturn(st: Float64Array, so: number, r: number): void {
  st[so + St.sumR] += r;
  st[so + St.sumR2] += r * r;
  if (r < 0) st[so + St.sumDown2] += r * r;
}

/**
 * Account for the long stretch from the entry bar through `last`: returns of bars first+1..last,
 * exposure, E_last, and the equity curve when one is written. Returns come block by block from
 * the block-local prefixes. A difference is off by a few ulps of its block's prefixes; it is used
 * while that is below 2^-12 of the path's sums so far (and, for the signed sum, of their root sum
 * of squares), else the bars are summed directly.
 */
function closeStretch(d: SmaData, st: Float64Array, so: number, last: number, equityOut: Float64Array | null): void {
  const { close, ret, ret2, down2 } = d;
  const first = st[so + St.first];
  const units = st[so + St.units];
  for (let i = first + 1; i <= last; ) {
    const stop = Math.min(last + 1, ((i >> LOCAL_BLOCK_BITS) + 1) << LOCAL_BLOCK_BITS);
    const lo = i + localPrefixOffset(i);
    const hi = lo + (stop - i);
    const s1 = ret[hi] - ret[lo], s2 = ret2[hi] - ret2[lo], sd = down2[hi] - down2[lo];
    const sumR2 = st[so + St.sumR2] + s2;
    const r2Scale = PREFIX_TRUST * sumR2;
    const rBound = Math.abs(ret[hi]) + Math.abs(ret[lo]);
    if (ret2[hi] <= r2Scale && down2[hi] <= PREFIX_TRUST * (st[so + St.sumDown2] + sd) && rBound * rBound <= PREFIX_TRUST * r2Scale) {
      st[so + St.sumR] += s1;
      st[so + St.sumR2] = sumR2;
      st[so + St.sumDown2] += sd;
    } else {
      for (let j = i; j < stop; j++) addReturn(st, so, close[j] / close[j - 1] - 1);
    }
    i = stop;
  }
  if (equityOut !== null) for (let j = first; j <= last; j++) equityOut[j] = units * close[j];
  st[so + St.exposed] += last - first + 1;
  st[so + St.prevE] = units * close[last];
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
