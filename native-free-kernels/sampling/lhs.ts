/**
 * Latin hypercube sampling of the unit hypercube, and a maximin improvement that keeps it Latin.
 *
 * Points are row-major n × d Float64Arrays in [0, 1). Latin: in every dimension, each stratum
 * [k/n, (k+1)/n), k = 0..n-1, holds exactly one point. Randomness comes only from the `rand`
 * argument (uniform [0, 1)), consumed in a fixed order, so one stream gives one design.
 * `out` / `points` and the workspace are the caller's.
 */

/**
 * Fill `out` with a random Latin hypercube: per dimension a random permutation of the strata, each
 * point uniform inside its stratum. Draws per dimension: n - 1 for the shuffle, then n jitters.
 * @param n number of points
 * @param d number of dimensions
 * @param rand uniform [0, 1) generator
 * @param out receives the points, row-major n × d (length >= n*d)
 */
export function latinHypercube(n: number, d: number, rand: () => number, out: Float64Array): void {
  checkSize('latinHypercube', n, d, out.length);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) out[i * d + j] = i;
    // Fisher-Yates over the column, in place
    for (let i = n - 1; i > 0; i--) {
      const r = Math.floor(rand() * (i + 1));
      const t = out[i * d + j];
      out[i * d + j] = out[r * d + j];
      out[r * d + j] = t;
    }
    for (let i = 0; i < n; i++) {
      const k = out[i * d + j];
      const v = (k + rand()) / n;
      // k + u can round up to k + 1 when u is within an ulp of 1; keep the point in its stratum.
      out[i * d + j] = v < (k + 1) / n ? v : k / n;
    }
  }
}

/** Scratch for `improveMaximin`, sized for up to maxN points. */
export interface MaximinWorkspace {
  readonly maxN: number;
  /** Squared distance from each point to its nearest neighbour. */
  readonly nearest: Float64Array;
  /** Squared distances from the two swap partners to every point, before and after the swap. */
  readonly oldI: Float64Array;
  readonly newI: Float64Array;
  readonly oldJ: Float64Array;
  readonly newJ: Float64Array;
}

/**
 * Allocate the scratch for `improveMaximin` on up to `maxN` points.
 * @param maxN largest number of points
 * @returns a reusable workspace
 */
export function createMaximinWorkspace(maxN: number): MaximinWorkspace {
  if (!Number.isInteger(maxN) || maxN < 0) {
    throw new RangeError(`createMaximinWorkspace: maxN must be an integer >= 0, got ${maxN}`);
  }
  return {
    maxN,
    nearest: new Float64Array(maxN),
    oldI: new Float64Array(maxN),
    newI: new Float64Array(maxN),
    oldJ: new Float64Array(maxN),
    newJ: new Float64Array(maxN),
  };
}

/**
 * Improve a Latin design in place by swapping one coordinate between two points (which keeps
 * every column a permutation of its values, hence Latin). Each iteration picks a point i in a
 * closest pair, a random partner j and dimension k (3 draws) and keeps the swap only if no
 * distance from i or j drops below the current minimum and the number of closest pairs touching
 * i or j falls; so (min distance, -closest pairs) only improves and the minimum never decreases.
 * Distances are Euclidean, each squared distance summed over dimensions in order 0..d-1.
 * @param points design to improve in place, row-major n × d
 * @param n number of points
 * @param d number of dimensions
 * @param iterations number of swap attempts
 * @param rand uniform [0, 1) generator
 * @param ws workspace from `createMaximinWorkspace` with maxN >= n
 * @returns the final minimum pairwise distance (+Infinity when n < 2)
 */
