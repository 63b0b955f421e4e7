import { describe, expect, it } from 'vitest';
import { createNelderMeadWorkspace, nelderMead } from '../../../native-free-kernels/forecast/minimize.js';

/** Rosenbrock's valley f(x, y) = (1 - x)^2 + 100·(y - x^2)^2, minimum 0 at (1, 1). */
const rosenbrock = (p: Float64Array): number => (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2;

describe('nelderMead', () => {
  it('finds the minimum of a scaled 4-d quadratic bowl', () => {
    // f = Σ w_i (x_i - c_i)^2 + 3 has its minimum 3 at c, by inspection.
    const c = [0.5, -2, 10, 1e-3];
    const w = [1, 10, 0.1, 100];
    const f = (x: Float64Array): number => 3 + x.reduce((s, v, i) => s + w[i] * (v - c[i]) ** 2, 0);
    const ws = createNelderMeadWorkspace(4);
    const out = new Float64Array(4);
    const value = nelderMead(f, new Float64Array(4), 1, 5000, 1e-10, ws, out);
    expect(value - 3).toBeLessThan(1e-12);
    out.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-6));
    expect(ws.iterations).toBeLessThan(5000); // converged, not capped
  });

  it("follows Rosenbrock's curved valley from the classic start (-1.2, 1) to (1, 1)", () => {
    const out = new Float64Array(2);
    const value = nelderMead(rosenbrock, Float64Array.of(-1.2, 1), 0.5, 5000, 1e-12, createNelderMeadWorkspace(2), out);
    expect(value).toBeLessThan(1e-16);
    expect(Math.abs(out[0] - 1)).toBeLessThan(1e-7);
    expect(Math.abs(out[1] - 1)).toBeLessThan(1e-7);
  });

  it('treats NaN as +Infinity and steps back into the domain', () => {
    // f(x) = (x - 2)^2 for x >= 0 and undefined (NaN) below: minimum 0 at 2. The start simplex
    // {-0.5, 0.5} straddles the edge of the domain, with its start point outside it.
    const f = (x: Float64Array): number => (x[0] < 0 ? NaN : (x[0] - 2) ** 2);
    const out = new Float64Array(1);
    const value = nelderMead(f, Float64Array.of(-0.5), 1, 1000, 1e-12, createNelderMeadWorkspace(1), out);
    expect(Math.abs(out[0] - 2)).toBeLessThan(1e-6);
    expect(value).toBeLessThan(1e-12);
  });

  it('stops at maxIter, returns f at the point it reports, and is deterministic', () => {
    const ws = createNelderMeadWorkspace(2);
    const a = new Float64Array(2);
    const fa = nelderMead(rosenbrock, Float64Array.of(-1.2, 1), 0.5, 7, 0, ws, a);
    expect(ws.iterations).toBe(7);
    expect(fa).toBe(rosenbrock(a));
    const b = new Float64Array(2);
    nelderMead(rosenbrock, Float64Array.of(-1.2, 1), 0.5, 7, 0, ws, b);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('does not mutate its start point', () => {
    const x0 = Float64Array.of(-1.2, 1);
    nelderMead(rosenbrock, x0, 0.5, 100, 1e-8, createNelderMeadWorkspace(2), new Float64Array(2));
    expect(Array.from(x0)).toEqual([-1.2, 1]);
  });

  it('rejects short buffers and a non-positive step', () => {
    const ws = createNelderMeadWorkspace(3);
    expect(() => nelderMead(rosenbrock, new Float64Array(2), 1, 10, 0, ws, new Float64Array(3))).toThrow(/need length >= 3/);
    expect(() => nelderMead(rosenbrock, new Float64Array(3), 0, 10, 0, ws, new Float64Array(3))).toThrow(/step > 0/);
    expect(() => createNelderMeadWorkspace(0)).toThrow(/dim must be an integer >= 1/);
  });
});
