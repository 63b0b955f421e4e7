/**
 * Variation of discrete dimensions. An int or categorical parameter decodes from its unit
 * coordinate by floor(u · s) over its s strata (see encoding.ts), so moving a coordinate within a
 * stratum changes nothing and SBX / polynomial steps across strata would impose an order on
 * choices. Instead a discrete dimension is inherited whole from one parent in crossover, and
 * mutation resamples its stratum uniformly (every stratum, the current one included). A resampled
 * coordinate is put at its stratum's centre, safely inside it.
 *
 * `strata` (from `dimensionStrata`) is the per-dimension kind array shared by all operators:
 * 0 = continuous, s >= 1 = discrete with s strata. Continuous dimensions are left alone here.
 */
import type { ParamLayout } from '../../config/param-layout.js';

/**
 * Per dimension of a family's unit cube: 0 for uniform / log_uniform parameters, the number of
 * values for int (high - low + 1) and categorical (choices) ones.
 * @param layout the family's parameter layout (column order = dimension order)
 * @returns strata per dimension (doubles: an int range may hold more than 2^31 values)
 */
export function dimensionStrata(layout: Pick<ParamLayout, 'params'>): Float64Array {
  const out = new Float64Array(layout.params.length);
  layout.params.forEach((p, j) => {
    const s = p.spec;
    out[j] = s.type === 'int' ? s.high - s.low + 1 : s.type === 'categorical' ? s.choices.length : 0;
  });
  return out;
}

/**
 * Uniform crossover of the discrete dimensions of each parent pair (rows 2p, 2p+1): in a mated
 * pair each discrete dimension is exchanged with `variableProbability` (one draw), else copied.
 * @param parents row-major 2·nPairs × d, pairs on consecutive rows
 * @param nPairs number of pairs
 * @param d dimensions
 * @param strata per dimension, 0 = continuous (left alone)
 * @param mated per pair, 1 = cross, 0 = copy
 * @param variableProbability chance that a discrete dimension of a mated pair is exchanged
 * @param rand uniform [0, 1) generator
 * @param outChildren receives the children's discrete dimensions, same shape as parents
 */
export function categoricalCrossover(
  parents: Float64Array,
  nPairs: number,
  d: number,
  strata: Float64Array,
  mated: Uint8Array,
  variableProbability: number,
  rand: () => number,
  outChildren: Float64Array,
): void {
  if (parents.length < 2 * nPairs * d || outChildren.length < 2 * nPairs * d) {
    throw new RangeError(`categoricalCrossover: parents and outChildren need 2*nPairs*d = ${2 * nPairs * d} values`);
  }
  if (strata.length < d || mated.length < nPairs) throw new RangeError('categoricalCrossover: strata needs d entries and mated nPairs');
  for (let p = 0; p < nPairs; p++) {
    const a = 2 * p * d;
    const b = a + d;
    for (let j = 0; j < d; j++) {
      if (strata[j] === 0) continue;
      const exchange = mated[p] !== 0 && rand() < variableProbability;
      outChildren[a + j] = parents[(exchange ? b : a) + j];
      outChildren[b + j] = parents[(exchange ? a : b) + j];
    }
  }
}

/**
 * Resample each discrete coordinate of n rows, in place, with `probability`: one draw to decide,
 * one for the new stratum, in row then dimension order.
 * @param X rows to mutate, row-major n × d
 * @param n number of rows
 * @param d dimensions
 * @param strata per dimension, 0 = continuous (left alone)
 * @param probability chance that a discrete coordinate is resampled
 * @param rand uniform [0, 1) generator
 */
export function categoricalMutation(
  X: Float64Array,
  n: number,
  d: number,
  strata: Float64Array,
  probability: number,
  rand: () => number,
): void {
  if (X.length < n * d) throw new RangeError(`categoricalMutation: X has ${X.length} values, need n*d = ${n * d}`);
  if (strata.length < d) throw new RangeError(`categoricalMutation: strata has ${strata.length} entries, need d = ${d}`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const s = strata[j];
      if (s === 0 || !(rand() < probability)) continue;
      X[i * d + j] = (Math.floor(rand() * s) + 0.5) / s;
    }
  }
}
