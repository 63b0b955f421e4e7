/**
 * Sobol low-discrepancy points in the unit hypercube (Bratley & Fox, ACM TOMS 14(1), 1988,
 * Gray-code order; direction numbers from Joe & Kuo, see sobol-directions.ts), 32-bit resolution.
 *
 * Indexing: point 0 is the origin, as in Joe & Kuo's and SciPy's generators; `skip` drops the
 * first `skip` points (skip = 1 drops the origin). Unscrambled, dimension 1 runs 0, 1/2, 3/4, 1/4,
 * 3/8, 7/8, 5/8, 1/8, ... and dimension 2 runs 0, 1/2, 1/4, 3/4, 3/8, 7/8, 1/8, 5/8, ...
 *
 * Scrambling is a random digital shift: each dimension's 32-bit integers are XORed with one random
 * 32-bit word (d draws from `rand`, in dimension order). It keeps the (t, m, s)-net structure, so
 * every 2^k-aligned block of 2^k points still has one point in each interval [c/2^k, (c+1)/2^k)
 * of every dimension. (Owen's nested scrambling is not implemented.)
 *
 * Output: row-major n × d in [0, 1), into the caller's `out`. A call allocates only the d × 32
 * direction words and 2d state and shift words.
 */
import { JOE_KUO_DIRECTIONS, SOBOL_MAX_DIMENSION } from './sobol-directions.js';

/** Bits per coordinate; also the largest point index is 2^BITS - 1. */
const BITS = 32;
const TWO_POW_BITS = 2 ** BITS;

/**
 * Fill `out` with points skip..skip+n-1 of the d-dimensional Sobol sequence.
 * @param n number of points
 * @param d number of dimensions, 1..SOBOL_MAX_DIMENSION
 * @param skip number of leading points to drop (0 keeps the origin)
 * @param scramble apply a random digital shift drawn from `rand`
 * @param rand uniform [0, 1) generator (unused when scramble is false)
 * @param out receives the points, row-major n × d (length >= n*d)
 */
export function sobol(
  n: number,
  d: number,
  skip: number,
  scramble: boolean,
  rand: () => number,
  out: Float64Array,
): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sobol: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(d) || d < 1 || d > SOBOL_MAX_DIMENSION) {
    throw new RangeError(
      `sobol: d = ${d} is outside 1..${SOBOL_MAX_DIMENSION}, the dimensions covered by the bundled Joe-Kuo direction numbers`,
    );
  }
  if (!Number.isInteger(skip) || skip < 0 || skip + n > TWO_POW_BITS) {
    throw new RangeError(`sobol: skip = ${skip} with n = ${n} runs past point 2^${BITS} - 1`);
  }
  if (out.length < n * d) throw new RangeError(`sobol: out has ${out.length} values, need n*d = ${n * d}`);

  const V = directionWords(d);
  const x = new Uint32Array(d);
  const shift = new Uint32Array(d);
  if (scramble) for (let t = 0; t < d; t++) shift[t] = Math.floor(rand() * TWO_POW_BITS);

  // Point i is the XOR of the direction words selected by the bits of gray(i) = i ^ (i >> 1).
  const gray = (skip ^ (skip >>> 1)) >>> 0;
  for (let b = 0; b < BITS; b++) {
    if ((gray >>> b) & 1) for (let t = 0; t < d; t++) x[t] ^= V[t * BITS + b];
  }
  for (let p = 0; p < n; p++) {
    if (p > 0) {
      // gray(i) and gray(i-1) differ only in bit ctz(i)
      const i = skip + p;
      const c = 31 - Math.clz32(i & -i);
      for (let t = 0; t < d; t++) x[t] ^= V[t * BITS + c];
    }
    for (let t = 0; t < d; t++) out[p * d + t] = ((x[t] ^ shift[t]) >>> 0) / TWO_POW_BITS;
  }
}

/** Direction words v_{t,b} = m_{b+1} / 2^{b+1} as 32-bit fractions, row t = dimension t + 1. */
function directionWords(d: number): Uint32Array {
  const V = new Uint32Array(d * BITS);
  for (let b = 0; b < BITS; b++) V[b] = 2 ** (BITS - 1 - b);
  for (let t = 1; t < d; t++) {
    const row = JOE_KUO_DIRECTIONS[t - 1];
    const s = row[1];
    const a = row[2];
    const o = t * BITS;
    for (let b = 0; b < s; b++) V[o + b] = row[3 + b] * 2 ** (BITS - 1 - b);
    // Bratley-Fox recurrence: v_b = v_{b-s} ^ (v_{b-s} >> s) ^ XOR_{r=1..s-1} a_r v_{b-r}
    for (let b = s; b < BITS; b++) {
      let v = V[o + b - s] ^ (V[o + b - s] >>> s);
      for (let r = 1; r < s; r++) if ((a >>> (s - 1 - r)) & 1) v ^= V[o + b - r];
      V[o + b] = v;
    }
  }
  return V;
}
