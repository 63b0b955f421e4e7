/**
 * GARCH(1,1) with constant mean and normal innovations, on a sub-range [start, end) of a returns
 * series so that a rolling refit reads the data in place.
 *
 *   r_t = mu + e_t,  e_t ~ N(0, h_t),  h_t = omega + alpha·e_{t-1}^2 + beta·h_{t-1}
 *   LL  = -1/2 · Σ_{t=start}^{end-1} (ln 2π + ln h_t + e_t^2 / h_t)
 *
 * Parameters are packed as [mu, omega, alpha, beta]. Initialisation: h_start is the sample
 * variance of r[start..end) with ddof = 1, Σ(r_t - r̄)^2 / (T - 1), T = end - start; it does not
 * depend on the parameters. (The `arch` package backcasts instead, so its likelihoods differ
 * slightly in the first bars.)
 *
 * Input contract: 0 <= start, start + 2 <= end <= r.length; params.length >= 4. Returns are
 * expected finite: a NaN in the range makes the likelihood and the filtered variances NaN, and
 * `garchFit` rejects it. The likelihood and filter evaluate any parameters they are given; outside
 * omega > 0, alpha >= 0, beta >= 0 a variance can turn non-positive and the likelihood NaN.
 *
 * Buffers: `r` and `params` are read only; `outVar` and `outParams` are caller-owned. `garchFit`
 * works in a `GarchWorkspace` made once by `createGarchWorkspace()` and reused across fits (one
 * fit at a time per workspace); a fit allocates nothing.
 */
import { createNelderMeadWorkspace, nelderMead, type NelderMeadWorkspace } from './minimize.js';

const LN_2PI = Math.log(2 * Math.PI);

/**
 * Starting points of the fit as (persistence alpha + beta, alpha share alpha / (alpha + beta)).
 * They span the regimes seen in daily returns: high persistence with a small ARCH term (typical
 * equity/FX), very high persistence, and a short-memory process; each start runs separately.
 */
const FIT_START_PERSISTENCE = [0.9, 0.98, 0.5] as const;
const FIT_START_SHARE = [0.1, 0.05, 0.3] as const;
/** Edge of the start simplex in the unconstrained coordinates (logit / log scale, order one). */
const FIT_STEP = 0.5;
/** Restarts from the best point: Nelder-Mead can stall on a collapsed simplex; a fresh one fixes it. */
const FIT_MAX_RESTARTS = 5;

/** Scratch for `garchFit`; its fields are internal. */
export interface GarchWorkspace {
  readonly nm: NelderMeadWorkspace;
  /** Start point of a run in the unconstrained coordinates. */
  readonly theta: Float64Array;
  /** Minimiser of the last run. */
  readonly candidate: Float64Array;
  /** Best unconstrained point so far. */
  readonly best: Float64Array;
  /** Constrained parameters being evaluated. */
  readonly params: Float64Array;
  /** The series and range of the fit in progress (emptied after the fit). */
  r: Float64Array;
  start: number;
  end: number;
  mean: number;
  variance: number;
  /** Mean negative log-likelihood per observation at an unconstrained point. */
  readonly objective: (theta: Float64Array) => number;
}

const EMPTY = new Float64Array(0);

function checkRange(name: string, r: Float64Array, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > r.length || end - start < 2) {
    throw new RangeError(`${name}: need integers 0 <= start, start + 2 <= end <= r.length = ${r.length}; got start = ${start}, end = ${end}`);
  }
}

function checkParams(name: string, params: Float64Array): void {
  if (params.length < 4) throw new RangeError(`${name}: params must hold [mu, omega, alpha, beta], got length ${params.length}`);
}

function sampleMean(r: Float64Array, start: number, end: number): number {
  let sum = 0;
  for (let t = start; t < end; t++) sum += r[t];
  return sum / (end - start);
}

/** Two-pass sample variance (ddof = 1) of r[start..end): the initial conditional variance. */
function sampleVariance(r: Float64Array, start: number, end: number, mean: number): number {
  let ss = 0;
  for (let t = start; t < end; t++) {
    const d = r[t] - mean;
    ss += d * d;
  }
  return ss / (end - start - 1);
}

