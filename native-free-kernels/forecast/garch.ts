/**
 * GARCH(1,1) with constant mean and normal innovations, on a sub-range [start, end) of a returns
 * series so that a rolling refit reads the data in place.
 *
 *   r_t = mu + e_t,  e_t ~ N(0, h_t),  h_t = omega + alpha·e_{t-1}^2 + beta·h_{t-1}
 *   LL  = -1/2 · Σ_{t=start}^{end-1} (ln 2π + ln h_t + e_t^2 / h_t)
 *
 * Parameters are packed as [mu, omega, alpha, beta]. Two initialisations (`GarchInit`), T = end - start:
 * - SampleVariance (the default; the forecast columns use it): h_start is the sample variance of
 *   r[start..end) with ddof = 1, Σ(r_t - r̄)^2 / (T - 1); it does not depend on the parameters.
 * - Residual: the pre-sample e_{start-1}^2 and h_{start-1} are both the sample variance of the
 *   residuals s^2 = Σ(r_t - mu)^2 / T, so h_start = omega + (alpha + beta)·s^2. This is the
 *   convention of the GARCH(1,1) benchmark (Fiorentini, Calzolari & Panattoni 1996, J. Applied
 *   Econometrics 11; McCullough & Renfro 1999, J. Economic and Social Measurement 25) and of
 *   R's fGarch; `garchFitPositive` and `garchScore` use it.
 * (The `arch` package backcasts instead, so its likelihoods differ slightly in the first bars.)
 *
 * Two fits: `garchFit` keeps the parameters stationary by construction (Nelder-Mead over a
 * reparameterisation, SampleVariance start); `garchFitPositive` imposes only omega, alpha, beta > 0
 * (BFGS with the analytic score, Residual start), so that a non-stationary maximum shows as
 * alpha + beta >= 1 instead of being pressed against the boundary.
 *
 * Input contract: 0 <= start, start + 2 <= end <= r.length; params.length >= 4. Returns are
 * expected finite: a NaN in the range makes the likelihood and the filtered variances NaN, and
 * `garchFit` rejects it. The likelihood and filter evaluate any parameters they are given; outside
 * omega > 0, alpha >= 0, beta >= 0 a variance can turn non-positive and the likelihood NaN.
 *
 * Buffers: `r` and `params` are read only; `outVar`, `outGrad` and `outParams` are caller-owned.
 * The fits work in a `GarchWorkspace` made once by `createGarchWorkspace()` and reused across fits
 * (one fit at a time per workspace); a fit allocates nothing. The optional `init` argument comes
 * last, after the outputs, so that the callers written before it keep their calls.
 */
import { bfgs, BfgsStatus, createBfgsWorkspace, type BfgsWorkspace } from './bfgs.js';
import { createNelderMeadWorkspace, nelderMead, type NelderMeadWorkspace } from './minimize.js';

/** Where the variance recursion starts; see the file header. */
export const GarchInit = { SampleVariance: 0, Residual: 1 } as const;
export type GarchInit = (typeof GarchInit)[keyof typeof GarchInit];

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

