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
 * Within a block the candidates go in groups of LANES (`advanceLanes`), in two passes. The scan
 * (`scanLanes`) tests the group's bars in lockstep, one bar for all lanes per loop pass: the
 * lanes' tests are independent, so their dependency chains overlap, and they share the loop's
 * bookkeeping and the read of the window end. It records the bars where each candidate's target
 * changes (its events). Then `replay` makes each candidate's fills and tracks its drawdown from
 * its events, one candidate at a time, the path state in locals.
 *
 * Hot loop: a lane's test is that the candidate's prefix difference is certainly on the side of
 * its position (flat: d < -err; long: -d < -err), against one rounding bound per block
 * (`TOP_SLACK`): two prefix reads and a comparison per candidate and bar. Where it fails, the
 * difference settles the target when it clears the bar's own bound (`targetChanges`, as
 * `longTarget` does first), and a change swaps the lane's windows in place: the scan goes on
 * without leaving the loop. A lane idles until both averages exist. On a flat stretch equity
 * stays at `cash`: its returns are exactly 0 and it sets no peak or trough, so nothing else is
 * done. On a long stretch E_t / E_{t-1} - 1 = r_t after the entry bar (units are fixed; equal up
 * to rounding), so the stretch's return sums are differences of the prefix columns; its drawdown
 * is tracked a group of 8 bars at a time where the group sets no peak.
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
import * as prefixSums from '../stats/prefix-sum.js';
import * as metrics from './metrics.js';

// Module-level constants, not bindings: optimized code folds these to immediates, where it reads an
// imported or exported binding through a cell, with a check, at every use.
const { LOCAL_BLOCK, LOCAL_BLOCK_BITS, LOCAL_REACH, localPrefixOffset } = prefixSums;
const { ACC_SIZE, METRIC_COUNT, accFill, accFinish, accReset, accSetPath, accTrade } = metrics;

/** Slots of the parameter vector `smaCross` reads (a row of `smaCrossBatch`'s parameter matrix). */
export const SmaParam = { fast: 0, slow: 1 } as const;
export const SMA_PARAM_COUNT = 2;
const FAST_SLOT = SmaParam.fast, SLOW_SLOT = SmaParam.slow, PARAM_COUNT = SMA_PARAM_COUNT; // folded (see above)

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
const CLOSE_GROUP_BITS = 3;
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
 * sums; bars held; the first flat bar whose equity is not yet written (equity curves only).
 */
const St = { long: 0, cash: 1, units: 2, entryCash: 3, first: 4, prevE: 5, peak: 6, minSince: 7, worst: 8, sumR: 9, sumR2: 10, sumDown2: 11, exposed: 12, markFrom: 13 } as const;
const STATE_SIZE = 14;

/**
 * Candidates scanned together, one bar at a time (`scanLanes`, written out for three). Measured:
 * four need more registers than optimized code keeps (it spills their windows to the stack), two
 * pay the loop's bookkeeping for fewer tests.
 */
const LANES = 3;
/** Slots per lane: its two window lengths (`laneWindow`), and their weights and the bound (`laneCoef`). */
const LANE_WINDOWS = 2;
const LANE_COEFS = 3;

/** Caller-owned scratch for up to `capacity` candidates (`createSmaWorkspace`), and, when non-null, E_t for t in [start, end) of a single candidate. */
export interface SmaWorkspace {
  readonly capacity: number;
  /** One metric accumulator (ACC_SIZE) per candidate. */
  readonly acc: readonly Float64Array[];
  /** STATE_SIZE path-state slots per candidate. */
  readonly state: Float64Array;
  /** The candidate of each lane, in groups of LANES (-1: an empty lane). */
  readonly lanes: Int32Array;
  /** One group's lanes: window lengths, and weights and bound, of the test each runs (`setLane`). */
  readonly laneWindow: Int32Array;
  readonly laneCoef: Float64Array;
  /** Each lane's candidate: windows, `signalErrorPerTop` and, in the current block, the rounding bound of its difference. */
  readonly laneFast: Int32Array;
  readonly laneSlow: Int32Array;
  readonly laneErrPerTop: Float64Array;
  readonly laneErr: Float64Array;
  /** In the current block: whether each lane tests long, and its events (`advanceLanes`), LOCAL_BLOCK slots per lane. */
  readonly laneLong: Int32Array;
  readonly eventCount: Int32Array;
  readonly events: Int32Array;
  equityOut: Float64Array | null;
}