export function improveMaximin(
  points: Float64Array,
  n: number,
  d: number,
  iterations: number,
  rand: () => number,
  ws: MaximinWorkspace,
): number {
  checkSize('improveMaximin', n, d, points.length);
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new RangeError(`improveMaximin: iterations must be an integer >= 0, got ${iterations}`);
  }
  if (n > ws.maxN) throw new RangeError(`improveMaximin: workspace is for ${ws.maxN} points, got ${n}; create a larger one`);
  if (n < 2 || d === 0) return n < 2 ? Infinity : 0;
  const { nearest, oldI, newI, oldJ, newJ } = ws;
  nearest.fill(Infinity, 0, n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const s = squaredDistance(points, d, a, b, -1, 0);
      if (s < nearest[a]) nearest[a] = s;
      if (s < nearest[b]) nearest[b] = s;
    }
  }
  let dmin = minOf(nearest, n);

  for (let it = 0; it < iterations; it++) {
    const start = Math.floor(rand() * n);
    let i = start;
    while (nearest[i] !== dmin) i = i + 1 === n ? 0 : i + 1;
    let j = Math.floor(rand() * (n - 1));
    if (j >= i) j++;
    const k = Math.floor(rand() * d);
    const xi = points[i * d + k];
    const xj = points[j * d + k];
    // The i-j distance is unchanged by swapping their k-th coordinates, so it is left out.
    let oldCritical = 0;
    let newCritical = 0;
    let newMin = Infinity;
    for (let l = 0; l < n; l++) {
      if (l === i || l === j) continue;
      const oi = squaredDistance(points, d, i, l, -1, 0);
      const oj = squaredDistance(points, d, j, l, -1, 0);
      const ni = squaredDistance(points, d, i, l, k, xj);
      const nj = squaredDistance(points, d, j, l, k, xi);
      oldI[l] = oi;
      oldJ[l] = oj;
      newI[l] = ni;
      newJ[l] = nj;
      if (oi === dmin) oldCritical++;
      if (oj === dmin) oldCritical++;
      if (ni === dmin) newCritical++;
      if (nj === dmin) newCritical++;
      if (ni < newMin) newMin = ni;
      if (nj < newMin) newMin = nj;
    }
    if (newMin < dmin || newCritical >= oldCritical) continue;

    points[i * d + k] = xj;
    points[j * d + k] = xi;
    const dij = squaredDistance(points, d, i, j, -1, 0);
    let nearestI = dij;
    let nearestJ = dij;
    for (let l = 0; l < n; l++) {
      if (l === i || l === j) continue;
      if (newI[l] < nearestI) nearestI = newI[l];
      if (newJ[l] < nearestJ) nearestJ = newJ[l];
      // A point whose nearest neighbour was i or j and moved away needs a fresh scan.
      const lostNearest =
        (oldI[l] === nearest[l] && newI[l] > oldI[l]) || (oldJ[l] === nearest[l] && newJ[l] > oldJ[l]);
      if (lostNearest) nearest[l] = nearestOf(points, n, d, l);
      else nearest[l] = Math.min(nearest[l], newI[l], newJ[l]);
    }
    nearest[i] = nearestI;
    nearest[j] = nearestJ;
    dmin = minOf(nearest, n);
  }
  return Math.sqrt(dmin);
}

/** Squared distance between points a and b, with a's coordinate `k` replaced by `v` (k = -1: none). */
function squaredDistance(points: Float64Array, d: number, a: number, b: number, k: number, v: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const diff = (c === k ? v : points[a * d + c]) - points[b * d + c];
    s += diff * diff;
  }
  return s;
}

function nearestOf(points: Float64Array, n: number, d: number, l: number): number {
  let best = Infinity;
  for (let b = 0; b < n; b++) {
    if (b === l) continue;
    const s = squaredDistance(points, d, l, b, -1, 0);
    if (s < best) best = s;
  }
  return best;
}

function minOf(a: Float64Array, n: number): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) if (a[i] < best) best = a[i];
  return best;
}

function checkSize(name: string, n: number, d: number, length: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name}: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`${name}: d must be an integer >= 0, got ${d}`);
  if (length < n * d) throw new RangeError(`${name}: buffer has ${length} values, need n*d = ${n * d}`);
}
