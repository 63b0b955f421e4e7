import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createMaximinWorkspace, improveMaximin, latinHypercube } from '../../../native-free-kernels/sampling/lhs.js';
import { createRng } from '../../../src/rng.js';

/** True iff every dimension has exactly one point in each stratum [k/n, (k+1)/n). */
function isLatin(points: Float64Array, n: number, d: number): boolean {
  for (let j = 0; j < d; j++) {
    const seen = new Array<boolean>(n).fill(false);
    for (let i = 0; i < n; i++) {
      const v = points[i * d + j];
      let k = Math.floor(v * n);
      // v * n can round across a stratum edge; settle k against the edges as doubles.
      if (k > 0 && v < k / n) k--;
      if (k < n - 1 && v >= (k + 1) / n) k++;
      if (k < 0 || k >= n || !(v >= k / n && v < (k + 1) / n) || seen[k]) return false;
      seen[k] = true;
    }
  }
  return true;
}

/** Smallest pairwise Euclidean distance by brute force (+Infinity below two points). */
function minDistance(points: Float64Array, n: number, d: number): number {
  let best = Infinity;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (points[a * d + c] - points[b * d + c]) ** 2;
      best = Math.min(best, s);
    }
  }
  return Math.sqrt(best);
}

function lhs(n: number, d: number, seed: number): Float64Array {
  const out = new Float64Array(n * d);
  latinHypercube(n, d, createRng(seed, 'lhs'), out);
  return out;
}

const design = fc.record({
  n: fc.integer({ min: 1, max: 200 }),
  d: fc.integer({ min: 1, max: 10 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('latinHypercube', () => {
  it('puts exactly one point in each stratum of every dimension', () => {
    fc.assert(
      fc.property(design, ({ n, d, seed }) => {
        expect(isLatin(lhs(n, d, seed), n, d)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('is reproducible from the seed and differs across seeds', () => {
    expect(lhs(50, 4, 7)).toEqual(lhs(50, 4, 7));
    expect(lhs(50, 4, 7)).not.toEqual(lhs(50, 4, 8));
  });

  it('keeps a point whose jitter rounds onto the stratum edge inside its stratum', () => {
    // n = 3, u just below 1: (2 + u) / 3 rounds to 1.0 in doubles, the upper edge of stratum 2.
    const u = 1 - 2 ** -53;
    expect((2 + u) / 3).toBe(1);
    const out = new Float64Array(3);
    latinHypercube(3, 1, () => u, out);
    expect(isLatin(out, 3, 1)).toBe(true);
  });
});

describe('improveMaximin', () => {
  it('keeps the design Latin and never lowers the minimum distance', () => {
    fc.assert(
      fc.property(design, fc.integer({ min: 0, max: 300 }), ({ n, d, seed }, iterations) => {
        const points = lhs(n, d, seed);
        const before = minDistance(points, n, d);
        const result = improveMaximin(points, n, d, iterations, createRng(seed, 'maximin'), createMaximinWorkspace(n));
        const after = minDistance(points, n, d);
        expect(isLatin(points, n, d)).toBe(true);
        expect(after).toBeGreaterThanOrEqual(before);
        expect(result).toBe(after);
      }),
      { numRuns: 60 },
    );
  });

  it('raises the minimum distance of a small 2-D design and is reproducible', () => {
    const run = (seed: number) => {
      const points = lhs(20, 2, 3);
      improveMaximin(points, 20, 2, 2000, createRng(seed, 'maximin'), createMaximinWorkspace(20));
      return points;
    };
    const start = lhs(20, 2, 3);
    expect(minDistance(run(1), 20, 2)).toBeGreaterThan(minDistance(start, 20, 2));
    expect(run(1)).toEqual(run(1));
  });

  it('rejects a workspace that is too small', () => {
    expect(() => improveMaximin(new Float64Array(10), 5, 2, 1, Math.random, createMaximinWorkspace(4))).toThrow(
      /workspace is for 4 points/,
    );
  });
});