/** Scratch for batches of up to `capacity` candidates. */
export function createSmaWorkspace(capacity: number): SmaWorkspace {
  const acc = new Float64Array(capacity * ACC_SIZE);
  return {
    capacity,
    acc: Array.from({ length: capacity }, (_, c) => acc.subarray(c * ACC_SIZE, (c + 1) * ACC_SIZE)),
    state: new Float64Array(capacity * STATE_SIZE),
    // Block-local and series-wide candidates fill separate groups: at most LANES - 1 empty lanes each.
    lanes: new Int32Array(capacity + 2 * (LANES - 1)),
    laneWindow: new Int32Array(LANES * LANE_WINDOWS),
    laneCoef: new Float64Array(LANES * LANE_COEFS),
    laneFast: new Int32Array(LANES),
    laneSlow: new Int32Array(LANES),
    laneErrPerTop: new Float64Array(LANES),
    laneErr: new Float64Array(LANES),
    laneLong: new Int32Array(LANES),
    eventCount: new Int32Array(LANES),
    events: new Int32Array(LANES * LOCAL_BLOCK),
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

// Windows arrive as doubles (rows of a Float64Array); as int32 they index without a conversion
// check per access, about 3x fewer instructions per bar (callgrind). Callers pass integers.
function fastOf(P: Float64Array, c: number): number {
  return P[c * PARAM_COUNT + FAST_SLOT] | 0;
}
function slowOf(P: Float64Array, c: number): number {
  return P[c * PARAM_COUNT + SLOW_SLOT] | 0;
}

/** Windows up to this long read the block-local prefix of the closes, longer ones the series-wide one. */
function isLocal(slow: number): boolean {
  return slow <= LOCAL_REACH + 1;
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
    state[so + St.markFrom] = start;
  }
  const laneCount = assignLanes(P, n, ws.lanes);
  for (let t = start; t < end; ) {
    const stop = Math.min(end, ((t >> LOCAL_BLOCK_BITS) + 1) << LOCAL_BLOCK_BITS);
    warmBlock(d, t, stop);
    for (let g = 0; g < laneCount; g += LANES) advanceLanes(d, s, P, ws, g, t, stop);
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

/**
 * Fill `lanes` with the candidates in groups of LANES, those reading the block-local prefix first,
 * then those reading the series-wide one (a group shares one prefix column), each part padded with
 * empty lanes (-1). Returns the number of lanes used.
 */
function assignLanes(P: Float64Array, n: number, lanes: Int32Array): number {
  let m = 0;
  for (let part = 0; part < 2; part++) {
    for (let c = 0; c < n; c++) if (isLocal(slowOf(P, c)) === (part === 0)) lanes[m++] = c;
    while (m % LANES !== 0) lanes[m++] = -1;
  }
  return m;
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
 * Set lane `l` to test, at prefix index i, (top - prefix[i - wa]) ma - (top - prefix[i - wb]) mb < bound,
 * top = prefix[i]. Flat: d < -err with d = (top - prefix[i - fast]) slow - (top - prefix[i - slow]) fastTied;
 * long: -d < -err, the same with the windows' roles swapped (floating-point subtraction is
 * antisymmetric, so that is exactly -d); err is the lane's `laneErr`.
 */
function setLane(ws: SmaWorkspace, l: number, long: boolean): void {
  const w = l * LANE_WINDOWS;
  const m = l * LANE_COEFS;
  const { laneWindow, laneCoef } = ws;
  const fast = ws.laneFast[l], slow = ws.laneSlow[l];
  const fastTied = fast * SMA_TIE;
  laneWindow[w] = long ? slow : fast;
  laneWindow[w + 1] = long ? fast : slow;
  laneCoef[m] = long ? fastTied : slow;
  laneCoef[m + 1] = long ? slow : fastTied;
  laneCoef[m + 2] = -ws.laneErr[l];
}

/** Set lane `l` to pass every bar (an empty lane, or one whose windows do not fit yet): 0 < Infinity, windows of 0 read top. */
function idleLane(ws: SmaWorkspace, l: number): void {
  const w = l * LANE_WINDOWS;
  const m = l * LANE_COEFS;
  ws.laneWindow[w] = 0;
  ws.laneWindow[w + 1] = 0;
  ws.laneCoef[m] = 0;
  ws.laneCoef[m + 1] = 0;
  ws.laneCoef[m + 2] = Infinity;
}

/**
 * Advance the candidates of lanes [g, g + LANES) through bars [from, stop) of one prefix block:
 * scan the block with their tests, idle lanes waking as their windows fit (`setLanes`,
 * `scanLanes`), then replay each one's events (`replay`).
 */
function advanceLanes(d: SmaData, s: SmaSettings, P: Float64Array, ws: SmaWorkspace, g: number, from: number, stop: number): void {
  const { lanes, state, laneFast, laneSlow, laneErrPerTop, laneLong, eventCount } = ws;
  // Windows that fit in a block read the block-local prefix at index t + 1 + o, o = localPrefixOffset(t),
  // longer ones the series-wide prefix (o = 0). A group reads one of them (`assignLanes`).
  const local = isLocal(slowOf(P, lanes[g]));
  const prefix = local ? d.localPrefixClose : d.prefixClose;
  const o = local ? localPrefixOffset(from) : 0;
  const k = 1 + o; // bar t's window ends at prefix index t + k
  const blockTop = prefix[Math.min(d.close.length, ((from >> LOCAL_BLOCK_BITS) + 1) << LOCAL_BLOCK_BITS) + o];
  const iStop = stop + k;
  for (let l = 0; l < LANES; l++) {
    eventCount[l] = 0;
    const c = lanes[g + l];
    if (c < 0) continue;
    laneFast[l] = fastOf(P, c);
    laneSlow[l] = slowOf(P, c);
    laneErrPerTop[l] = signalErrorPerTop(laneFast[l], laneSlow[l]);
    ws.laneErr[l] = laneErrPerTop[l] * TOP_SLACK * blockTop;
    laneLong[l] = state[c * STATE_SIZE + St.long];
  }
  for (let i = from + k; i < iStop; ) {
    const wake = setLanes(ws, g, i - k, k, iStop);
    scanLanes(d, ws, prefix, i, wake, k, o, local);
    i = wake;
  }
  for (let l = 0; l < LANES; l++) if (lanes[g + l] >= 0) replay(d, s, ws, lanes[g + l], l * LOCAL_BLOCK, eventCount[l], from, stop);
}

/**
 * Scan prefix indices [from, wake) with the lanes' tests (`setLane`), settling and recording each
 * lane that fails its test as it goes (`targetChanges`).
 */
function scanLanes(d: SmaData, ws: SmaWorkspace, prefix: Float64Array, from: number, wake: number, k: number, o: number, local: boolean): void {
  const { laneWindow: W, laneCoef: C } = ws;
  let i = from | 0; // an int32 loop variable (a parameter would stay tagged)
  const stop = wake | 0;
  let wa0 = W[0], wb0 = W[1], wa1 = W[2], wb1 = W[3], wa2 = W[4], wb2 = W[5];
  let ma0 = C[0], mb0 = C[1], ma1 = C[3], mb1 = C[4], ma2 = C[6], mb2 = C[7];
  const bd0 = C[2], bd1 = C[5], bd2 = C[8];
  for (; i < stop; i++) {
    // Indices as int32 differences (| 0): no overflow check per read (they are in the block's range).
    const top = prefix[i];
    const d0 = (top - prefix[(i - wa0) | 0]) * ma0 - (top - prefix[(i - wb0) | 0]) * mb0;
    const d1 = (top - prefix[(i - wa1) | 0]) * ma1 - (top - prefix[(i - wb1) | 0]) * mb1;
    const d2 = (top - prefix[(i - wa2) | 0]) * ma2 - (top - prefix[(i - wb2) | 0]) * mb2;
    if (d0 < bd0 && d1 < bd1 && d2 < bd2) continue;
    // A lane whose target changes tests the other side from the next bar on: swap its windows' roles.
    const t = i - k;
    if (!(d0 < bd0) && targetChanges(d, ws, 0, d0, top, t, o, local)) {
      const w = wa0, m = ma0;
      (wa0 = wb0), (wb0 = w), (ma0 = mb0), (mb0 = m);
    }
    if (!(d1 < bd1) && targetChanges(d, ws, 1, d1, top, t, o, local)) {
      const w = wa1, m = ma1;
      (wa1 = wb1), (wb1 = w), (ma1 = mb1), (mb1 = m);
    }
    if (!(d2 < bd2) && targetChanges(d, ws, 2, d2, top, t, o, local)) {
      const w = wa2, m = ma2;
      (wa2 = wb2), (wb2 = w), (ma2 = mb2), (mb2 = m);
    }
  }
}

/**
 * Set each lane's test for bar t on (`setLane` from its current target, or idle when empty or
 * before both windows fit: the target is flat there, and a window would start before the
 * series). Returns the prefix index at which the next idle lane's windows fit (else iStop).
 */
function setLanes(ws: SmaWorkspace, g: number, t: number, k: number, iStop: number): number {
  let wake = iStop;
  for (let l = 0; l < LANES; l++) {
    const warm = Math.max(ws.laneFast[l], ws.laneSlow[l]) - 1;
    if (ws.lanes[g + l] < 0) idleLane(ws, l);
    else if (warm > t) {
      idleLane(ws, l);
      wake = Math.min(wake, warm + k);
    } else setLane(ws, l, ws.laneLong[l] === 1);
  }
  return wake;
}

/**
 * Lane l failed its test at bar t with difference dl (d while flat, -d while long; `setLane`):
 * whether its target changes there (`longTarget`: dl is its difference, signed so that above its
 * bound means a change). A change is recorded as the lane's next event.
 */
function targetChanges(d: SmaData, ws: SmaWorkspace, l: number, dl: number, top: number, t: number, o: number, local: boolean): boolean {
  const err = ws.laneErrPerTop[l] * top;
  const long = ws.laneLong[l] === 1;
  if (dl < -err) return false;
  if (!(dl > err)) {
    // Not settled by the difference: `longTarget` refines it.
    const fast = ws.laneFast[l], slow = ws.laneSlow[l];
    const prefix = local ? d.localPrefixClose : d.prefixClose;
    if (longTarget(d.close, prefix, local ? d.localPrefixCloseLo : null, t, o, fast, slow, fast * SMA_TIE, ws.laneErrPerTop[l]) === long) return false;
  }
  ws.events[l * LOCAL_BLOCK + ws.eventCount[l]++] = t;
  ws.laneLong[l] = long ? 0 : 1;
  return true;
}

/**
 * Candidate c's path through bars [from, stop) of a block, given its events there (`advanceLanes`):
 * `count` bars from `events[at]` on, alternately where its target turns long (the order fills at
 * the next open) and where it turns flat (the long stretch ends; the exit fills at the next open).
 * No order fills at or after `end`. Drawdown, while long, up to each event and the block's end: a
 * group of bars whose highest close sets no new peak only lowers the trough (units * C rises with
 * C, rounding included), to its lowest close when the whole group is in the stretch, else to the
 * lowest of the bars that are; the groups that set a new peak, bar by bar.
 */
function replay(d: SmaData, s: SmaSettings, ws: SmaWorkspace, c: number, at: number, count: number, from: number, stop: number): void {
  const { open, close, closeGroupMax: groupMax, closeGroupMin: groupMin } = d;
  const { end, fee } = s;
  const { state: st, equityOut, events } = ws;
  const acc = ws.acc[c];
  const so = c * STATE_SIZE;
  let long = st[so + St.long] === 1;
  let units = st[so + St.units], first = st[so + St.first];
  let peak = st[so + St.peak], minSince = st[so + St.minSince], worst = st[so + St.worst];
  for (let q = at; ; q++) {
    const blockEnd = q === at + count;
    const t = blockEnd ? stop - 1 : events[q];
    if (long) {
      // Drawdown through bar t.
      const wholeStop = (t + 1) >> CLOSE_GROUP_BITS; // groups before it end by t
      for (let j = Math.max(first, from); j <= t; ) {
        let g = j >> CLOSE_GROUP_BITS;
        if (j === g << CLOSE_GROUP_BITS) {
          for (; g < wholeStop && units * groupMax[g] <= peak; g++) {
            const low = units * groupMin[g];
            if (low < minSince) minSince = low;
          }
          j = g << CLOSE_GROUP_BITS;
          if (j > t) break;
        }
        // Bars j .. the end of group g or t: part of a group, or a group that sets a new peak.
        const groupEnd = Math.min(t + 1, (g + 1) << CLOSE_GROUP_BITS);
        if (units * groupMax[g] <= peak) {
          for (; j < groupEnd; j++) {
            const equity = units * close[j];
            if (equity < minSince) minSince = equity;
          }
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
      if (blockEnd) break;
      // The long stretch ends at bar t.
      closeStretch(d, st, so, t, equityOut);
      long = false;
      if (t >= end - 1) break; // the exit signal is on the last bar: no fill
      const e = t + 1;
      const cash = units * open[e] * (1 - fee);
      const entryCash = st[so + St.entryCash];
      accTrade(acc, cash - entryCash, NaN, entryCash);
      accFill(acc, open[e] / close[e - 1], 0); // notional units * O_e over the previous close's equity units * C_{e-1}
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
      st[so + St.markFrom] = e; // bar e is flat again
    } else {
      const cash = st[so + St.cash];
      if (blockEnd) {
        // Flat at the block's end: its equity through the block.
        if (equityOut !== null && st[so + St.markFrom] < stop) {
          equityOut.fill(cash, st[so + St.markFrom], stop);
          st[so + St.markFrom] = stop;
        }
        break;
      }
      // The target turns long at bar t.
      if (equityOut !== null) {
        equityOut.fill(cash, st[so + St.markFrom], t + 1);
        st[so + St.markFrom] = end; // the stretch's equity is written when it closes
      }
      if (t >= end - 1) break; // a signal on the last bar: no fill
      const e = t + 1;
      const entryPx = open[e];
      units = cash / (entryPx * (1 + fee));
      first = e;
      accFill(acc, (units * entryPx) / cash, 1); // all-in without a stop: the whole equity is at risk
      // The entry bar's return is measured from the cash before it (e > start: an entry fills at start + 1 at the earliest).
      addReturn(st, so, (units * close[e]) / st[so + St.prevE] - 1);
      st[so + St.entryCash] = cash;
      st[so + St.first] = e;
      st[so + St.units] = units;
      long = true;
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
