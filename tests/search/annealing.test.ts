import { describe, expect, it } from 'vitest';
import { standardNormal } from '../../native-free-kernels/stats/normal.js';
import { foldUnit, temperatureAt } from '../../src/search/annealing.js';
import { runSearch, type EvaluateFn, type SearchResult } from '../../src/search/optimize.js';
import { createRng } from '../../src/rng.js';
import { UNIT_TOP } from '../../src/search/sampler.js';
import { testSettings } from '../helpers/optimizer-settings.js';

describe('temperatureAt', () => {
  it('runs from T0 at step 1 to T_final at the last step', () => {
    // Geometric, 1 → 0.01 over 3 steps: ratio (0.01 / 1)^(1/2) = 0.1 per step: 1, 0.1, 0.01.
    expect(temperatureAt('geometric', 1, 0.01, 3, 1)).toBe(1);
    expect(temperatureAt('geometric', 1, 0.01, 3, 2)).toBeCloseTo(0.1, 15);
    expect(temperatureAt('geometric', 1, 0.01, 3, 3)).toBeCloseTo(0.01, 15);
    // Linear: 1, (1 + 0.01) / 2 = 0.505, 0.01.
    expect(temperatureAt('linear', 1, 0.01, 3, 2)).toBeCloseTo(0.505, 15);
    expect(temperatureAt('linear', 1, 0.01, 3, 3)).toBeCloseTo(0.01, 15);
    // A one-step schedule stays at T0.
    expect(temperatureAt('geometric', 2, 0.5, 1, 1)).toBe(2);
  });
});

describe('foldUnit', () => {
  it('reflects at 0 and 1, as often as needed, and stays below 1', () => {
    expect(foldUnit(0.3)).toBe(0.3);
    expect(foldUnit(1.25)).toBe(0.75);
    expect(foldUnit(-0.25)).toBe(0.25);
    // -1.5 reflects at 0 to 1.5, then at 1 to 0.5; 2.5 reflects at 1 to -0.5, then at 0 to 0.5.
    expect(foldUnit(-1.5)).toBe(0.5);
    expect(foldUnit(2.5)).toBe(0.5);
    expect(foldUnit(1)).toBe(UNIT_TOP);
  });
});

describe('standardNormal', () => {
  it('has mean 0 and variance 1', () => {
    const rand = createRng(1, 'normal');
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = standardNormal(rand);
      s += z;
      s2 += z * z;
    }
    // Standard errors: mean 1/sqrt(n) ≈ 0.0032, variance sqrt(2/n) ≈ 0.0045; allow 5 of each.
    expect(Math.abs(s / n)).toBeLessThan(0.016);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.023);
  });
});

/** Rastrigin in 5-D on [-5.12, 5.12]^5: 10·5 + Σ (x² - 10 cos 2πx); global minimum 0 at 0, a local minimum near every integer point. */
const D = 5;
const rastrigin: EvaluateFn = async (U, n) => {
  const F = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let f = 10 * D;
    for (let j = 0; j < D; j++) {
      const x = -5.12 + 10.24 * U[i * D + j];
      f += x * x - 10 * Math.cos(2 * Math.PI * x);
    }
    F[2 * i] = f;
  }
  return { F, violation: new Float64Array(n) };
};

function bestF(r: SearchResult): number {
  let best = Infinity;
  for (let i = 0; i < r.n; i++) best = Math.min(best, r.F[i * r.m]);
  return best;
}

describe('simulated annealing', () => {
  it('beats random search on 5-D Rastrigin with the same budget and seed, on every one of 10 seeds', async () => {
    const N = 2000;
    const settings = testSettings({
      annealing: {
        chains: 4,
        schedule: 'geometric',
        initial_temperature: 20,
        final_temperature: 0.01,
        step_scale: 0.15,
        initial_sampler: 'random',
      },
    });
    const spaces = [{ family: 'rastrigin', strata: new Float64Array(D) }];
    const budget = { maxCandidates: N, maxWallMs: Infinity };
    const sa: number[] = [];
    const rs: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const a = await runSearch({ optimizer: 'anneal', spaces, budget, seed, evaluate: rastrigin, settings });
      const r = await runSearch({ optimizer: 'random', spaces, budget, seed, evaluate: rastrigin, settings });
      expect(a.n).toBe(N);
      expect(r.n).toBe(N);
      sa.push(bestF(a));
      rs.push(bestF(r));
    }
    // Paired: annealing's best is lower on every seed; and on average less than half random's.
    sa.forEach((v, i) => expect(v, `seed ${i + 1}`).toBeLessThan(rs[i]));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(sa)).toBeLessThan(0.5 * mean(rs));
  });

  it('follows Deb’s rule: chains settle on the feasible side of a constraint that cuts off the optimum', async () => {
    // Minimise u0 subject to u0 >= 0.5 (violation 0.5 - u0 below). Ignoring the violation, chains
    // would drift to u0 ≈ 0; with the rule they sit at the boundary, half their proposals feasible.
    const evaluate: EvaluateFn = async (U, n) => {
      const F = new Float64Array(2 * n);
      const violation = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        F[2 * i] = U[i * 2];
        violation[i] = Math.max(0, 0.5 - U[i * 2]);
      }
      return { F, violation };
    };
    const settings = testSettings({
      annealing: { chains: 8, schedule: 'linear', initial_temperature: 0.1, final_temperature: 0.001, step_scale: 0.2, initial_sampler: 'lhs' },
    });
    const r = await runSearch({
      optimizer: 'anneal',
      spaces: [{ family: 'cut', strata: new Float64Array(2) }],
      // 8 starting points and 100 steps of the 8 chains.
      budget: { maxCandidates: 8 * 101, maxWallMs: Infinity },
      seed: 2,
      evaluate,
      settings,
    });
    expect(r.stopReason).toBe('candidates');
    expect(r.n).toBe(8 * 101);
    const tail = Array.from({ length: 8 * 25 }, (_, k) => r.n - 1 - k);
    const feasible = tail.filter((i) => r.violation[i] === 0).length / tail.length;
    const meanU0 = tail.reduce((s, i) => s + r.U[i * 2], 0) / tail.length;
    expect(feasible).toBeGreaterThan(0.3);
    expect(Math.abs(meanU0 - 0.5)).toBeLessThan(0.05);
    expect(r.F[r.best * 2]).toBeGreaterThanOrEqual(0.5);
    expect(r.F[r.best * 2]).toBeLessThan(0.51);
  });
});
