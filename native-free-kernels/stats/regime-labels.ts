/**
 * Causal regime labels: every output at bar t reads inputs at bars <= t only.
 *
 * - `trailingRank`: where x[t] sits among its own trailing history, as a mid-rank fraction.
 * - `levelLabels`: low / normal / high from such a rank against two quantiles.
 * - `trendLabels`: bull / bear / sideways from the trailing log return ln(C_t / C_{t-L}).
 * - `driftMetrics`, `driftLabels`: distribution drift between the two consecutive windows of w
 *   returns ending at t (PSI of returns, PSI of absolute returns, volatility ratio), flagged as a shift.
 * - `combineLabels`, `smoothLabels`, `labelSegments`: the per-dimension codes as one mixed-radix
 *   key index per bar, held until a new key has persisted a minimum number of bars, and its runs.
 *
 * Label codes are small integers (`LevelLabel`, `TrendLabel`, `DriftLabel`); `NO_LABEL` (-1) marks
 * a bar whose inputs are not yet (or not) defined. NaN policy: a NaN input gives NO_LABEL at that
 * bar, never an error. Buffers: inputs are read only; every `out*` and workspace is caller-owned,
 * overwritten on [0, n); nothing is allocated per bar (`driftMetrics` makes one small scratch per
 * call through `rollingStd`).
 */
import { psi, psiWorkspaceLength } from './psi.js';
import { rollingStd } from './rolling.js';

/** A bar without a label (warm-up, or an undefined input). */
export const NO_LABEL = -1;
/** Volatility and volume levels. */
export const LevelLabel = { Low: 0, Normal: 1, High: 2 } as const;
/** Trend states. */
export const TrendLabel = { Bull: 0, Bear: 1, Sideways: 2 } as const;
/** Drift states. */
export const DriftLabel = { Stable: 0, Shift: 1 } as const;

function checkLength(name: string, n: number, ...arrays: ArrayLike<number>[]): void {
  if (!Number.isInteger(n) || n < 0 || arrays.some((a) => a.length < n)) {
    throw new RangeError(`${name}: need an integer 0 <= n <= every array's length; got n = ${n}, lengths ${arrays.map((a) => a.length).join('/')}`);
  }
}

