/**
 * Slow reference for the GARCH(1,1) evaluators in native-free-kernels/forecast/garch.ts, from the model
 * equations with plain arrays: h_start = Σ(r - r̄)^2 / (T - 1), h_t = ω + α·e_{t-1}^2 + β·h_{t-1},
 * LL = -1/2·Σ(ln 2π + ln h_t + e_t^2 / h_t) summed term by term. The forecast iterates the
 * expectation E[h_{k+1}] = ω + (α + β)·E[h_k] instead of using the closed form. There is no
 * reference for the fit (an optimiser); tests/kernels/garch.test.ts checks it by simulation.
 */

function variances(r: Float64Array, start: number, end: number, params: Float64Array): { e: number[]; h: number[] } {
  const [mu, omega, alpha, beta] = params;
  const x = Array.from(r.subarray(start, end));
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const h = [x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1)];
  const e = x.map((v) => v - mu);
  for (let i = 1; i <= x.length; i++) h.push(omega + alpha * e[i - 1] ** 2 + beta * h[i - 1]);
  return { e, h };
}

/** Gaussian GARCH(1,1) log-likelihood of r[start..end). */
export function garchLogLikelihood(r: Float64Array, start: number, end: number, params: Float64Array): number {
  const { e, h } = variances(r, start, end, params);
  return e.reduce((ll, et, i) => ll - 0.5 * (Math.log(2 * Math.PI) + Math.log(h[i]) + (et * et) / h[i]), 0);
}

/** outVar[t] = h_t on [start, end); returns h_end. */
export function garchFilter(r: Float64Array, start: number, end: number, params: Float64Array, outVar: Float64Array): number {
  const { h } = variances(r, start, end, params);
  for (let t = start; t < end; t++) outVar[t] = h[t - start];
  return h[end - start];
}

/** E[h_{t+horizon}] by iterating E[h_{k+1}] = ω + (α + β)·E[h_k] from hNext. */
export function garchForecastVariance(hNext: number, params: Float64Array, horizon: number): number {
  const [, omega, alpha, beta] = params;
  let h = hNext;
  for (let k = 1; k < horizon; k++) h = omega + (alpha + beta) * h;
  return h;
}
