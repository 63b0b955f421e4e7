/**
 * The baseline search: batches straight from one sampler (random, LHS, Sobol or Halton), ignoring
 * what was learnt. It never finishes by itself; the budget stops it.
 */
import type { Optimizer } from './optimize.js';
import type { Sampler } from './sampler.js';

/**
 * A search that asks `batchSize` sampler points at a time.
 * @param sampler source of points
 * @param batchSize points per ask (fewer when the budget has fewer left)
 * @returns the optimizer
 */
export function createRandomSearch(sampler: Sampler, batchSize: number): Optimizer {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`random search: batchSize must be an integer >= 1, got ${batchSize}`);
  const U = new Float64Array(batchSize * sampler.dims);
  return {
    ask(max) {
      const n = Math.min(batchSize, max);
      sampler.sample(n, U);
      return { U, n, family: 0, arm: 0 };
    },
    tell() {},
  };
}
