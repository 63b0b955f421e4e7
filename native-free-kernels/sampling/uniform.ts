/**
 * Plain uniform random points in the unit hypercube: the baseline sampler the quasi-random ones
 * are compared with. Output is row-major n × d in [0, 1), into the caller's `out`; draws come
 * from `rand` in output order.
 */

/**
 * Fill `out` with n × d independent uniform [0, 1) draws.
 * @param n number of points
 * @param d number of dimensions
 * @param rand uniform [0, 1) generator
 * @param out receives the points, row-major n × d (length >= n*d)
 */
export function uniformRandom(n: number, d: number, rand: () => number, out: Float64Array): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`uniformRandom: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`uniformRandom: d must be an integer >= 0, got ${d}`);
  if (out.length < n * d) throw new RangeError(`uniformRandom: out has ${out.length} values, need n*d = ${n * d}`);
  const len = n * d;
  for (let i = 0; i < len; i++) out[i] = rand();
}
