/**
 * BFGS quasi-Newton minimisation of a smooth f: R^d -> R with a caller-supplied gradient, for
 * small d (the GARCH fit uses d = 4). Nocedal & Wright, "Numerical Optimization" (2nd ed.),
 * algorithm 6.1: the inverse-Hessian estimate H starts as the identity, scaled after the first step
 * by sᵀy / yᵀy (their eq. 6.20), and takes the BFGS update (eq. 6.17) whenever the curvature sᵀy is
 * positive; the step length comes from backtracking from 1 until the Armijo condition
 * f(x + a·p) <= f(x) + C1·a·gᵀp holds (their algorithm 3.1). A direction that is not one of descent
 * resets H to the identity. A NaN or infinite f at a trial point counts as no decrease, so the
 * search steps back from points where the objective is undefined.
 *
 * A run ends with a `BfgsStatus`:
 * - Converged: every gradient coordinate is within `gtol` of 0;
 * - Precision: the decrease the quadratic model still predicts, -gᵀp / 2 = gᵀHg / 2 (the quasi-Newton
 *   decrement, an estimate of f(x) - min f; Boyd & Vandenberghe, "Convex Optimization", §9.5.1),
 *   is below f's rounding error `frel`·max(1, |f|): no line search could verify a further decrease,
 *   so x is a minimiser as far as f can tell. Without this stop an ill-conditioned problem whose
 *   gradient cannot reach `gtol` would take noise steps until `maxIter`;
 * - MaxIter after `maxIter` iterations;
 * - LineSearch when not even a steepest-descent step of 2^-LINE_SEARCH_HALVINGS decreases f (at the
 *   precision of f this happens only at a stationary point or on an objective that is not smooth);
 * - NonFinite when f or its gradient is not finite at x0.
 *
 * Buffers: `x0` is read only; the workspace is caller-owned, created once per dimension by
 * `createBfgsWorkspace` and reused, so a run allocates nothing; the minimiser goes to `outX`. The
 * objective receives views into the workspace and must not keep them; it writes the gradient into
 * its second argument.
 */

/** f at x, with ∇f(x) written to `outGrad`; x is read only. */
export type ObjectiveWithGradient = (x: Float64Array, outGrad: Float64Array) => number;

/** How a run ended (integer codes; `bfgsStatusText` in the caller's layer words them). */
export const BfgsStatus = { Converged: 0, Precision: 1, MaxIter: 2, LineSearch: 3, NonFinite: 4 } as const;
export type BfgsStatus = (typeof BfgsStatus)[keyof typeof BfgsStatus];

/** Sufficient-decrease constant of the Armijo condition (Nocedal & Wright's usual 1e-4). */
const C1 = 1e-4;
/** Step halvings before a line search gives up: a step of 2^-60 moves no coordinate of order one. */
const LINE_SEARCH_HALVINGS = 60;

/** Scratch for `bfgs` in one dimension; `status` and `iterations` report the last run. */
export interface BfgsWorkspace {
  readonly dim: number;
  /** Inverse-Hessian estimate, dim × dim row-major. */
  readonly H: Float64Array;
  readonly x: Float64Array;
  readonly g: Float64Array;
  readonly p: Float64Array;
  readonly xNew: Float64Array;
  readonly gNew: Float64Array;
  readonly s: Float64Array;
  readonly y: Float64Array;
  /** H·y during the update. */
  readonly Hy: Float64Array;
  status: BfgsStatus;
  iterations: number;
}

/**
 * Allocate the scratch for minimising over `dim` coordinates.
 * @param dim number of coordinates, >= 1
 * @returns a workspace reusable by any number of sequential runs
 */
export function createBfgsWorkspace(dim: number): BfgsWorkspace {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`createBfgsWorkspace: dim must be an integer >= 1, got ${dim}`);
  const vec = () => new Float64Array(dim);
  return {
    dim,
    H: new Float64Array(dim * dim),
    x: vec(),
    g: vec(),
    p: vec(),
    xNew: vec(),
    gNew: vec(),
    s: vec(),
    y: vec(),
    Hy: vec(),
    status: BfgsStatus.NonFinite,
    iterations: 0,
  };
}

function setIdentity(H: Float64Array, d: number, scale: number): void {
  H.fill(0);
  for (let i = 0; i < d; i++) H[i * d + i] = scale;
}