/** Scratch for `garchFit` and `garchFitPositive`; its fields are internal but `status`. */
export interface GarchWorkspace {
  readonly nm: NelderMeadWorkspace;
  readonly bfgs: BfgsWorkspace;
  /** ∂LL/∂[mu, omega, alpha, beta] at `params`. */
  readonly score: Float64Array;
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
  /** Mean negative log-likelihood per observation at an unconstrained point (`garchFit`). */
  readonly objective: (theta: Float64Array) => number;
  /** The same for `garchFitPositive`, with its gradient in theta. */
  readonly objectiveWithGradient: (theta: Float64Array, outGrad: Float64Array) => number;
  /** How the optimiser's run that `garchFitPositive` returned ended: a maximum when `garchConverged(status)`. */
  status: BfgsStatus;
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

/** Σ(r_t - mu)^2 / T over r[start..end): the Residual initialisation's s^2. */
function residualVariance(r: Float64Array, start: number, end: number, mu: number): number {
  let ss = 0;
  for (let t = start; t < end; t++) {
    const e = r[t] - mu;
    ss += e * e;
  }
  return ss / (end - start);
}

/** h_start under `init`. */
function initialVariance(init: GarchInit, r: Float64Array, start: number, end: number, params: Float64Array): number {
  if (init === GarchInit.SampleVariance) return sampleVariance(r, start, end, sampleMean(r, start, end));
  return params[1] + (params[2] + params[3]) * residualVariance(r, start, end, params[0]);
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
 * LL under the Residual initialisation and its gradient, by differentiating the recursion:
 * ∂h_{t+1} = [-2·alpha·e_t, 1, e_t^2, h_t] + beta·∂h_t (in mu, omega, alpha, beta), from
 * ∂h_start = [(alpha + beta)·∂s^2/∂mu, 1, s^2, s^2] with ∂s^2/∂mu = -2·Σ(r_t - mu) / T; and
 * ∂ℓ_t = -1/2·(1 - e_t^2 / h_t) / h_t · ∂h_t, plus e_t / h_t in mu.
 */
function residualScore(r: Float64Array, start: number, end: number, params: Float64Array, outGrad: Float64Array): number {
  const mu = params[0], omega = params[1], alpha = params[2], beta = params[3];
  const T = end - start;
  let sum = 0;
  let ss = 0;
  for (let t = start; t < end; t++) {
    const e = r[t] - mu;
    sum += e;
    ss += e * e;
  }
  const s2 = ss / T;
  let h = omega + (alpha + beta) * s2;
  let dMu = (alpha + beta) * (-2 * sum / T), dOmega = 1, dAlpha = s2, dBeta = s2;
  let acc = 0, gMu = 0, gOmega = 0, gAlpha = 0, gBeta = 0;
  for (let t = start; t < end; t++) {
    const e = r[t] - mu;
    const e2 = e * e;
    acc += Math.log(h) + e2 / h;
    const c = (1 - e2 / h) / h;
    gMu += c * dMu - (2 * e) / h;
    gOmega += c * dOmega;
    gAlpha += c * dAlpha;
    gBeta += c * dBeta;
    dMu = -2 * alpha * e + beta * dMu;
    dOmega = 1 + beta * dOmega;
    dAlpha = e2 + beta * dAlpha;
    dBeta = h + beta * dBeta;
    h = omega + alpha * e2 + beta * h;
  }
  outGrad[0] = -0.5 * gMu;
  outGrad[1] = -0.5 * gOmega;
  outGrad[2] = -0.5 * gAlpha;
  outGrad[3] = -0.5 * gBeta;
  return -0.5 * (T * LN_2PI + acc);
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
 * `garchFitPositive`'s coordinates: mu = mean + θ0·sd, omega = variance·exp(θ1), alpha = exp(θ2),
 * beta = exp(θ3): positive, any persistence, and each coordinate of order one.
 */
function positiveToParams(theta: Float64Array, mean: number, variance: number, out: Float64Array): void {
  out[0] = mean + theta[0] * Math.sqrt(variance);
  out[1] = variance * Math.exp(theta[1]);
  out[2] = Math.exp(theta[2]);
  out[3] = Math.exp(theta[3]);
}

/**
 * Allocate the scratch for `garchFit` (once per thread; reuse it for every fit).
 * @returns a workspace for sequential fits
 */
export function createGarchWorkspace(): GarchWorkspace {
  const ws: GarchWorkspace = {
    nm: createNelderMeadWorkspace(4),
    bfgs: createBfgsWorkspace(4),
    score: new Float64Array(4),
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
    objectiveWithGradient: (theta, outGrad) => {
      const p = ws.params;
      const g = ws.score;
      positiveToParams(theta, ws.mean, ws.variance, p);
      const T = ws.end - ws.start;
      const ll = residualScore(ws.r, ws.start, ws.end, p, g);
      // Chain rule through positiveToParams, for -LL / T.
      outGrad[0] = (-g[0] * Math.sqrt(ws.variance)) / T;
      outGrad[1] = (-g[1] * p[1]) / T;
      outGrad[2] = (-g[2] * p[2]) / T;
      outGrad[3] = (-g[3] * p[3]) / T;
      return -ll / T;
    },
    status: BfgsStatus.NonFinite,
  };
  return ws;
}

/**
 * Gaussian log-likelihood of r[start..end) under GARCH(1,1).
 * @param r returns series (read only)
 * @param start first bar of the range
 * @param end one past the last bar, end - start >= 2
 * @param params [mu, omega, alpha, beta] (read only)
 * @param init where the variance recursion starts (default: the sample variance, ddof 1)
 * @returns LL, NaN when a variance is non-positive or the range holds NaN
 */
export function garchLogLikelihood(r: Float64Array, start: number, end: number, params: Float64Array, init: GarchInit = GarchInit.SampleVariance): number {
  checkRange('garchLogLikelihood', r, start, end);
  checkParams('garchLogLikelihood', params);
  const h0 = initialVariance(init, r, start, end, params);
  return logLikelihood(r, start, end, params[0], params[1], params[2], params[3], h0);
}

/**
 * Score (gradient of the log-likelihood) of r[start..end) under the Residual initialisation.
 * @param r returns series (read only)
 * @param start first bar of the range
 * @param end one past the last bar, end - start >= 2
 * @param params [mu, omega, alpha, beta] (read only)
 * @param outGrad receives ∂LL/∂[mu, omega, alpha, beta], length >= 4
 * @returns LL, equal to garchLogLikelihood(r, start, end, params, GarchInit.Residual) up to rounding
 */
export function garchScore(r: Float64Array, start: number, end: number, params: Float64Array, outGrad: Float64Array): number {
  checkRange('garchScore', r, start, end);
  checkParams('garchScore', params);
  if (outGrad.length < 4) throw new RangeError(`garchScore: outGrad needs length >= 4, got ${outGrad.length}`);
  return residualScore(r, start, end, params, outGrad);
}

/** Check a fit's inputs and load the series' range, mean and variance into `ws`; a series without a finite positive variance is a RangeError naming `name`. */
function prepareFit(name: string, r: Float64Array, start: number, end: number, ws: GarchWorkspace, outParams: Float64Array): { mean: number; variance: number } {
  checkRange(name, r, start, end);
  checkParams(name, outParams);
  const mean = sampleMean(r, start, end);
  const variance = sampleVariance(r, start, end, mean);
  if (!(variance > 0 && variance < Infinity)) {
    throw new RangeError(`${name}: r[${start}..${end}) must be finite with positive sample variance, got variance ${variance}`);
  }
  ws.r = r;
  ws.start = start;
  ws.end = end;
  ws.mean = mean;
  ws.variance = variance;
  return { mean, variance };
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
  const { mean, variance } = prepareFit('garchFit', r, start, end, ws, outParams);

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

/** Whether a `garchFitPositive` run that ended with `status` reached a maximum (to `tol`, or as far as the likelihood's rounding tells). */
export function garchConverged(status: BfgsStatus): boolean {
  return status === BfgsStatus.Converged || status === BfgsStatus.Precision;
}

/**
 * Maximum-likelihood GARCH(1,1) on r[start..end) under omega, alpha, beta > 0 only (stationarity is
 * not imposed: check alpha + beta < 1), Residual initialisation, by BFGS with the analytic score
 * (`positiveToParams` coordinates) from each of the `FIT_START_*` points; the best run wins, and
 * `garchConverged(ws.status)` tells whether it reached a maximum. Deterministic: the same data
 * gives the same parameters, bit for bit.
 * @param r returns series (read only)
 * @param start first bar of the range
 * @param end one past the last bar, end - start >= 2
 * @param maxIter BFGS iteration cap per run
 * @param tol convergence tolerance on each coordinate of the gradient of the mean negative LL per
 *   bar, in the `positiveToParams` coordinates (mu in sample sds, the others in logs)
 * @param ws scratch from `createGarchWorkspace()`
 * @param outParams receives [mu, omega, alpha, beta], length >= 4
 * @returns the maximised log-likelihood, equal to garchLogLikelihood(r, start, end, outParams, GarchInit.Residual)
 */
export function garchFitPositive(
  r: Float64Array,
  start: number,
  end: number,
  maxIter: number,
  tol: number,
  ws: GarchWorkspace,
  outParams: Float64Array,
): number {
  const { mean, variance } = prepareFit('garchFitPositive', r, start, end, ws, outParams);

  // The objective is a mean of T terms: its rounding error grows like sqrt(T) ulps (a random walk).
  const fRel = Math.sqrt(end - start) * Number.EPSILON;
  const { theta, candidate, best } = ws;
  let bestValue = Infinity;
  let bestStatus: BfgsStatus = BfgsStatus.NonFinite;
  for (let i = 0; i < FIT_START_PERSISTENCE.length; i++) {
    const p = FIT_START_PERSISTENCE[i];
    const share = FIT_START_SHARE[i];
    // The unconditional variance starts at the sample variance: omega = variance·(1 - p).
    theta[0] = 0;
    theta[1] = Math.log(1 - p);
    theta[2] = Math.log(p * share);
    theta[3] = Math.log(p * (1 - share));
    const value = bfgs(ws.objectiveWithGradient, theta, maxIter, tol, fRel, ws.bfgs, candidate);
    if (value < bestValue) {
      bestValue = value;
      bestStatus = ws.bfgs.status;
      best.set(candidate);
    }
  }
  ws.status = bestStatus;
  positiveToParams(best, mean, variance, outParams);
  ws.r = EMPTY;
  const h0 = initialVariance(GarchInit.Residual, r, start, end, outParams);
  return logLikelihood(r, start, end, outParams[0], outParams[1], outParams[2], outParams[3], h0);
}

/**
 * Conditional variances h_t of r[start..end) under `params`.
 * @param r returns series (read only)
 * @param start first bar of the range
 * @param end one past the last bar, end - start >= 2
 * @param params [mu, omega, alpha, beta] (read only)
 * @param outVar caller-owned, length >= end; outVar[t] = h_t for t in [start, end), rest untouched
 * @param init where the variance recursion starts (default: the sample variance, ddof 1)
 * @returns h_end, the one-step-ahead variance forecast given r up to end - 1
 */
export function garchFilter(
  r: Float64Array,
  start: number,
  end: number,
  params: Float64Array,
  outVar: Float64Array,
  init: GarchInit = GarchInit.SampleVariance,
): number {
  checkRange('garchFilter', r, start, end);
  checkParams('garchFilter', params);
  if (outVar.length < end) throw new RangeError(`garchFilter: outVar.length must be >= end = ${end}, got ${outVar.length}`);
  const mu = params[0], omega = params[1], alpha = params[2], beta = params[3];
  let h = initialVariance(init, r, start, end, params);
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
