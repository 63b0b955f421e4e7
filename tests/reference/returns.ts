/**
 * Slow reference for native-free-kernels/stats/returns.ts by the other route to the same value:
 * out[0] = NaN, out[t] = ln C_t - ln C_{t-1}, over a plain array.
 */
export function logReturns(close: Float64Array, out: Float64Array, n: number = close.length): void {
  const logs = Array.from(close.subarray(0, n), Math.log);
  logs.forEach((v, t) => {
    out[t] = t === 0 ? NaN : v - logs[t - 1];
  });
}
