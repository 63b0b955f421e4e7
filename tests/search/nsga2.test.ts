/**
 * NSGA-II on ZDT1 and ZDT2 (Zitzler, Deb & Thiele, Evolutionary Computation 8(2), 2000), 30
 * variables in [0, 1], both objectives minimised:
 *   g = 1 + 9 · (x_2 + ... + x_30) / 29,  f1 = x_1,
 *   ZDT1: f2 = g · (1 - sqrt(f1 / g)),     ZDT2: f2 = g · (1 - (f1 / g)^2).
 * The Pareto front has g = 1: ZDT1 f2 = 1 - sqrt(f1), ZDT2 f2 = 1 - f1^2, f1 in [0, 1].
 *
 * Hypervolume reference point r = (1.1, 1.1), on raw (unnormalised) objectives. The region the
 * true front dominates, inside the box, is {f1 <= 1.1, front(f1) <= f2 <= 1.1}, where for f1 > 1
 * the front's end (1, 0) dominates the whole strip:
 *   HV = ∫_0^1 (1.1 - front(f1)) df1 + (1.1 - 1) · 1.1
 *   ZDT1: ∫_0^1 (0.1 + sqrt(f1)) df1 + 0.11 = 0.1 + 2/3 + 0.11 = 0.876666...
 *   ZDT2: ∫_0^1 (0.1 + f1^2) df1 + 0.11 = 0.1 + 1/3 + 0.11 = 0.543333...
 */
import { describe, expect, it } from 'vitest';
import { runSearch, type EvaluateFn, type SearchResult } from '../../src/search/optimize.js';
import { testSettings } from '../helpers/optimizer-settings.js';

const DIMS = 30;
const REF = 1.1;
const TRUE_HV = { zdt1: 0.1 + 2 / 3 + 0.11, zdt2: 0.1 + 1 / 3 + 0.11 };

function zdt(front: (t: number) => number): EvaluateFn {
  return async (U, n) => {
    const F = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 1; j < DIMS; j++) s += U[i * DIMS + j];
      const g = 1 + (9 * s) / (DIMS - 1);
      const f1 = U[i * DIMS];
      F[2 * i] = f1;
      F[2 * i + 1] = g * front(f1 / g);
    }
    return { F, violation: new Float64Array(n) };
  };
}

/**
 * Exact 2-D hypervolume of the points (minimised) w.r.t. ref: sweep by f1 ascending, keeping the
 * running minimum of f2; each point that lowers it adds the strip from its f1 to ref in f1 times
 * the drop in f2. Points outside the box add nothing.
 */
function hypervolume2d(F: Float64Array, n: number, ref: readonly [number, number]): number {
  const idx = Array.from({ length: n }, (_, i) => i).filter((i) => F[2 * i] < ref[0] && F[2 * i + 1] < ref[1]);
  idx.sort((a, b) => F[2 * a] - F[2 * b] || F[2 * a + 1] - F[2 * b + 1]);
  let hv = 0;
  let level = ref[1];
  for (const i of idx) {
    const f2 = F[2 * i + 1];
    if (f2 < level) {
      hv += (ref[0] - F[2 * i]) * (level - f2);
      level = f2;
    }
  }
  return hv;
}

async function solve(front: (t: number) => number, seed: number): Promise<SearchResult> {
  const settings = testSettings({
    nsga2: {
      population: 100,
      initial_sampler: 'lhs',
      crossover: { probability: 0.9, eta: 15, variable_probability: 0.5 },
      mutation: { eta: 20, variables_per_child: 1 },
      migrants: 5,
    },
  });
  return runSearch({
    optimizer: 'nsga2',
    spaces: [{ family: 'zdt', strata: new Float64Array(DIMS) }],
    // The initial population and 200 generations.
    budget: { maxCandidates: 100 * 201, maxWallMs: Infinity },
    seed,
    evaluate: zdt(front),
    settings,
  });
}

/**
 * Hypervolume of the last generation's offspring (the final 100 rows evaluated): what the search
 * ends with, stricter than the hypervolume of everything it evaluated along the way. Measured when
 * written: ZDT1 0.8634 (98.5% of the true front's), ZDT2 0.5272 (97.0%), seed 1.
 */
