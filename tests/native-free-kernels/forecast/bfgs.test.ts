import { describe, expect, it } from 'vitest';
import { bfgs, BfgsStatus, createBfgsWorkspace, type ObjectiveWithGradient } from '../../../native-free-kernels/forecast/bfgs.js';

/** Rosenbrock's valley, minimum 0 at (1, 1): curved and badly scaled, the usual test of a quasi-Newton method. */
const rosenbrock: ObjectiveWithGradient = (x, g) => {
  const a = 1 - x[0];
  const b = x[1] - x[0] * x[0];
  g[0] = -2 * a - 400 * x[0] * b;
  g[1] = 200 * b;
  return a * a + 100 * b * b;
};

/** ½(x − c)ᵀA(x − c) with A = diag(1, 10, 100, 1000): condition number 1000, minimiser c. */
const c = [0.3, -2, 5, 1e-3];
const quadratic: ObjectiveWithGradient = (x, g) => {
  let f = 0;
  for (let i = 0; i < 4; i++) {
    const a = 10 ** i;
    g[i] = a * (x[i] - c[i]);
    f += 0.5 * a * (x[i] - c[i]) ** 2;
  }
  return f;
};

describe('bfgs', () => {
  it('finds the minimum of Rosenbrock from (-1.2, 1) to the gradient tolerance', () => {
    const ws = createBfgsWorkspace(2);
    const x = new Float64Array(2);
    const f = bfgs(rosenbrock, Float64Array.of(-1.2, 1), 500, 1e-10, 0, ws, x);
    expect(ws.status).toBe(BfgsStatus.Converged);
    // |g| <= 1e-10 with a Hessian whose smallest eigenvalue is ~0.4 puts x within ~1e-9 of (1, 1).
    expect(Math.abs(x[0] - 1)).toBeLessThan(1e-8);
    expect(Math.abs(x[1] - 1)).toBeLessThan(1e-8);
    expect(f).toBeLessThan(1e-16);
  });

  it('solves an ill-conditioned quadratic and returns f at the point it returns', () => {
    const ws = createBfgsWorkspace(4);
    const x = new Float64Array(4);
    const f = bfgs(quadratic, new Float64Array(4), 200, 1e-12, 0, ws, x);
    expect(ws.status).toBe(BfgsStatus.Converged);
    // Gradient a_i·(x_i - c_i) <= 1e-12 with a_i >= 1.
    for (let i = 0; i < 4; i++) expect(Math.abs(x[i] - c[i])).toBeLessThanOrEqual(1e-12);
    expect(f).toBe(quadratic(x, new Float64Array(4)));
  });

  it('steps back from points where f is undefined (NaN) and still converges', () => {
    // f = x − ln x, minimum at 1, NaN for x < 0: from 20 the curvature 1/x² is small, so the
    // quasi-Newton steps overshoot below 0 and the line search has to halve its way back.
    const f: ObjectiveWithGradient = (x, g) => {
      g[0] = 1 - 1 / x[0];
      return x[0] - Math.log(x[0]);
    };
    const ws = createBfgsWorkspace(1);
    const x = new Float64Array(1);
    bfgs(f, Float64Array.of(20), 100, 1e-12, 0, ws, x);
    expect(ws.status).toBe(BfgsStatus.Converged);
    expect(Math.abs(x[0] - 1)).toBeLessThan(1e-11);
  });

  it('stops with Precision when the predicted decrease falls below the rounding error of f', () => {
    // gtol 0 cannot be reached; frel 1e-12 stops once ½gᵀHg <= 1e-12·max(1, f), i.e. f − min f ~ 1e-12,
    // so each coordinate is within sqrt(2e-12 / a_i) <= 1.5e-6 of the minimiser.
    const ws = createBfgsWorkspace(4);
    const x = new Float64Array(4);
    bfgs(quadratic, new Float64Array(4), 200, 0, 1e-12, ws, x);
    expect(ws.status).toBe(BfgsStatus.Precision);
    for (let i = 0; i < 4; i++) expect(Math.abs(x[i] - c[i])).toBeLessThan(1.5e-6);
  });

  it('reports MaxIter, NonFinite at the start, and leaves x0 alone', () => {
    const ws = createBfgsWorkspace(2);
    const x0 = Float64Array.of(-1.2, 1);
    const x = new Float64Array(2);
    bfgs(rosenbrock, x0, 3, 1e-10, 0, ws, x);
    expect(ws.status).toBe(BfgsStatus.MaxIter);
    expect(ws.iterations).toBe(3);
    expect(Array.from(x0)).toEqual([-1.2, 1]);
    bfgs((_, g) => (g.fill(0), NaN), x0, 10, 1e-10, 0, ws, x);
    expect(ws.status).toBe(BfgsStatus.NonFinite);
    expect(() => bfgs(rosenbrock, x0, 10, -1, 0, ws, x)).toThrow(/gtol >= 0/);
  });

  it('is deterministic: a reused workspace gives the same point bit for bit', () => {
    const ws = createBfgsWorkspace(2);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    bfgs(rosenbrock, Float64Array.of(-1.2, 1), 500, 1e-10, 0, ws, a);
    bfgs(quadratic, new Float64Array(4), 5, 0, 0, createBfgsWorkspace(4), new Float64Array(4));
    bfgs(rosenbrock, Float64Array.of(-1.2, 1), 500, 1e-10, 0, ws, b);
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
