/**
 * Slow reference for the window sums that native-free-kernels/stats/prefix-sum.ts serves from
 * prefix columns: each window summed afresh, oldest first, from plain arrays.
 */

/** x[from] + ... + x[to], summed oldest first; 0 for an empty range. */
export function rangeSum(x: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i <= to; i++) sum += x[i];
  return sum;
}
