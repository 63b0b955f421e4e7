/**
 * Candidates stay inside the space's pair constraints: the projection by hand on `sma_cross`,
 * samplers filtered by redraws, and every optimizer over random spaces with ordering constraints
 * (property): each point it proposes satisfies them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PnloptConfig } from '../../src/config/load.js';
import { constraintGraph } from '../../src/config/pair-constraints.js';
import { paramLayout, rowProblems, type ParamLayout } from '../../src/config/param-layout.js';
import type { ParamSpec } from '../../src/config/search-space.js';
import type { PairConstraint } from '../../src/config/strategy-optimization.js';
import { feasibleRegion, feasibleSampler, REDRAW_ROUNDS, type FeasibleRegion, type RepairStats } from '../../src/search/constraints.js';
import { decodePoints, encodeValue } from '../../src/search/encoding.js';
import { OPTIMIZER_KINDS, runSearch, searchSpace, type EvaluateFn } from '../../src/search/optimize.js';
import { createSampler } from '../../src/search/sampler.js';
import { testConfig } from '../helpers/config.js';
import { testSettings } from '../helpers/optimizer-settings.js';

const cfg = testConfig();
const sma = paramLayout(cfg, 'sma_cross', []);
const smaRegion = feasibleRegion(sma)!;
const FAST = sma.column.get('fast')!;
const SLOW = sma.column.get('slow')!;

/** The unit point of an sma_cross row. */
function smaPoint(fast: number, slow: number): Float64Array {
  const U = new Float64Array(2);
  const spec = (j: number) => sma.params[j].spec as Exclude<ParamSpec, { type: 'categorical' }>;
  U[FAST] = encodeValue(spec(FAST), fast);
  U[SLOW] = encodeValue(spec(SLOW), slow);
  return U;
}

function decoded(layout: ParamLayout, U: Float64Array, offset = 0): Float64Array {
  const X = new Float64Array(layout.params.length);
  decodePoints(layout, U.subarray(offset, offset + layout.params.length), 1, X);
  return X;
}

describe('feasibleRegion', () => {
  it('projects sma_cross rows by raising slow just past fast, and leaves feasible rows alone', () => {
    for (const [fast, slow, want] of [
      [60, 40, [60, 61]],
      [5, 5, [5, 6]],
      [100, 5, [100, 101]],
      [10, 50, [10, 50]],
    ] as const) {
      const U = smaPoint(fast, slow);
      expect(smaRegion.holds(U, 0)).toBe(fast < slow);
      const before = Float64Array.from(U);
      smaRegion.project(U, 0);
      const X = decoded(sma, U);
      expect([X[FAST], X[SLOW]]).toEqual(want);
      if (fast < slow) expect(Array.from(U)).toEqual(Array.from(before));
      expect(smaRegion.holds(U, 0)).toBe(true);
    }
    expect(feasibleRegion(paramLayout(cfg, 'ts_ensemble', ['SPX']))).toBeNull();
  });

  it('filters a sampler by redraws from its own stream, projecting only what is left, deterministically', () => {
    const draw = () => {
      const stats: RepairStats = { rejected: 0, repaired: 0 };
      const s = feasibleSampler(createSampler('random', { dims: 2, seed: 5, maximinIterations: 0, scramble: true }), smaRegion, stats);
      const out = new Float64Array(2 * 4000);
      s.sample(4000, out);
      return { out, stats };
    };
    const { out, stats } = draw();
    for (let i = 0; i < 4000; i++) expect(smaRegion.holds(out, 2 * i)).toBe(true);
    // Uniform fast in [2, 100] and slow in [5, 300] break fast < slow with probability
    // sum_{s=5..100} (100 - s + 1) / 99 / 296 = 4656 / 29304 = 0.1589: the first round rejects
    // about that share (binomial sd 0.006), later rounds add the 16% of it redrawn badly.
    const p = 4656 / 29304;
    expect(stats.rejected / 4000).toBeGreaterThan(p - 0.03);
    expect(stats.rejected / 4000).toBeLessThan(p / (1 - p) + 0.03);
    // After REDRAW_ROUNDS rounds 4000 p^8 = 0.002 points are expected left to project.
    expect(REDRAW_ROUNDS).toBeGreaterThanOrEqual(8);
    expect(stats.repaired).toBe(0);
    // Same seed, same points and counts.
    const again = draw();
    expect(Array.from(again.out)).toEqual(Array.from(out));
    expect(again.stats).toEqual(stats);
  });
});

/**
 * A family of 2 to 4 numeric parameters, ordering constraints between them, and a conditional
 * parameter (switched by a categorical) that no constraint names.
 */
