/** Slow reference for native-free-kernels/returns.ts: out[0] = NaN, out[t] = ln(C_t / C_{t-1}) as written. */
export function logReturns(close: Float64Array, out: Float64Array, n: number = close.length): void {
  const c = Array.from(close.subarray(0, n));
  c.forEach((v, t) => {
    out[t] = t === 0 ? NaN : Math.log(v / c[t - 1]);
  });
}