/** LL of r[start..end) from h_start = h0. */
function logLikelihood(
  r: Float64Array,
  start: number,
  end: number,
  mu: number,
  omega: number,
  alpha: number,
  beta: number,
  h0: number,
): number {
  let h = h0;
  let acc = 0;
  for (let t = start; t < end; t++) {
    const e = r[t] - mu;
    const e2 = e * e;
    acc += Math.log(h) + e2 / h;
    h = omega + alpha * e2 + beta * h;
  }
  return -0.5 * ((end - start) * LN_2PI + acc);
}

/**
 * Map unconstrained theta to [mu, omega, alpha, beta] inside the stationary region:
 * mu = mean + θ0·sd; persistence p = logistic(θ2) and share s = logistic(θ3) give alpha = p·s,
 * beta = p·(1 - s); the unconditional variance v = variance·exp(θ1) gives omega = v·(1 - p).
 * Scaling by the sample moments keeps every coordinate of order one for Nelder-Mead.
 */
function thetaToParams(theta: Float64Array, mean: number, variance: number, out: Float64Array): void {
  const p = 1 / (1 + Math.exp(-theta[2]));
  const oneMinusP = 1 / (1 + Math.exp(theta[2])); // not 1 - p: keeps precision as p -> 1
  const s = 1 / (1 + Math.exp(-theta[3]));
  out[0] = mean + theta[0] * Math.sqrt(variance);
  out[1] = variance * Math.exp(theta[1]) * oneMinusP;
  out[2] = p * s;
  out[3] = p * (1 - s);
}

function logit(u: number): number {
  return Math.log(u / (1 - u));
}

/**
 * Allocate the scratch for `garchFit` (once per thread; reuse it for every fit).
 * @returns a workspace for sequential fits
 */
export function createGarchWorkspace(): GarchWorkspace {
  const ws: GarchWorkspace = {
    nm: createNelderMeadWorkspace(4),
    theta: new Float64Array(4),
    candidate: new Float64Array(4),
    best: new Float64Array(4),
    params: new Float64Array(4),
    r: EMPTY,
    start: 0,
    end: 0,
    mean: 0,
    variance: 0,
    // Made once here, reading the fit's range from the workspace, so a fit creates no closure.
    objective: (theta) => {
      const p = ws.params;
      thetaToParams(theta, ws.mean, ws.variance, p);
      return -logLikelihood(ws.r, ws.start, ws.end, p[0], p[1], p[2], p[3], ws.variance) / (ws.end - ws.start);
    },
  };
  return ws;
}

/**
 * Gaussian log-likelihood of r[start..end) under GARCH(1,1), h_start = sample variance (ddof 1).
 * @param r returns series (read only)
 * @param start first bar of the range
 * @param end one past the last bar, end - start >= 2
 * @param params [mu, omega, alpha, beta] (read only)
 * @returns LL, NaN when a variance is non-positive or the range holds NaN
 */
export function garchLogLikelihood(r: Float64Array, start: number, end: number, params: Float64Array): number {
  checkRange('garchLogLikelihood', r, start, end);
  checkParams('garchLogLikelihood', params);
  const h0 = sampleVariance(r, start, end, sampleMean(r, start, end));
  return logLikelihood(r, start, end, params[0], params[1], params[2], params[3], h0);
}

/**
 * Maximum-likelihood GARCH(1,1) on r[start..end) under omega > 0, alpha >= 0, beta >= 0,
 * alpha + beta < 1 (by reparameterisation, see `thetaToParams`), by Nelder-Mead from each of
 * the `FIT_START_*` points and then restarts from the best point until a restart gains no more than `tol`.
 * Deterministic: the same data gives the same parameters, bit for bit.
 * @param r returns series (read only)
 * @param start first bar of the range
 * @param end one past the last bar, end - start >= 2
 * @param maxIter Nelder-Mead iteration cap per run
 * @param tol convergence tolerance on the mean negative LL per bar and on the unconstrained
 *   coordinates (1e-7 resolves the optimum well below the sampling error)
 * @param ws scratch from `createGarchWorkspace()`
 * @param outParams receives [mu, omega, alpha, beta], length >= 4
 * @returns the maximised log-likelihood, equal to garchLogLikelihood(r, start, end, outParams)
 */