function checkPositiveInt(name: string, what: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: ${what} must be an integer >= 1, got ${v}`);
}

/**
 * Workspace length `trailingRank` needs for n bars: the sorted distinct values, each bar's rank
 * among them and a Fenwick tree of window counts.
 * @param n bars
 * @returns minimum `workspace.length`
 */
export function trailingRankWorkspaceLength(n: number): number {
  return 3 * n + 1;
}

/** First index i in sorted[0..m) with sorted[i] >= v. */
function lowerBound(sorted: Float64Array, m: number, v: number): number {
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Fenwick tree over tree[base + 1 .. base + size]: add `delta` at 1-based position i. */
function treeAdd(ws: Float64Array, base: number, size: number, i: number, delta: number): void {
  for (; i <= size; i += i & -i) ws[base + i] += delta;
}

/** Sum of the Fenwick counts at 1-based positions 1..i. */
function treePrefix(ws: Float64Array, base: number, i: number): number {
  let s = 0;
  for (; i > 0; i -= i & -i) s += ws[base + i];
  return s;
}

/**
 * Mid-rank fraction of x[t] among the finite values of x[t-window+1..t] (x[t] included):
 *   out[t] = (#{x_i < x_t} + ½·#{x_i = x_t}) / #{finite x_i},
 * so x[t] exceeds the q-quantile of its history about when out[t] > q. NaN when x[t] is not finite
 * or the window holds fewer than `minCount` finite values.
 *
 * O(n log n): the finite values are sorted once to give each bar an integer rank, and a Fenwick
 * tree counts the window's ranks. Sorting sees later bars, but only to name the ranks: the counts
 * cover the window alone, so out[t] is exactly the count over x[t-window+1..t].
 * @param x series (read only)
 * @param window bars of history, the current one included, >= 1
 * @param minCount finite values the window needs, 1 <= minCount <= window
 * @param workspace caller-owned, length >= trailingRankWorkspaceLength(n)
 * @param out caller-owned output, length >= n
 * @param n live length (default x.length)
 */
export function trailingRank(x: Float64Array, window: number, minCount: number, workspace: Float64Array, out: Float64Array, n: number = x.length): void {
  checkLength('trailingRank', n, x, out);
  checkPositiveInt('trailingRank', 'window', window);
  if (!Number.isInteger(minCount) || minCount < 1 || minCount > window) {
    throw new RangeError(`trailingRank: minCount must be an integer in [1, window = ${window}], got ${minCount}`);
  }
  if (workspace.length < trailingRankWorkspaceLength(n)) {
    throw new RangeError(`trailingRank: workspace.length must be >= ${trailingRankWorkspaceLength(n)}, got ${workspace.length}`);
  }
  const rankAt = n;
  const treeAt = 2 * n; // tree positions 1..u sit at treeAt + 1 .. treeAt + u
  let m = 0;
  for (let t = 0; t < n; t++) if (Number.isFinite(x[t])) workspace[m++] = x[t];
  const sorted = workspace.subarray(0, m).sort();
  let u = 0; // distinct values, compacted in place
  for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i];
  for (let t = 0; t < n; t++) workspace[rankAt + t] = Number.isFinite(x[t]) ? lowerBound(sorted, u, x[t]) + 1 : 0;
  workspace.fill(0, treeAt, treeAt + u + 1);
  let count = 0;
  for (let t = 0; t < n; t++) {
    const r = workspace[rankAt + t];
    if (r > 0) {
      treeAdd(workspace, treeAt, u, r, 1);
      count++;
    }
    if (t >= window) {
      const old = workspace[rankAt + t - window];
      if (old > 0) {
        treeAdd(workspace, treeAt, u, old, -1);
        count--;
      }
    }
    if (r === 0 || count < minCount) {
      out[t] = NaN;
      continue;
    }
    const less = treePrefix(workspace, treeAt, r - 1);
    const equal = treePrefix(workspace, treeAt, r) - less;
    out[t] = (less + 0.5 * equal) / count;
  }
}

/**
 * Low / normal / high from a rank fraction: Low when score < lowQ, High when score > highQ,
 * else Normal; NO_LABEL where the score is NaN.
 * @param score rank fractions in [0, 1] (read only)
 * @param lowQ lower quantile
 * @param highQ upper quantile, >= lowQ
 * @param out caller-owned codes, length >= n
 * @param n live length (default score.length)
 */
export function levelLabels(score: Float64Array, lowQ: number, highQ: number, out: Int32Array, n: number = score.length): void {
  checkLength('levelLabels', n, score, out);
  if (!(lowQ <= highQ)) throw new RangeError(`levelLabels: need lowQ <= highQ, got ${lowQ} and ${highQ}`);
  for (let t = 0; t < n; t++) {
    const s = score[t];
    out[t] = s !== s ? NO_LABEL : s < lowQ ? LevelLabel.Low : s > highQ ? LevelLabel.High : LevelLabel.Normal;
  }
}

/**
 * Trend from the trailing log return ρ_t = ln(C_t / C_{t-lookback}): Bull when ρ_t >= bullMin,
 * Bear when ρ_t <= bearMax, else Sideways; NO_LABEL for t < lookback or a non-finite ρ_t.
 * @param close closes (read only), expected positive
 * @param lookback bars, >= 1
 * @param bullMin smallest bull return
 * @param bearMax largest bear return, < bullMin
 * @param out caller-owned codes, length >= n
 * @param n live length (default close.length)
 */
export function trendLabels(close: Float64Array, lookback: number, bullMin: number, bearMax: number, out: Int32Array, n: number = close.length): void {
  checkLength('trendLabels', n, close, out);
  checkPositiveInt('trendLabels', 'lookback', lookback);
  if (!(bearMax < bullMin)) throw new RangeError(`trendLabels: need bearMax < bullMin, got ${bearMax} and ${bullMin}`);
  for (let t = 0; t < n; t++) {
    const rho = t < lookback ? NaN : Math.log(close[t] / close[t - lookback]);
    out[t] = !Number.isFinite(rho) ? NO_LABEL : rho >= bullMin ? TrendLabel.Bull : rho <= bearMax ? TrendLabel.Bear : TrendLabel.Sideways;
  }
}

/**
 * Workspace length `driftMetrics` needs: the absolute returns, the two windows' values and PSI's
 * scratch for one window.
 * @param n bars
 * @param window returns per window
 * @param bins PSI bins
 * @returns minimum `workspace.length`
 */
export function driftWorkspaceLength(n: number, window: number, bins: number): number {
  return n + 2 * window + psiWorkspaceLength(window, bins);
}

/**
 * Drift between the windows E_t = r[t-2w+1..t-w] (expected) and A_t = r[t-w+1..t] (actual), w = window:
 *   outPsi[t]    = PSI(E_t, A_t) of the returns (`psi`, quantile bins of E_t)
 *   outVolPsi[t] = PSI(|E_t|, |A_t|), the absolute return being the bar's realised volatility
 *   outRatio[t]  = std(A_t) / std(E_t) (ddof 1), `rollingStd`'s values at t and t - w
 * All three NaN for t < 2w (r[0] is the missing return of the first bar, so E_t starts at bar 1),
 * where a window holds a non-finite return, and where both windows are constant (ratio 0/0).
 * @param r log returns, r[0] NaN (read only)
 * @param window returns per window w, >= 2
 * @param bins PSI bins
 * @param eps PSI share floor
 * @param workspace caller-owned, length >= driftWorkspaceLength(n, window, bins)
 * @param outPsi caller-owned, length >= n
 * @param outVolPsi caller-owned, length >= n
 * @param outRatio caller-owned, length >= n
 * @param n live length (default r.length)
 */
export function driftMetrics(
  r: Float64Array,
  window: number,
  bins: number,
  eps: number,
  workspace: Float64Array,
  outPsi: Float64Array,
  outVolPsi: Float64Array,
  outRatio: Float64Array,
  n: number = r.length,
): void {
  checkLength('driftMetrics', n, r, outPsi, outVolPsi, outRatio);
  if (!Number.isInteger(window) || window < 2) throw new RangeError(`driftMetrics: window must be an integer >= 2, got ${window}`);
  if (workspace.length < driftWorkspaceLength(n, window, bins)) {
    throw new RangeError(`driftMetrics: workspace.length must be >= ${driftWorkspaceLength(n, window, bins)}, got ${workspace.length}`);
  }
  const first = 2 * window;
  outPsi.fill(NaN, 0, n);
  outVolPsi.fill(NaN, 0, n);
  if (n <= first) {
    outRatio.fill(NaN, 0, n);
    return;
  }
  // Views made once: the windows are copied into fixed buffers, so no bar allocates a view.
  const abs = workspace.subarray(0, n);
  const bufE = workspace.subarray(n, n + window);
  const bufA = workspace.subarray(n + window, n + 2 * window);
  const scratch = workspace.subarray(n + 2 * window);
  for (let t = 0; t < n; t++) abs[t] = Math.abs(r[t]);
  // outRatio first holds the std of the window ending at each bar (NaN when it holds a non-finite
  // return); it becomes the ratio from the last bar down, so std[t - w] is still there at bar t.
  // A NaN ratio (a non-finite window, or 0/0) leaves both PSIs NaN.
  rollingStd(r, window, 1, outRatio, n);
  for (let t = n - 1; t >= first; t--) {
    const ratio = outRatio[t] / outRatio[t - window];
    outRatio[t] = ratio;
    if (ratio !== ratio) continue;
    const from = t - first + 1; // E = from .. from + w - 1, A = from + w .. t
    outPsi[t] = psi(copyWindows(r, from, window, bufE, bufA), bufA, bins, eps, scratch);
    outVolPsi[t] = psi(copyWindows(abs, from, window, bufE, bufA), bufA, bins, eps, scratch);
  }
  outRatio.fill(NaN, 0, first);
}

/** Copy x[from..from+w) into bufE and x[from+w..from+2w) into bufA; returns bufE. */
function copyWindows(x: Float64Array, from: number, window: number, bufE: Float64Array, bufA: Float64Array): Float64Array {
  for (let i = 0; i < window; i++) {
    bufE[i] = x[from + i];
    bufA[i] = x[from + window + i];
  }
  return bufE;
}

/**
 * Shift when PSI(returns) > psiMax, PSI(|returns|) > volPsiMax, or the volatility ratio leaves
 * [1 / ratioMax, ratioMax]; else Stable; NO_LABEL where a metric is NaN.
 * @param psiR PSI of returns (read only)
 * @param volPsi PSI of absolute returns (read only)
 * @param ratio volatility ratio (read only)
 * @param psiMax tolerance of psiR
 * @param volPsiMax tolerance of volPsi
 * @param ratioMax tolerance of the ratio, >= 1
 * @param out caller-owned codes, length >= n
 * @param n live length (default psiR.length)
 */
export function driftLabels(
  psiR: Float64Array,
  volPsi: Float64Array,
  ratio: Float64Array,
  psiMax: number,
  volPsiMax: number,
  ratioMax: number,
  out: Int32Array,
  n: number = psiR.length,
): void {
  checkLength('driftLabels', n, psiR, volPsi, ratio, out);
  if (!(ratioMax >= 1)) throw new RangeError(`driftLabels: ratioMax must be >= 1, got ${ratioMax}`);
  for (let t = 0; t < n; t++) {
    const p = psiR[t], v = volPsi[t], q = ratio[t];
    if (p !== p || v !== v || q !== q) out[t] = NO_LABEL;
    else out[t] = p > psiMax || v > volPsiMax || q > ratioMax || q * ratioMax < 1 ? DriftLabel.Shift : DriftLabel.Stable;
  }
}

/**
 * One key index per bar from D dimensions' codes, mixed radix with the first dimension slowest:
 *   out[t] = (…(c_0·R_1 + c_1)·R_2 + …) + c_{D-1},  c_d = codes[d·stride + t] in [0, R_d),
 * NO_LABEL when any c_d is NO_LABEL.
 * @param codes dimension-major codes, dimension d at [d·stride, d·stride + n) (read only)
 * @param stride distance between dimensions in `codes`, >= n
 * @param radices R_d, the number of labels of each dimension, D = radices.length >= 1
 * @param out caller-owned key indices, length >= n
 * @param n live length
 */
export function combineLabels(codes: Int32Array, stride: number, radices: Int32Array, out: Int32Array, n: number): void {
  const D = radices.length;
  if (D < 1 || !Number.isInteger(n) || n < 0 || stride < n || codes.length < (D - 1) * stride + n || out.length < n) {
    throw new RangeError(`combineLabels: need D >= 1, stride >= n, codes.length >= (D - 1)·stride + n, out.length >= n; got D = ${D}, stride = ${stride}, n = ${n}, lengths ${codes.length}/${out.length}`);
  }
  for (let t = 0; t < n; t++) {
    let key = 0;
    for (let d = 0; d < D; d++) {
      const c = codes[d * stride + t];
      if (c === NO_LABEL) {
        key = NO_LABEL;
        break;
      }
      key = key * radices[d] + c;
    }
    out[t] = key;
  }
}

/**
 * Minimum-duration smoothing: the output takes a new label only at the bar where that label has
 * held in `raw` for the last `minDuration` bars, and keeps it until another one has; NO_LABEL
 * before the first such bar. A raw NO_LABEL breaks a run and never becomes the output. Hence every
 * run of the output after its first label lasts at least `minDuration` bars (the last one may be
 * cut short by the end of the data), and out[t] depends on raw[0..t] only.
 * @param raw key indices (read only)
 * @param minDuration bars a label must persist, >= 1 (1: out = raw after the first label, holding through NO_LABEL)
 * @param out caller-owned, length >= n (may not be `raw`)
 * @param n live length (default raw.length)
 */
export function smoothLabels(raw: Int32Array, minDuration: number, out: Int32Array, n: number = raw.length): void {
  checkLength('smoothLabels', n, raw, out);
  checkPositiveInt('smoothLabels', 'minDuration', minDuration);
  let state = NO_LABEL;
  let run = NO_LABEL;
  let runLength = 0;
  for (let t = 0; t < n; t++) {
    const c = raw[t];
    if (c === run) runLength++;
    else {
      run = c;
      runLength = 1;
    }
    if (run !== NO_LABEL && runLength >= minDuration) state = run;
    out[t] = state;
  }
}

/**
 * Runs of equal labels other than NO_LABEL: run i covers bars outStart[i]..outEnd[i] (inclusive)
 * with label outLabel[i], in bar order.
 * @param labels per-bar labels (read only)
 * @param outStart caller-owned, length >= the number of runs (n is always enough)
 * @param outEnd caller-owned, the same length
 * @param outLabel caller-owned, the same length
 * @param n live length (default labels.length)
 * @returns the number of runs
 */
export function labelSegments(labels: Int32Array, outStart: Int32Array, outEnd: Int32Array, outLabel: Int32Array, n: number = labels.length): number {
  checkLength('labelSegments', n, labels);
  let count = 0;
  for (let t = 0; t < n; t++) {
    const c = labels[t];
    if (c === NO_LABEL || (t > 0 && labels[t - 1] === c)) continue;
    if (count >= outStart.length || count >= outEnd.length || count >= outLabel.length) {
      throw new RangeError(`labelSegments: output capacity ${Math.min(outStart.length, outEnd.length, outLabel.length)} is below the number of runs; size the outputs to n = ${n}`);
    }
    let end = t;
    while (end + 1 < n && labels[end + 1] === c) end++;
    outStart[count] = t;
    outEnd[count] = end;
    outLabel[count] = c;
    count++;
  }
  return count;
}
