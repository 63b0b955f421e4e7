/**
 * Slow reference for the Residual-initialised GARCH(1,1) of native-free-kernels/forecast/garch.ts
 * (`garchLogLikelihood` / `garchFilter` with `GarchInit.Residual`, `garchScore`, `garchFitPositive`),
 * written from the model equations of Fiorentini, Calzolari & Panattoni (1996) with plain arrays and
 * importing nothing from the code it checks:
 *
 *   e_t = r_t - mu,  s² = (1/T)·Σ e_t²,  e_0² = h_0 = s²,  h_t = omega + alpha·e_{t-1}² + beta·h_{t-1}
 *   LL = Σ_t -1/2·(ln 2π + ln h_t + e_t² / h_t),  t = 1..T
 *
 * The score is a central finite difference of that LL. The fit is a different optimiser from the
 * kernel's: a textbook Nelder-Mead on the raw parameters (restarted until it stops improving),
 * then Newton steps on finite-difference derivatives, which converge quadratically from there.
 */

type Params = readonly [mu: number, omega: number, alpha: number, beta: number];

const NM_ITERATIONS = 600;
const NM_RESTARTS = 4;

/** h_1..h_{T+1} for r (the last is the next-step variance). */
export function variances(r: ArrayLike<number>, p: Params): number[] {
  const [mu, omega, alpha, beta] = p;
  const e = Array.from(r, (x) => x - mu);
  const s2 = e.reduce((a, x) => a + x * x, 0) / e.length;
  const h = [omega + alpha * s2 + beta * s2];
  for (let t = 0; t < e.length; t++) h.push(omega + alpha * e[t] ** 2 + beta * h[t]);
  return h;
}

export function logLikelihood(r: ArrayLike<number>, p: Params): number {
  const h = variances(r, p);
  let ll = 0;
  for (let t = 0; t < r.length; t++) ll -= 0.5 * (Math.log(2 * Math.PI) + Math.log(h[t]) + (r[t] - p[0]) ** 2 / h[t]);
  return ll;
}

/** Each parameter's scale: the standard deviation of r for mu, the value itself for the others. */
function scales(r: ArrayLike<number>, p: Params): number[] {
  const x = Array.from(r);
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const sd = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length);
  return [sd, Math.abs(p[1]), Math.abs(p[2]), Math.abs(p[3])];
}

/** Central-difference gradient of `logLikelihood`, each step `rel` times the parameter's scale. */
export function numericScore(r: ArrayLike<number>, p: Params, rel = 1e-6): number[] {
  const scale = scales(r, p);
  return p.map((_, i) => {
    const step = rel * scale[i];
    const up = [...p] as [number, number, number, number];
    const down = [...p] as [number, number, number, number];
    up[i] += step;
    down[i] -= step;
    return (logLikelihood(r, up) - logLikelihood(r, down)) / (2 * step);
  });
}

/** -LL, or +Infinity outside omega, alpha, beta > 0 (or where LL is not finite). */
function penalised(r: ArrayLike<number>, p: Params): number {
  if (!(p[1] > 0 && p[2] > 0 && p[3] > 0)) return Infinity;
  const ll = logLikelihood(r, p);
  return Number.isFinite(ll) ? -ll : Infinity;
}

