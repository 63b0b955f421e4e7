/**
 * Nelder-Mead simplex minimisation of f: R^d -> R, derivative-free, for small d (the GARCH fit
 * uses d = 4).
 *
 * Standard coefficients (reflection 1, expansion 2, contraction 1/2, shrink 1/2) as in Nelder &
 * Mead (1965) and scipy's `minimize(method='Nelder-Mead')` without its adaptive variant. The start
 * simplex is x0 plus x0 + step·e_i for each axis i. A run stops after `maxIter` iterations or
 * when every vertex is within `tol` of the best vertex both in f and in each coordinate (scipy's
 * `fatol`/`xatol` with one value). A NaN from f counts as +Infinity, so a simplex steps away from
 * points where the objective is undefined.
 *
 * Buffers: `x0` is read only; the workspace (simplex, values, trial points) is caller-owned,
 * created once per dimension by `createNelderMeadWorkspace` and reused, so a run allocates
 * nothing; the minimiser goes to the caller's `outX`. The objective receives views into the
 * workspace and must not keep or write them.
 */

/** An objective over a point it may read but not write or keep. */
export type Objective = (x: Float64Array) => number;

/** Scratch for `nelderMead` in one dimension; `iterations` reports the last run. */
export interface NelderMeadWorkspace {
  readonly dim: number;
  /** (dim + 1) × dim, row-major: vertex i at [i·dim, (i + 1)·dim). */
  readonly simplex: Float64Array;
  /** f at each vertex. */
  readonly values: Float64Array;
  /** Views of the simplex rows, made once so evaluating a vertex allocates nothing. */
  readonly vertices: readonly Float64Array[];
  readonly centroid: Float64Array;
  readonly reflected: Float64Array;
  readonly trial: Float64Array;
  /** Iterations used by the last run. */
  iterations: number;
}

const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

/**
 * Allocate the scratch for minimising over `dim` coordinates.
 * @param dim number of coordinates, >= 1
 * @returns a workspace reusable by any number of sequential runs
 */
export function createNelderMeadWorkspace(dim: number): NelderMeadWorkspace {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(`createNelderMeadWorkspace: dim must be an integer >= 1, got ${dim}`);
  }
  const simplex = new Float64Array((dim + 1) * dim);
  const vertices: Float64Array[] = [];
  for (let i = 0; i <= dim; i++) vertices.push(simplex.subarray(i * dim, (i + 1) * dim));
  return {
    dim,
    simplex,
    values: new Float64Array(dim + 1),
    vertices,
    centroid: new Float64Array(dim),
    reflected: new Float64Array(dim),
    trial: new Float64Array(dim),
    iterations: 0,
  };
}

/** f(x) with NaN mapped to +Infinity so that comparisons order it last. */
function evaluate(f: Objective, x: Float64Array): number {
  const v = f(x);
  return v === v ? v : Infinity;
}

/** out = c + coef·(c - p), the point on the line from vertex p through the centroid c. */
function along(c: Float64Array, p: Float64Array, coef: number, out: Float64Array, d: number): void {
  for (let j = 0; j < d; j++) out[j] = c[j] + coef * (c[j] - p[j]);
}

/**
 * Minimise `f` from `x0` by Nelder-Mead.
 * @param f objective; NaN is treated as +Infinity
 * @param x0 start point, length >= ws.dim (read only)
 * @param step edge length of the start simplex along each axis, > 0
 * @param maxIter iteration cap (each iteration costs 1-2 evaluations, or dim + 2 on a shrink)
 * @param tol absolute convergence tolerance on the f spread and on each coordinate's spread
 * @param ws scratch from `createNelderMeadWorkspace(dim)`
 * @param outX receives the best vertex, length >= ws.dim
 * @returns f at `outX` (+Infinity when f was NaN or +Infinity everywhere it looked)
 */
export function nelderMead(
  f: Objective,
  x0: Float64Array,
  step: number,
  maxIter: number,
  tol: number,
  ws: NelderMeadWorkspace,
  outX: Float64Array,
): number {
  const d = ws.dim;
  if (x0.length < d || outX.length < d) {
    throw new RangeError(`nelderMead: x0 and outX need length >= ${d}, got ${x0.length} and ${outX.length}`);
  }
  if (!(step > 0) || !(tol >= 0) || !(maxIter >= 0)) {
    throw new RangeError(`nelderMead: need step > 0, tol >= 0, maxIter >= 0; got ${step}, ${tol}, ${maxIter}`);
  }
  const { simplex, values, vertices, centroid, reflected, trial } = ws;

  for (let i = 0; i <= d; i++) {
    const row = vertices[i];
    for (let j = 0; j < d; j++) row[j] = x0[j];
    if (i > 0) row[i - 1] += step;
    values[i] = evaluate(f, row);
  }

  let best = 0;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    // Best, worst and second-worst vertex by one scan (no sort: d is small and only these matter).
    best = 0;
    let worst = 0;
    for (let i = 1; i <= d; i++) {
      if (values[i] < values[best]) best = i;
      if (values[i] > values[worst]) worst = i;
    }
    if (worst === best) worst = best === 0 ? 1 : 0;
    let second = best;
    for (let i = 0; i <= d; i++) {
      if (i !== worst && values[i] >= values[second]) second = i;
    }

    let spreadF = 0;
    let spreadX = 0;
    const bestRow = best * d;
    for (let i = 0; i <= d; i++) {
      spreadF = Math.max(spreadF, Math.abs(values[i] - values[best]));
      for (let j = 0; j < d; j++) spreadX = Math.max(spreadX, Math.abs(simplex[i * d + j] - simplex[bestRow + j]));
    }
    // `!(spreadF > tol)`: an all-Infinity simplex has spread NaN; it then shrinks until spreadX <= tol.
    if (!(spreadF > tol) && spreadX <= tol) break;

    centroid.fill(0);
    for (let i = 0; i <= d; i++) {
      if (i === worst) continue;
      for (let j = 0; j < d; j++) centroid[j] += simplex[i * d + j];
    }
    for (let j = 0; j < d; j++) centroid[j] /= d;

    const w = vertices[worst];
    along(centroid, w, REFLECT, reflected, d);
    const fr = evaluate(f, reflected);
    if (fr < values[best]) {
      along(centroid, w, EXPAND, trial, d);
      const fe = evaluate(f, trial);
      if (fe < fr) {
        w.set(trial);
        values[worst] = fe;
      } else {
        w.set(reflected);
        values[worst] = fr;
      }
      continue;
    }
    if (fr < values[second]) {
      w.set(reflected);
      values[worst] = fr;
      continue;
    }
    // Contract towards the better of the reflected point (outside) and the worst vertex (inside).
    const outside = fr < values[worst];
    along(centroid, outside ? reflected : w, -CONTRACT, trial, d);
    const fc = evaluate(f, trial);
    if (outside ? fc <= fr : fc < values[worst]) {
      w.set(trial);
      values[worst] = fc;
      continue;
    }
    for (let i = 0; i <= d; i++) {
      if (i === best) continue;
      const row = vertices[i];
      for (let j = 0; j < d; j++) row[j] = simplex[bestRow + j] + SHRINK * (row[j] - simplex[bestRow + j]);
      values[i] = evaluate(f, row);
    }
  }

  // The loop may end on an update, so pick the best vertex afresh.
  best = 0;
  for (let i = 1; i <= d; i++) if (values[i] < values[best]) best = i;
  outX.set(vertices[best]);
  ws.iterations = iter;
  return values[best];
}