function maxAbs(v: Float64Array, d: number): number {
  let m = 0;
  for (let i = 0; i < d; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

function allFinite(v: Float64Array, d: number): boolean {
  for (let i = 0; i < d; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/** p = −H·g; returns gᵀp. */
function direction(H: Float64Array, g: Float64Array, p: Float64Array, d: number): number {
  let slope = 0;
  for (let i = 0; i < d; i++) {
    let v = 0;
    for (let j = 0; j < d; j++) v -= H[i * d + j] * g[j];
    p[i] = v;
    slope += g[i] * v;
  }
  return slope;
}

/** H ← (I − ρ·s·yᵀ)·H·(I − ρ·y·sᵀ) + ρ·s·sᵀ, ρ = 1 / sᵀy, expanded with H symmetric. */
function updateInverse(H: Float64Array, s: Float64Array, y: Float64Array, sy: number, Hy: Float64Array, d: number): void {
  let yHy = 0;
  for (let i = 0; i < d; i++) {
    let v = 0;
    for (let j = 0; j < d; j++) v += H[i * d + j] * y[j];
    Hy[i] = v;
    yHy += y[i] * v;
  }
  const rho = 1 / sy;
  const ss = rho * (1 + rho * yHy);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) H[i * d + j] += ss * s[i] * s[j] - rho * (Hy[i] * s[j] + s[i] * Hy[j]);
  }
}

/**
 * Minimise `f` from `x0` by BFGS.
 * @param f objective writing its gradient; NaN or ±Infinity counts as no decrease
 * @param x0 start point, length >= ws.dim (read only)
 * @param maxIter iteration cap (each iteration costs one gradient evaluation plus one per halving)
 * @param gtol convergence tolerance on every gradient coordinate, >= 0
 * @param frel relative rounding error of f, >= 0 (see `BfgsStatus.Precision`; 0 turns that stop off)
 * @param ws scratch from `createBfgsWorkspace(dim)`; `ws.status` and `ws.iterations` report the run
 * @param outX receives the last iterate, length >= ws.dim
 * @returns f at `outX`
 */
export function bfgs(
  f: ObjectiveWithGradient,
  x0: Float64Array,
  maxIter: number,
  gtol: number,
  frel: number,
  ws: BfgsWorkspace,
  outX: Float64Array,
): number {
  const d = ws.dim;
  if (x0.length < d || outX.length < d) throw new RangeError(`bfgs: x0 and outX need length >= ${d}, got ${x0.length} and ${outX.length}`);
  if (!(gtol >= 0) || !(frel >= 0) || !(maxIter >= 0)) throw new RangeError(`bfgs: need gtol >= 0, frel >= 0, maxIter >= 0; got ${gtol}, ${frel}, ${maxIter}`);
  const { H, x, g, p, xNew, gNew, s, y, Hy } = ws;
  for (let i = 0; i < d; i++) x[i] = x0[i];
  let fx = f(x, g);
  ws.iterations = 0;
  if (!Number.isFinite(fx) || !allFinite(g, d)) {
    ws.status = BfgsStatus.NonFinite;
    outX.set(x.subarray(0, d));
    return fx;
  }
  setIdentity(H, d, 1);
  // Whether H is still the (unscaled) identity: a failed search from there is final.
  let identity = true;
  let status: BfgsStatus = BfgsStatus.MaxIter;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    if (maxAbs(g, d) <= gtol) {
      status = BfgsStatus.Converged;
      break;
    }
    let slope = direction(H, g, p, d);
    if (!(slope < 0)) {
      setIdentity(H, d, 1);
      identity = true;
      slope = direction(H, g, p, d);
    }
    if (-slope / 2 <= frel * Math.max(1, Math.abs(fx))) {
      status = BfgsStatus.Precision;
      break;
    }
    let step = 1;
    let fNew = NaN;
    let accepted = false;
    for (let k = 0; k <= LINE_SEARCH_HALVINGS; k++, step *= 0.5) {
      for (let i = 0; i < d; i++) xNew[i] = x[i] + step * p[i];
      fNew = f(xNew, gNew);
      if (fNew <= fx + C1 * step * slope && allFinite(gNew, d)) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      if (identity) {
        status = BfgsStatus.LineSearch;
        break;
      }
      // A stale H may point badly; start again from steepest descent.
      setIdentity(H, d, 1);
      identity = true;
      continue;
    }
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < d; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    if (sy > 0) {
      if (identity) setIdentity(H, d, sy / yy);
      updateInverse(H, s, y, sy, Hy, d);
      identity = false;
    }
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
  }
  if (status === BfgsStatus.MaxIter && maxAbs(g, d) <= gtol) status = BfgsStatus.Converged;
  ws.status = status;
  ws.iterations = iter;
  outX.set(x.subarray(0, d));
  return fx;
}