function lastGeneration(r: SearchResult): number {
  return hypervolume2d(r.F.subarray(r.F.length - 2 * 100), 100, [REF, REF]);
}

describe('hypervolume2d', () => {
  it('matches hand-computed areas', () => {
    // One point (0.5, 0.5), ref (1, 1): a 0.5 × 0.5 square = 0.25.
    expect(hypervolume2d(new Float64Array([0.5, 0.5]), 1, [1, 1])).toBeCloseTo(0.25, 15);
    // (0, 0.5) and (0.5, 0): the union of 1 × 0.5 and 0.5 × 1 is 0.5 + 0.5 - 0.25 = 0.75; a
    // dominated point (0.6, 0.6) and one outside the box (1.2, 0) change nothing.
    const F = new Float64Array([0.5, 0, 0.6, 0.6, 0, 0.5, 1.2, 0]);
    expect(hypervolume2d(F, 4, [1, 1])).toBeCloseTo(0.75, 15);
  });

  it('approaches the analytic ZDT1 value on a dense sample of the true front', () => {
    const k = 10_001;
    const F = new Float64Array(2 * k);
    for (let i = 0; i < k; i++) {
      F[2 * i] = i / (k - 1);
      F[2 * i + 1] = 1 - Math.sqrt(i / (k - 1));
    }
    expect(Math.abs(hypervolume2d(F, k, [REF, REF]) - TRUE_HV.zdt1)).toBeLessThan(1e-3);
  });
});

describe('NSGA-II', () => {
  it('reaches 95% of the true hypervolume on ZDT1 (pop 100 × 200 generations)', async () => {
    const r = await solve((t) => 1 - Math.sqrt(t), 1);
    expect(r.stopReason).toBe('candidates');
    expect(r.n).toBe(100 * 201);
    const last = lastGeneration(r);
    expect(last).toBeGreaterThan(0.95 * TRUE_HV.zdt1);
    expect(hypervolume2d(r.F, r.n, [REF, REF])).toBeLessThanOrEqual(TRUE_HV.zdt1);
  });

  it('reaches 95% of the true hypervolume on ZDT2 (pop 100 × 200 generations)', async () => {
    const r = await solve((t) => 1 - t * t, 1);
    expect(lastGeneration(r)).toBeGreaterThan(0.95 * TRUE_HV.zdt2);
    expect(hypervolume2d(r.F, r.n, [REF, REF])).toBeLessThanOrEqual(TRUE_HV.zdt2);
  });

  it('keeps discrete dimensions on stratum centres once varied, and the run in the unit cube', async () => {
    // 2 continuous + 2 discrete dims (3 and 5 strata); objectives: distance of each stratum index to 1.
    const strata = new Float64Array([0, 0, 3, 5]);
    const r = await runSearch({
      optimizer: 'nsga2',
      spaces: [{ family: 'mixed', strata }],
      budget: { maxCandidates: 20 * 6, maxWallMs: Infinity },
      seed: 3,
      evaluate: async (U, n) => {
        const F = new Float64Array(2 * n);
        for (let i = 0; i < n; i++) {
          F[2 * i] = Math.abs(Math.floor(U[i * 4 + 2] * 3) - 1) + U[i * 4];
          F[2 * i + 1] = Math.abs(Math.floor(U[i * 4 + 3] * 5) - 1) + U[i * 4 + 1];
        }
        return { F, violation: new Float64Array(n) };
      },
      settings: testSettings(),
    });
    for (const u of r.U) expect(u >= 0 && u < 1).toBe(true);
    // Generations after the first are offspring: a discrete coordinate is inherited or resampled,
    // so it is either a parent's value or a stratum centre.
    const initial = new Set<number>();
    for (let i = 0; i < 20; i++) for (const j of [2, 3]) initial.add(r.U[i * 4 + j]);
    for (let i = 20; i < r.n; i++) {
      for (const j of [2, 3]) {
        const u = r.U[i * 4 + j];
        const s = strata[j];
        const centre = (Math.floor(u * s) + 0.5) / s;
        expect(initial.has(u) || u === centre).toBe(true);
      }
    }
  });
});
