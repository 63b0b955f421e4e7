/**
 * Simulated binary crossover (SBX; Deb & Agrawal, "Simulated binary crossover for continuous
 * search space", Complex Systems 9, 1995), in the bounded form of Deb's NSGA-II reference code
 * (and pymoo's `SBX`), on the unit cube [0, 1).
 *
 * Parents come in pairs: rows 2p and 2p+1 of `parents` are pair p, and their children go to the
 * same rows of `outChildren`. Only continuous dimensions (strata[j] = 0) are touched here; the
 * discrete ones belong to `categoricalCrossover`. A pair with mated[p] = 0 is copied. In a mated
 * pair each continuous dimension is crossed with `variableProbability` (when the parents differ),
 * else copied. Draws per crossed dimension: one for the spread, one for which child gets which
 * value; so one `rand` stream gives one result.
 */
import { clampUnit } from '../sampler.js';

/** Parents closer than this are copied: the spread formula divides by their distance. */
const SAME_VALUE = 1e-14;

/**
 * SBX children of each parent pair, continuous dimensions only.
 * @param parents row-major 2·nPairs × d, pairs on consecutive rows
 * @param nPairs number of pairs
 * @param d dimensions
 * @param strata per dimension, 0 = continuous (others are left alone)
 * @param mated per pair, 1 = cross, 0 = copy
 * @param eta distribution index (>= 0): larger keeps children nearer their parents
 * @param variableProbability chance that a continuous dimension of a mated pair is crossed
 * @param rand uniform [0, 1) generator
 * @param outChildren receives the children's continuous dimensions, same shape as parents
 */
export function sbxCrossover(
  parents: Float64Array,
  nPairs: number,
  d: number,
  strata: Float64Array,
  mated: Uint8Array,
  eta: number,
  variableProbability: number,
  rand: () => number,
  outChildren: Float64Array,
): void {
  if (parents.length < 2 * nPairs * d || outChildren.length < 2 * nPairs * d) {
    throw new RangeError(`sbxCrossover: parents and outChildren need 2*nPairs*d = ${2 * nPairs * d} values`);
  }
  if (strata.length < d || mated.length < nPairs) throw new RangeError('sbxCrossover: strata needs d entries and mated nPairs');
  const power = 1 / (eta + 1);
  for (let p = 0; p < nPairs; p++) {
    const a = 2 * p * d;
    const b = a + d;
    for (let j = 0; j < d; j++) {
      if (strata[j] !== 0) continue;
      const x1 = parents[a + j];
      const x2 = parents[b + j];
      if (mated[p] === 0 || !(rand() < variableProbability) || Math.abs(x1 - x2) <= SAME_VALUE) {
        outChildren[a + j] = x1;
        outChildren[b + j] = x2;
        continue;
      }
      const y1 = Math.min(x1, x2);
      const y2 = Math.max(x1, x2);
      const gap = y2 - y1;
      const u = rand();
      // Spread factors bounded so each child stays in [0, 1]: beta from the distance to the near bound.
      const c1 = 0.5 * (y1 + y2 - spread(1 + (2 * y1) / gap, u, eta, power) * gap);
      const c2 = 0.5 * (y1 + y2 + spread(1 + (2 * (1 - y2)) / gap, u, eta, power) * gap);
      const swap = rand() < 0.5;
      outChildren[a + j] = clampUnit(swap ? c2 : c1);
      outChildren[b + j] = clampUnit(swap ? c1 : c2);
    }
  }
}

/** Deb's bounded spread beta_q for bound factor `beta` and uniform draw u. */
function spread(beta: number, u: number, eta: number, power: number): number {
  const alpha = 2 - Math.pow(beta, -(eta + 1));
  return u <= 1 / alpha ? Math.pow(u * alpha, power) : Math.pow(1 / (2 - u * alpha), power);
}
