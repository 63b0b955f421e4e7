/**
 * Halton low-discrepancy points in the unit hypercube: dimension t is the radical inverse of the
 * point index in the t-th prime base (2, 3, 5, 7, ...).
 *
 * Indexing: point 0 is the origin, as in sobol.ts; `skip` drops the first `skip` points. Base 2
 * runs 0, 1/2, 1/4, 3/4, 1/8, ...; base 3 runs 0, 1/3, 2/3, 1/9, 4/9, 7/9, ...
 *
 * Scrambling: every digit position k of every dimension gets its own random permutation of the
 * digits 0..b-1 (Fisher-Yates from `rand`, dimension by dimension, position by position), applied
 * to all K digits of the index including its leading zeros, with K the largest count such that
 * b^K <= 2^53. The value is then sum_k perm_k(digit_k) b^(K-k) / b^K: an exact integer over
 * b^K, so it stays below 1. Each digit map is a bijection, so as unscrambled, the first b^k
 * points hold one point in each interval [c/b^k, (c+1)/b^k).
 *
 * Output: row-major n × d in [0, 1), into the caller's `out`. A call allocates the d primes and,
 * when scrambling, one permutation table reused across dimensions.
 */

/** Radical inverses are exact integer ratios while the denominator stays within doubles' 53 bits. */
const EXACT_INTEGER_LIMIT = 2 ** 53;

/**
 * Fill `out` with points skip..skip+n-1 of the d-dimensional Halton sequence.
 * @param n number of points
 * @param d number of dimensions
 * @param skip number of leading points to drop (0 keeps the origin)
 * @param scramble apply random digit permutations drawn from `rand`
 * @param rand uniform [0, 1) generator (unused when scramble is false)
 * @param out receives the points, row-major n × d (length >= n*d)
 */
export function halton(
  n: number,
  d: number,
  skip: number,
  scramble: boolean,
  rand: () => number,
  out: Float64Array,
): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`halton: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`halton: d must be an integer >= 0, got ${d}`);
  if (!Number.isInteger(skip) || skip < 0) throw new RangeError(`halton: skip must be an integer >= 0, got ${skip}`);
  if (out.length < n * d) throw new RangeError(`halton: out has ${out.length} values, need n*d = ${n * d}`);
  if (n === 0 || d === 0) return;
  const primes = firstPrimes(d);
  const last = skip + n - 1;
  let tableSize = 0;
  for (let t = 0; t < d; t++) {
    const b = primes[t];
    const K = digitCount(b);
    if (last >= powInt(b, K)) throw new RangeError(`halton: point index ${last} has more than the ${K} base-${b} digits supported`);
    tableSize = Math.max(tableSize, K * b);
  }
  const perm = scramble ? new Int32Array(tableSize) : undefined;

  for (let t = 0; t < d; t++) {
    const b = primes[t];
    if (perm === undefined) {
      for (let p = 0; p < n; p++) {
        let idx = skip + p;
        let r = 0;
        let denom = 1;
        while (idx > 0) {
          const digit = idx % b;
          idx = (idx - digit) / b;
          r = r * b + digit;
          denom *= b;
        }
        out[p * d + t] = r / denom;
      }
      continue;
    }
    const K = digitCount(b);
    for (let k = 0; k < K; k++) {
      const o = k * b;
      for (let c = 0; c < b; c++) perm[o + c] = c;
      for (let c = b - 1; c > 0; c--) {
        const s = Math.floor(rand() * (c + 1));
        const tmp = perm[o + c];
        perm[o + c] = perm[o + s];
        perm[o + s] = tmp;
      }
    }
    const denom = powInt(b, K);
    for (let p = 0; p < n; p++) {
      let idx = skip + p;
      let r = 0;
      for (let k = 0; k < K; k++) {
        const digit = idx % b;
        idx = (idx - digit) / b;
        r = r * b + perm[k * b + digit];
      }
      out[p * d + t] = r / denom;
    }
  }
}

/** Largest K with b^K <= 2^53. */
function digitCount(b: number): number {
  let K = 0;
  for (let q = b; q <= EXACT_INTEGER_LIMIT; q *= b) K++;
  return K;
}

/** b^K by repeated multiplication, exact below 2^53 (unlike Math.pow, which need not be). */
function powInt(b: number, K: number): number {
  let q = 1;
  for (let k = 0; k < K; k++) q *= b;
  return q;
}

function firstPrimes(d: number): Int32Array {
  const primes = new Int32Array(d);
  let count = 0;
  for (let c = 2; count < d; c++) {
    let prime = true;
    for (let i = 0; i < count && primes[i] * primes[i] <= c; i++) {
      if (c % primes[i] === 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes[count++] = c;
  }
  return primes;
}
