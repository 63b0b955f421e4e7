/**
 * Float64 columns over `SharedArrayBuffer`, so worker threads read market data without a copy.
 */

/** A zero-filled `Float64Array` of `n` elements backed by a new `SharedArrayBuffer`. */
export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * Float64Array.BYTES_PER_ELEMENT));
}

/** A copy of `a` in shared memory. */
export function toShared(a: ArrayLike<number>): Float64Array {
  const out = sharedFloat64(a.length);
  out.set(a);
  return out;
}
