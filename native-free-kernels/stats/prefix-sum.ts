/**
 * Compensated prefix sums: out[0] = 0, out[t + 1] = x[0] + ... + x[t] (Neumaier summation, so each
 * prefix is within about one ulp of the exact sum). Any window mean is then
 * (out[t + 1] - out[t + 1 - n]) / n in O(1), shared by every candidate that reads the series.
 * `out` must have length >= n + 1; it is owned by the caller.
 */
export function prefixSums(x: Float64Array, out: Float64Array, n = x.length): void {
  compensatedPrefix(x, 0, n, out, 0);
}

/**
 * out[i + o] = x[from] + ... + x[i - 1] for i in [from, to], compensated (Neumaier); with `lo`,
 * also the part of the compensated sum that rounding `out` dropped (exactly: |comp| <= |sum| when
 * x >= 0), so out + lo is that sum to about u^2 of it, not u.
 */
function compensatedPrefix(x: Float64Array, from: number, to: number, out: Float64Array, o: number, lo: Float64Array | null = null): void {
  let sum = 0;
  let comp = 0;
  out[from + o] = 0;
  if (lo !== null) lo[from + o] = 0;
  for (let t = from; t < to; t++) {
    const v = x[t];
    const s = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s + v : v - s + sum;
    sum = s;
    const hi = sum + comp;
    out[t + 1 + o] = hi;
    if (lo !== null) lo[t + 1 + o] = sum - hi + comp;
  }
}

/**
 * Block-local prefix sums (`localPrefixSums`) of the simple returns r_t = x[t] / x[t - 1] - 1
 * (r_0 counted as 0), of r_t^2 and of min(r_t, 0)^2. Outputs (length >= localPrefixLength(n)) are
 * caller-owned; `scratch` (length >= n) holds the terms.
 */
export function localReturnPrefixes(x: Float64Array, outRet: Float64Array, outRet2: Float64Array, outDown2: Float64Array, scratch: Float64Array, n = x.length): void {
  for (let t = 0; t < n; t++) scratch[t] = simpleReturn(x, t);
  localPrefixSums(scratch, outRet, n);
  for (let t = 0; t < n; t++) scratch[t] = simpleReturn(x, t) ** 2;
  localPrefixSums(scratch, outRet2, n);
  for (let t = 0; t < n; t++) scratch[t] = Math.min(simpleReturn(x, t), 0) ** 2;
  localPrefixSums(scratch, outDown2, n);
}

function simpleReturn(x: Float64Array, t: number): number {
  return t > 0 ? x[t] / x[t - 1] - 1 : 0;
}

/** Block length (2^LOCAL_BLOCK_BITS) and reach back before the block of `localPrefixSums`. */
export const LOCAL_BLOCK_BITS = 11;
export const LOCAL_BLOCK = 1 << LOCAL_BLOCK_BITS;
export const LOCAL_REACH = 512;
const LOCAL_STRIDE = LOCAL_BLOCK + LOCAL_REACH + 1;

/** Length of the block-local prefix column of n values. */
export function localPrefixLength(n: number): number {
  return Math.ceil(n / LOCAL_BLOCK) * LOCAL_STRIDE;
}

/** Offset of bar t's block in the block-local prefix column (see `localPrefixSums`). */
export function localPrefixOffset(t: number): number {
  return (t >> LOCAL_BLOCK_BITS) * (LOCAL_REACH + 1) + LOCAL_REACH;
}

/**
 * Block-local prefix sums: a window sum taken as a difference of prefix sums is off by a few ulps
 * of the prefixes, and a prefix from the start of the series carries every earlier value (one
 * huge price, or a price that has fallen by orders of magnitude since). Here each block of
 * LOCAL_BLOCK bars has its own compensated prefix, started LOCAL_REACH bars before the block, so a
 * window of up to LOCAL_REACH + 1 bars ending in the block is a difference of two of its entries
 * and feels only values at most LOCAL_BLOCK + LOCAL_REACH bars older than its end.
 *
 * Layout: for t in block b = t >> LOCAL_BLOCK_BITS, `out[i + localPrefixOffset(t)]` is
 * x[b LOCAL_BLOCK - LOCAL_REACH] + ... + x[i - 1] for the prefix index i in
 * [max(0, b LOCAL_BLOCK - LOCAL_REACH), min(n, (b + 1) LOCAL_BLOCK)]; so the window x[t-w+1..t]
 * (w <= LOCAL_REACH + 1) sums to out[t + 1 + o] - out[t + 1 - w + o] with o = localPrefixOffset(t).
 * `out` (length >= localPrefixLength(n)) is caller-owned; entries before the series stay as given.
 * `lo`, when given (same length and layout; x >= 0), receives what rounding each entry dropped.
 */
export function localPrefixSums(x: Float64Array, out: Float64Array, n = x.length, lo: Float64Array | null = null): void {
  for (let b = 0; b * LOCAL_BLOCK < n; b++) {
    compensatedPrefix(x, Math.max(0, b * LOCAL_BLOCK - LOCAL_REACH), Math.min(n, (b + 1) * LOCAL_BLOCK), out, localPrefixOffset(b * LOCAL_BLOCK), lo);
  }
}