export function garchFit(
  r: Float64Array,
  start: number,
  end: number,
  maxIter: number,
  tol: number,
  ws: GarchWorkspace,
  outParams: Float64Array,
): number {
  checkRange('garchFit', r, start, end);
  checkParams('garchFit', outParams);
  const mean = sampleMean(r, start, end);
  const variance = sampleVariance(r, start, end, mean);
  if (!(variance > 0 && variance < Infinity)) {
    throw new RangeError(`garchFit: r[${start}..${end}) must be finite with positive sample variance, got variance ${variance}`);
  }
  ws.r = r;
  ws.start = start;
  ws.end = end;
  ws.mean = mean;
  ws.variance = variance;

  const { theta, candidate, best } = ws;
  let bestValue = Infinity;
  for (let i = 0; i < FIT_START_PERSISTENCE.length; i++) {
    theta[0] = 0;
    theta[1] = 0;
    theta[2] = logit(FIT_START_PERSISTENCE[i]);
    theta[3] = logit(FIT_START_SHARE[i]);
    const value = nelderMead(ws.objective, theta, FIT_STEP, maxIter, tol, ws.nm, candidate);
    if (value < bestValue) {
      bestValue = value;
      best.set(candidate);
    }
  }
  for (let k = 0; k < FIT_MAX_RESTARTS; k++) {
    const value = nelderMead(ws.objective, best, FIT_STEP, maxIter, tol, ws.nm, candidate);
    if (!(value < bestValue)) break;
    const gain = bestValue - value;
    bestValue = value;
    best.set(candidate);
    if (gain <= tol) break;
  }

  thetaToParams(best, mean, variance, outParams);
  ws.r = EMPTY; // do not keep the caller's series alive
  return logLikelihood(r, start, end, outParams[0], outParams[1], outParams[2], outParams[3], variance);
}

/**
 * Conditional variances h_t of r[start..end) under `params`, from h_start = sample variance.
 * @param r returns series (read only)
 * @param start first bar of the range
 * @param end one past the last bar, end - start >= 2
 * @param params [mu, omega, alpha, beta] (read only)
 * @param outVar caller-owned, length >= end; outVar[t] = h_t for t in [start, end), rest untouched
 * @returns h_end, the one-step-ahead variance forecast given r up to end - 1
 */
export function garchFilter(r: Float64Array, start: number, end: number, params: Float64Array, outVar: Float64Array): number {
  checkRange('garchFilter', r, start, end);
  checkParams('garchFilter', params);
  if (outVar.length < end) throw new RangeError(`garchFilter: outVar.length must be >= end = ${end}, got ${outVar.length}`);
  const mu = params[0], omega = params[1], alpha = params[2], beta = params[3];
  let h = sampleVariance(r, start, end, sampleMean(r, start, end));
  for (let t = start; t < end; t++) {
    outVar[t] = h;
    const e = r[t] - mu;
    h = omega + alpha * e * e + beta * h;
  }
  return h;
}

/**
 * E[h_{t+horizon} | F_t] given hNext = h_{t+1}: h̄ + p^(horizon-1)·(hNext - h̄) with persistence
 * p = alpha + beta and h̄ = omega / (1 - p); for p = 1 (IGARCH) it is hNext + (horizon - 1)·omega.
 * @param hNext one-step-ahead variance, e.g. the return of `garchFilter`
 * @param params [mu, omega, alpha, beta] (read only)
 * @param horizon steps ahead, integer >= 1 (1 returns hNext)
 * @returns the expected conditional variance `horizon` steps ahead
 */
export function garchForecastVariance(hNext: number, params: Float64Array, horizon: number): number {
  checkParams('garchForecastVariance', params);
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new RangeError(`garchForecastVariance: horizon must be an integer >= 1, got ${horizon}`);
  }
  const omega = params[1];
  const p = params[2] + params[3];
  if (p === 1) return hNext + (horizon - 1) * omega;
  const hBar = omega / (1 - p);
  // Weighted form of h̄ + w·(hNext - h̄), w = p^(horizon-1): exactly hNext at w = 1, h̄ at w = 0.
  const w = Math.pow(p, horizon - 1);
  return w * hNext + (1 - w) * hBar;
}