const spaceArb = fc
  .record({
    specs: fc.array(
      fc.record({
        type: fc.constantFrom('int', 'uniform', 'log_uniform'),
        low: fc.integer({ min: 1, max: 60 }),
        width: fc.integer({ min: 1, max: 80 }),
      }),
      { minLength: 2, maxLength: 4 },
    ),
    edges: fc.array(fc.record({ a: fc.nat(3), b: fc.nat(3), op: fc.constantFrom('<', '<=', '>', '>=') }), { minLength: 1, maxLength: 3 }),
  })
  .map(({ specs, edges }) => {
    const params: Record<string, ParamSpec> = { switch: { type: 'categorical', choices: ['on', 'off'] }, extra: { type: 'uniform', low: 0, high: 1, when: { switch: 'on' } } };
    specs.forEach((s, i) => {
      params[`p${i}`] = { type: s.type, low: s.low, high: s.low + s.width } as ParamSpec;
    });
    const n = specs.length;
    const constraints: PairConstraint[] = edges
      .map((e) => ({ lhs: `p${e.a % n}`, op: e.op, rhs: `p${e.b % n}` }))
      .filter((c) => c.lhs !== c.rhs);
    return { params, constraints };
  });

function layoutOf(params: Record<string, ParamSpec>, constraints: PairConstraint[]): ParamLayout {
  const strategy = { ...cfg.strategy, param_groups: {}, families: { toy: { kernel: 'sma_cross', groups: [], params, constraints, basket: false } } };
  return paramLayout({ ...cfg, strategy } as PnloptConfig, 'toy', []);
}

describe('every optimizer over random constrained spaces (property)', () => {
  it('proposes only points whose decoded rows satisfy every constraint', async () => {
    await fc.assert(
      fc.asyncProperty(spaceArb, fc.integer({ min: 1, max: 1000 }), async ({ params, constraints }, seed) => {
        fc.pre(constraints.length > 0);
        const layout = layoutOf(params, constraints);
        fc.pre(typeof constraintGraph(layout.params, layout.constraints) !== 'string');
        const region: FeasibleRegion = feasibleRegion(layout)!;
        const d = layout.params.length;
        const evaluate: EvaluateFn = async (U, n) => {
          const F = new Float64Array(2 * n);
          for (let i = 0; i < n; i++) {
            const X = decoded(layout, U, i * d);
            expect(rowProblems(layout, X)).toEqual([]);
            // Objectives that pull towards breaking the constraints: the first parameter up, the last down.
            F[2 * i] = -U[i * d + 1];
            F[2 * i + 1] = U[i * d + d - 1];
          }
          return { F, violation: new Float64Array(n) };
        };
        for (const optimizer of OPTIMIZER_KINDS) {
          const r = await runSearch({
            optimizer,
            spaces: [searchSpace(layout)],
            budget: { maxCandidates: 90, maxWallMs: Infinity },
            seed,
            evaluate,
            settings: testSettings(),
          });
          expect(r.n).toBe(90);
          for (let i = 0; i < r.n; i++) expect(region.holds(r.U, i * r.dims)).toBe(true);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('projects any point into the region, moving only constrained parameters (property)', () => {
    fc.assert(
      fc.property(spaceArb, fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 6, maxLength: 6 }), ({ params, constraints }, u) => {
        fc.pre(constraints.length > 0);
        const layout = layoutOf(params, constraints);
        fc.pre(typeof constraintGraph(layout.params, layout.constraints) !== 'string');
        const region = feasibleRegion(layout)!;
        const d = layout.params.length;
        const U = Float64Array.from(u.slice(0, d));
        const before = Float64Array.from(U);
        const held = region.holds(U, 0);
        region.project(U, 0);
        expect(region.holds(U, 0)).toBe(true);
        expect(rowProblems(layout, decoded(layout, U))).toEqual([]);
        const constrained = new Set(constraints.flatMap((c) => [layout.column.get(c.lhs)!, layout.column.get(c.rhs)!]));
        for (let j = 0; j < d; j++) if (held || !constrained.has(j)) expect(U[j]).toBe(before[j]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('searchSpace on sma_cross', () => {
  it('gives NSGA-II only fast < slow, counting the repairs, and the same counts for the same seed', async () => {
    const evaluate: EvaluateFn = async (U, n) => {
      const F = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const X = decoded(sma, U, 2 * i);
        expect(X[FAST]).toBeLessThan(X[SLOW]);
        // Pulls fast up and slow down, towards fast >= slow.
        F[2 * i] = -X[FAST];
        F[2 * i + 1] = X[SLOW];
      }
      return { F, violation: new Float64Array(n) };
    };
    const job = { optimizer: 'nsga2' as const, spaces: [searchSpace(sma)], budget: { maxCandidates: 2000, maxWallMs: Infinity }, seed: 4, evaluate, settings: testSettings() };
    const a = await runSearch(job);
    expect(a.n).toBe(2000);
    expect(a.repairs.rejected).toBeGreaterThan(0);
    expect(a.repairs.repaired).toBeGreaterThan(0);
    expect((await runSearch(job)).repairs).toEqual(a.repairs);
  });
});
