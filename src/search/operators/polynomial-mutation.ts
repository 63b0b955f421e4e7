/**
 * Polynomial mutation (Deb & Goyal, "A combined genetic adaptive search (GeneAS) for engineering
 * design", Computer Science and Informatics 26, 1996), in the bounded form of Deb's NSGA-II
 * reference code (and pymoo's `PM`), on the unit cube [0, 1).
 *
 * Mutates X in place (the caller's children). Only continuous dimensions (strata[j] = 0) are
 * touched; discrete ones belong to `categoricalMutation`. Each continuous coordinate mutates with
 * `probability`: one draw to decide, one for the perturbation, in row then dimension order.
 */
import { clampUnit } from '../sampler.js';

/**
 * Polynomial mutation of the continuous dimensions of n rows, in place.
 * @param X rows to mutate, row-major n × d, coordinates in [0, 1)
 * @param n number of rows
 * @param d dimensions
 * @param strata per dimension, 0 = continuous (others are left alone)
 * @param eta distribution index (>= 0): larger keeps mutants nearer the original
 * @param probability chance that a continuous coordinate mutates
 * @param rand uniform [0, 1) generator
 */
export function polynomialMutation(
  X: Float64Array,
  n: number,
  d: number,
  strata: Float64Array,
  eta: number,
  probability: number,
  rand: () => number,
): void {
  if (X.length < n * d) throw new RangeError(`polynomialMutation: X has ${X.length} values, need n*d = ${n * d}`);
  if (strata.length < d) throw new RangeError(`polynomialMutation: strata has ${strata.length} entries, need d = ${d}`);
  const power = 1 / (eta + 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      if (strata[j] !== 0 || !(rand() < probability)) continue;
      const y = X[i * d + j];
      const u = rand();
      // The perturbation's reach shrinks toward the near bound, so the mutant stays in [0, 1].
      let delta: number;
      if (u < 0.5) {
        const v = 2 * u + (1 - 2 * u) * Math.pow(1 - y, eta + 1);
        delta = Math.pow(v, power) - 1;
      } else {
        const v = 2 * (1 - u) + 2 * (u - 0.5) * Math.pow(y, eta + 1);
        delta = 1 - Math.pow(v, power);
      }
      X[i * d + j] = clampUnit(y + delta);
    }
  }
}
