/**
 * `frontInsert2d` / `hypervolume2d` against a hand derivation and, on generated point sets, against
 * an obviously correct twin: the front by pairwise dominance and the dominated area as the union
 * of the points' boxes, summed cell by cell over the grid of their coordinates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frontInsert2d, hypervolume2d } from '../../../native-free-kernels/pareto/hypervolume-2d.js';

/** Insert every point in order; the front as [x, y] pairs. */
function build(points: readonly (readonly [number, number])[]): { front: [number, number][]; fx: Float64Array; fy: Float64Array; size: number } {
  const fx = new Float64Array(points.length);
  const fy = new Float64Array(points.length);
  let size = 0;
  for (const [x, y] of points) size = frontInsert2d(fx, fy, size, x, y);
  return { front: Array.from({ length: size }, (_, i): [number, number] => [fx[i], fy[i]]), fx, fy, size };
}

/** The non-dominated distinct points, sorted by x. */
function naiveFront(points: readonly (readonly [number, number])[]): [number, number][] {
  const distinct = [...new Map(points.map((p) => [`${p[0]},${p[1]}`, p])).values()];
  const dominated = (p: readonly number[], q: readonly number[]) => q[0] <= p[0] && q[1] <= p[1] && (q[0] < p[0] || q[1] < p[1]);
  return distinct.filter((p) => !distinct.some((q) => dominated(p, q))).map((p): [number, number] => [p[0], p[1]]).sort((a, b) => a[0] - b[0]);
}

/** Area of the union of boxes [x, rx] x [y, ry], cell by cell over the grid of the coordinates. */
function naiveArea(points: readonly (readonly [number, number])[], rx: number, ry: number): number {
  const xs = [...new Set([...points.map((p) => p[0]), rx])].filter((x) => x <= rx).sort((a, b) => a - b);
  const ys = [...new Set([...points.map((p) => p[1]), ry])].filter((y) => y <= ry).sort((a, b) => a - b);
  let area = 0;
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      if (points.some((p) => p[0] <= xs[i] && p[1] <= ys[j])) area += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
    }
  }
  return area;
}

describe('frontInsert2d and hypervolume2d', () => {
  it('match a hand derivation', () => {
    // Points in order: (2,2); (1,3) joins; (3,1) joins; (2,3) is dominated by (2,2); (1,1) dominates all three.
    // Front before (1,1): (1,3) (2,2) (3,1); area to (4,4): strips x 1..2 at height 4-3 = 1, 2..3 at 2, 3..4 at 3: 1 + 2 + 3 = 6.
    const first = build([[2, 2], [1, 3], [3, 1], [2, 3]]);
    expect(first.front).toEqual([[1, 3], [2, 2], [3, 1]]);
    expect(hypervolume2d(first.fx, first.fy, first.size, 4, 4)).toBe(6);
    const all = build([[2, 2], [1, 3], [3, 1], [2, 3], [1, 1]]);
    expect(all.front).toEqual([[1, 1]]);
    // (4 - 1) x (4 - 1) = 9; a point on or past the reference adds nothing.
    expect(hypervolume2d(all.fx, all.fy, all.size, 4, 4)).toBe(9);
    expect(hypervolume2d(all.fx, all.fy, all.size, 1, 4)).toBe(0);
  });

  it('keep the non-dominated front and its area, whatever the order of arrival', () => {
    const point = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }));
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 40 }), (points) => {
        const { front, fx, fy, size } = build(points);
        expect(front).toEqual(naiveFront(points));
        expect(hypervolume2d(fx, fy, size, 12, 12)).toBe(naiveArea(points, 12, 12));
        expect(hypervolume2d(fx, fy, size, 6, 9)).toBe(naiveArea(points, 6, 9));
      }),
    );
  });
});
