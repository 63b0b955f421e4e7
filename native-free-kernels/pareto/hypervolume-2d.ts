/**
 * The non-dominated front of two minimised objectives, kept as points arrive, and its hypervolume
 * (the area it dominates up to a reference point): the convergence curve of a search, one point
 * at a time, without re-sorting the population at every step.
 *
 * The front lives in caller-owned arrays `fx`, `fy` (capacity: the points that may arrive), its
 * first `size` entries sorted by x ascending, so y is strictly descending. A point is dominated by
 * a front point q iff q.x <= x and q.y <= y (an equal point adds nothing). Non-finite input is the
 * caller's to leave out. Nothing is allocated.
 */

/**
 * Insert (x, y) into the front of `size` points unless a front point dominates it, removing the
 * points it dominates.
 * @returns the front's new size
 */
export function frontInsert2d(fx: Float64Array, fy: Float64Array, size: number, x: number, y: number): number {
  // pos: the first point with fx > x; the one before it has the smallest y of those with fx <= x.
  let lo = 0, hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fx[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  const pos = lo;
  if (pos > 0 && fy[pos - 1] <= y) return size;
  // The points the new one dominates: fx >= x and fy >= y, a contiguous run from `from` (y descends).
  const from = pos > 0 && fx[pos - 1] === x ? pos - 1 : pos;
  let to = from;
  while (to < size && fy[to] >= y) to++;
  const removed = to - from;
  if (removed !== 1) {
    fx.copyWithin(from + 1, to, size);
    fy.copyWithin(from + 1, to, size);
  }
  fx[from] = x;
  fy[from] = y;
  return size - removed + 1;
}

/**
 * Area dominated by the front's first `size` points and bounded by the reference point (rx, ry):
 * Σ_i (min(x_{i+1}, rx) - x_i) · (ry - y_i) over the points inside the reference box, x_{size} = rx.
 */
export function hypervolume2d(fx: Float64Array, fy: Float64Array, size: number, rx: number, ry: number): number {
  let area = 0;
  for (let i = 0; i < size; i++) {
    const x = fx[i];
    if (x >= rx) break;
    const y = fy[i];
    if (y >= ry) continue;
    const next = i + 1 < size && fx[i + 1] < rx ? fx[i + 1] : rx;
    area += (next - x) * (ry - y);
  }
  return area;
}
