/**
 * Seasonal autoregression with exogenous regressors (ARX), the SARIMAX role without the MA part:
 *
 *   y[τ] = c + Σ_{i=1..p} a_i·y[τ−i] + Σ_{j=1..P} b_j·y[τ−j·s] + Σ_{e<E} g_e·X[τ−1, e] + ε_τ
 *
 * fitted by least squares (ridge λ on the diagonal of the normal equations, intercept included).
 * Coefficients are stored in that order: [c, a_1..a_p, b_1..b_P, g_0..g_{E−1}] (k = 1 + p + P + E).
 *
 * `X` is row-major with E columns; row u holds what is known at bar u (the caller lags it), and
 * it predicts y[u + 1]. A fit on [start, end) uses only y[start..end−1] and X rows start..end−2:
 * targets τ ∈ [start + maxLag, end) with maxLag = max(p, P·s, 1). Non-finite inputs in the range
 * make the fit fail (coefficients NaN). The workspace is allocated once per model order.
 */
import { solveNormalEquations } from '../stats/linalg.js';

/** Model orders of one ARX specification. */
export interface ArxOrders {
  /** AR order p (lags 1..p). */
  readonly p: number;
  /** Seasonal AR order P (lags s, 2s, .., P·s). */
  readonly P: number;
  /** Seasonal period s. */
  readonly s: number;
  /** Number of exogenous columns E. */
  readonly E: number;
}

/** Scratch for `arxFit`, sized for one set of orders. */
export interface ArxWorkspace {
  readonly k: number;
  readonly xtx: Float64Array;
  readonly xty: Float64Array;
  readonly factor: Float64Array;
  readonly row: Float64Array;
}

/** Number of coefficients 1 + p + P + E. */
export function arxCoefficientCount(o: ArxOrders): number {
  return 1 + o.p + o.P + o.E;
}

/** Oldest lag a regression row reads, and so how many leading bars of a fit range are not targets. */
export function arxMaxLag(o: ArxOrders): number {
  return Math.max(o.p, o.P * o.s, 1);
}

/** Allocate the scratch for orders `o` (once; fits reuse it). */
export function createArxWorkspace(o: ArxOrders): ArxWorkspace {
  const k = arxCoefficientCount(o);
  return {
    k,
    xtx: new Float64Array(k * k),
    xty: new Float64Array(k),
    factor: new Float64Array(k * k),
    row: new Float64Array(k),
  };
}

/** Fill `row` with the regressors [1, y lags, seasonal lags, X[τ−1, ·]] of target τ. */
function fillRow(y: Float64Array, X: Float64Array, tau: number, o: ArxOrders, row: Float64Array): void {
  row[0] = 1;
  let c = 1;
  for (let i = 1; i <= o.p; i++) row[c++] = y[tau - i];
  for (let j = 1; j <= o.P; j++) row[c++] = y[tau - j * o.s];
  const base = (tau - 1) * o.E;
  for (let e = 0; e < o.E; e++) row[c++] = X[base + e];
}

/**
 * Least-squares ARX fit on [start, end); see the file header for the model and row layout.
 * @param y target series (e.g. log returns)
 * @param X exogenous rows, row-major with `o.E` columns (ignored when E = 0)
 * @param start first index of the fit range
 * @param end one past the last index of the fit range
 * @param o model orders
 * @param ridge λ added to the diagonal of XᵀX
 * @param ws scratch from `createArxWorkspace(o)`
 * @param outCoef coefficients, length k
 * @returns residual std sqrt(SSR / (rows − k)); NaN (and NaN coefficients) when rows ≤ k or the
 *   normal equations are singular or non-finite
 */
export function arxFit(
  y: Float64Array,
  X: Float64Array,
  start: number,
  end: number,
  o: ArxOrders,
  ridge: number,
  ws: ArxWorkspace,
  outCoef: Float64Array,
): number {
  const { k, xtx, xty, row } = ws;
  if (start < 0 || end > y.length) throw new RangeError(`arxFit: range [${start}, ${end}) outside y (length ${y.length})`);
  const first = start + arxMaxLag(o);
  const rows = end - first;
  if (rows <= k) {
    outCoef.fill(NaN, 0, k);
    return NaN;
  }
  xtx.fill(0);
  xty.fill(0);
  for (let tau = first; tau < end; tau++) {
    fillRow(y, X, tau, o, row);
    const target = y[tau];
    for (let i = 0; i < k; i++) {
      const ri = row[i];
      xty[i] += ri * target;
      for (let j = 0; j <= i; j++) xtx[i * k + j] += ri * row[j];
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) xtx[j * k + i] = xtx[i * k + j];
  if (!solveNormalEquations(xtx, xty, ridge, ws.factor, outCoef, k)) return NaN;
  let ssr = 0;
  for (let tau = first; tau < end; tau++) {
    const e = y[tau] - arxPredict(y, X, tau, o, outCoef);
    ssr += e * e;
  }
  return Math.sqrt(ssr / (rows - k));
}

/**
 * Model value of y[τ] from y[..τ−1] and X row τ−1: the one-step forecast made at bar τ−1.
 * @param y target series
 * @param X exogenous rows (E columns)
 * @param tau index being predicted; needs τ − maxLag ≥ 0
 * @param o model orders
 * @param coef coefficients from `arxFit`
 * @returns the prediction (NaN when any input is NaN)
 */
export function arxPredict(y: Float64Array, X: Float64Array, tau: number, o: ArxOrders, coef: Float64Array): number {
  let v = coef[0];
  let c = 1;
  for (let i = 1; i <= o.p; i++) v += coef[c++] * y[tau - i];
  for (let j = 1; j <= o.P; j++) v += coef[c++] * y[tau - j * o.s];
  const base = (tau - 1) * o.E;
  for (let e = 0; e < o.E; e++) v += coef[c++] * X[base + e];
  return v;
}