function nelderMead(f: (x: number[]) => number, x0: number[], steps: number[], iterations: number): { x: number[]; f: number } {
  const d = x0.length;
  let simplex = [x0, ...steps.map((s, i) => x0.map((v, j) => (j === i ? v + s : v)))].map((x) => ({ x, f: f(x) }));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.f - b.f);
    const worst = simplex[d];
    const centroid = x0.map((_, j) => simplex.slice(0, d).reduce((a, v) => a + v.x[j], 0) / d);
    const at = (c: number) => centroid.map((v, j) => v + c * (v - worst.x[j]));
    const refl = { x: at(1), f: 0 };
    refl.f = f(refl.x);
    if (refl.f < simplex[0].f) {
      const exp = { x: at(2), f: 0 };
      exp.f = f(exp.x);
      simplex[d] = exp.f < refl.f ? exp : refl;
    } else if (refl.f < simplex[d - 1].f) {
      simplex[d] = refl;
    } else {
      const con = { x: at(refl.f < worst.f ? 0.5 : -0.5), f: 0 };
      con.f = f(con.x);
      if (con.f < Math.min(refl.f, worst.f)) simplex[d] = con;
      else simplex = simplex.map((v, i) => (i === 0 ? v : { x: v.x.map((xj, j) => simplex[0].x[j] + 0.5 * (xj - simplex[0].x[j])), f: 0 })).map((v, i) => (i === 0 ? v : { x: v.x, f: f(v.x) }));
    }
  }
  simplex.sort((a, b) => a.f - b.f);
  return simplex[0];
}

/** Solve A·x = b (small, dense) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    const piv = M.slice(c).reduce((best, row, k) => (Math.abs(row[c]) > Math.abs(M[best][c]) ? c + k : best), c);
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let i = c + 1; i < n; i++) {
      const m = M[i][c] / M[c][c];
      for (let j = c; j <= n; j++) M[i][j] -= m * M[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) x[i] = (M[i][n] - M[i].slice(i + 1, n).reduce((a, v, k) => a + v * x[i + 1 + k], 0)) / M[i][i];
  return x;
}

/**
 * The maximum-likelihood parameters under omega, alpha, beta > 0, with its LL.
 * @param start where the Nelder-Mead begins: e.g. [mean, 0.1·variance, 0.1, 0.8]
 */
export function fit(r: ArrayLike<number>, start: Params): { params: Params; loglik: number } {
  const f = (x: number[]) => penalised(r, x as unknown as Params);
  // Nelder-Mead only has to come near the maximum (Newton finishes); a restart unsticks a collapsed simplex.
  let best = { x: [...start], f: f([...start]) };
  for (let restart = 0; restart < NM_RESTARTS; restart++) {
    const next = nelderMead(f, best.x, scales(r, best.x as unknown as Params).map((v) => 0.1 * v), NM_ITERATIONS);
    if (!(next.f < best.f - 1e-6)) break;
    best = next;
  }
  // Newton on the score: the finite-difference Hessian is the Jacobian of `numericScore`.
  let p = best.x as unknown as [number, number, number, number];
  for (let k = 0; k < 20; k++) {
    const g = numericScore(r, p);
    const scale = scales(r, p);
    const H = p.map((_, i) => {
      const step = 1e-4 * scale[i];
      const up = [...p] as [number, number, number, number];
      const down = [...p] as [number, number, number, number];
      up[i] += step;
      down[i] -= step;
      const gu = numericScore(r, up);
      const gd = numericScore(r, down);
      return gu.map((v, j) => (v - gd[j]) / (2 * step));
    });
    const delta = solve(H, g.map((v) => -v));
    const q = p.map((v, i) => v + delta[i]) as [number, number, number, number];
    if (!(penalised(r, q) <= penalised(r, p))) break;
    const small = delta.every((d, i) => Math.abs(d) <= 1e-12 * scale[i]);
    p = q;
    if (small) break;
  }
  return { params: p, loglik: logLikelihood(r, p) };
}

/**
 * T values of a GARCH(1,1) path: e_t = sqrt(h_t)·z_t with z_t from `normal`, h_t by the recursion
 * from the unconditional variance (or omega / 1e-3 when alpha + beta >= 1), after `burn` discarded steps.
 */
export function simulate(T: number, p: Params, normal: () => number, burn: number): Float64Array {
  const [mu, omega, alpha, beta] = p;
  const persistence = alpha + beta;
  let h = omega / (persistence < 1 ? 1 - persistence : 1e-3);
  const r = new Float64Array(T);
  for (let t = 0; t < burn + T; t++) {
    const e = Math.sqrt(h) * normal();
    if (t >= burn) r[t - burn] = mu + e;
    h = omega + alpha * e * e + beta * h;
  }
  return r;
}
