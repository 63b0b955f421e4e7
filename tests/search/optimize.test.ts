/**
 * The facade: reproducibility for every optimizer, budget and abort handling, the result's
 * bookkeeping, and its ranks against the ranking kernels run independently.
 */
import { describe, expect, it } from 'vitest';
import { constrainedRank, createConstrainedWorkspace } from '../../native-free-kernels/pareto/constraint-domination.js';
import { OPTIMIZER_KINDS, runSearch, type EvaluateFn, type GenerationInfo, type OptimizerKind, type SearchJob, type SearchResult } from '../../src/search/optimize.js';
import type { FeasibleRegion } from '../../src/search/constraints.js';
import { testSettings } from '../helpers/optimizer-settings.js';

const D = 4;
const strata = new Float64Array([0, 0, 3, 0]);

/** Two objectives of a 4-D point, a discrete dimension in them, and a constraint u0 + u1 <= 1.5. */
const evaluate: EvaluateFn = async (U, n) => {
  const F = new Float64Array(2 * n);
  const violation = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = U.subarray(i * D, (i + 1) * D);
    F[2 * i] = u[0] * u[0] + u[1] * u[1] + Math.floor(u[2] * 3);
    F[2 * i + 1] = (1 - u[0]) ** 2 + (1 - u[3]) ** 2;
    violation[i] = Math.max(0, u[0] + u[1] - 1.5);
  }
  return { F, violation };
};

function job(optimizer: OptimizerKind, seed: number, patch: Partial<SearchJob> = {}): SearchJob {
  return {
    optimizer,
    spaces: [{ family: 'toy', strata }],
    budget: { maxCandidates: 150, maxWallMs: Infinity },
    seed,
    evaluate,
    settings: testSettings(),
    ...patch,
  };
}

const bytes = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('runSearch', () => {
  it.each(OPTIMIZER_KINDS)('%s: the same seed gives a bit-identical run, another seed another run', async (kind) => {
    const a = await runSearch(job(kind, 11));
    const b = await runSearch(job(kind, 11));
    const c = await runSearch(job(kind, 12));
    expect(a.n).toBeGreaterThan(0);
    expect(bytes(b.U).equals(bytes(a.U))).toBe(true);
    expect(bytes(b.F).equals(bytes(a.F))).toBe(true);
    expect(bytes(b.violation).equals(bytes(a.violation))).toBe(true);
    expect(bytes(b.rank).equals(bytes(a.rank))).toBe(true);
    expect(bytes(b.crowding).equals(bytes(a.crowding))).toBe(true);
    expect(b.best).toBe(a.best);
    expect(bytes(c.U).equals(bytes(a.U))).toBe(false);
  });

  it.each(OPTIMIZER_KINDS)('%s: stays in the unit cube and within the candidate budget', async (kind) => {
    const r = await runSearch(job(kind, 1, { budget: { maxCandidates: 73, maxWallMs: Infinity } }));
    // 73 is a multiple of no batch size here (NSGA-II 20, annealing 4, samplers 50): the last batch is cut.
    expect([r.stopReason, r.n]).toEqual(['candidates', 73]);
    for (const u of r.U) expect(u >= 0 && u < 1).toBe(true);
  });

  it('returns ranks equal to constrainedRank on everything evaluated, and a feasible front-0 best', async () => {
    const r = await runSearch(job('nsga2', 3));
    const rank = new Int32Array(r.n);
    constrainedRank(r.F, r.violation, r.n, 2, rank, createConstrainedWorkspace(r.n, 2));
    expect(Array.from(r.rank)).toEqual(Array.from(rank));
    expect(r.violation.some((v) => v > 0)).toBe(true);
    expect(r.rank[r.best]).toBe(0);
    expect(r.violation[r.best]).toBe(0);
    // Primary objective is column 0: nothing feasible has a smaller one.
    for (let i = 0; i < r.n; i++) if (r.violation[i] === 0) expect(r.F[2 * i]).toBeGreaterThanOrEqual(r.F[2 * r.best]);
  });

  it('reports each batch once, contiguously, and the counts add up', async () => {
    const seen: { start: number; n: number; generation: number; evaluated: number }[] = [];
    const r = await runSearch(job('lhs', 1, { onGeneration: (g) => seen.push(g) }));
    // batch_size 50, 150 candidates: three batches.
    expect(seen.map((g) => [g.generation, g.start, g.n, g.evaluated])).toEqual([
      [0, 0, 50, 50],
      [1, 50, 50, 100],
      [2, 100, 50, 150],
    ]);
    expect(r.generations).toBe(3);
    expect(r.stopReason).toBe('candidates');
    expect(Array.from(new Set(r.family))).toEqual([0]);
  });

  it('spends exactly the budget: NSGA-II ends on a short generation, annealing on a short step', async () => {
    const sizes = (r: number[]) => (g: GenerationInfo) => r.push(g.n);
    const generations: number[] = [];
    const settings = testSettings({ nsga2: { ...testSettings().nsga2, population: 100 } });
    const n = await runSearch(job('nsga2', 1, { settings, budget: { maxCandidates: 1234, maxWallMs: Infinity }, onGeneration: sizes(generations) }));
    // Population 100: 12 full generations, then the 34 left.
    expect([n.stopReason, n.n, n.generations]).toEqual(['candidates', 1234, 13]);
    expect(generations).toEqual([...Array<number>(12).fill(100), 34]);
    const steps: number[] = [];
    const a = await runSearch(job('anneal', 1, { budget: { maxCandidates: 103, maxWallMs: Infinity }, onGeneration: sizes(steps) }));
    // 4 chains: 4 starting points, ceil(99 / 4) = 25 steps, the last moving 3 chains.
    expect([a.stopReason, a.n]).toEqual(['candidates', 103]);
    expect(steps).toEqual([...Array<number>(25).fill(4), 3]);
    await expect(runSearch(job('anneal', 1, { budget: { maxCandidates: Infinity, maxWallMs: 1000 } }))).rejects.toThrow(/finite candidate budget/);
  });

  it('stops on abort, keeping what was evaluated before, and stops on wall time', async () => {
    const ac = new AbortController();
    let calls = 0;
    const aborting: EvaluateFn = async (U, n, family, signal) => {
      calls++;
      if (calls === 3) {
        ac.abort();
        if (signal?.aborted) throw new Error('aborted in flight');
      }
      return evaluate(U, n, family, signal);
    };
    const r = await runSearch(job('random', 1, { evaluate: aborting, budget: { maxCandidates: 1000, maxWallMs: Infinity, signal: ac.signal } }));
    expect(r.stopReason).toBe('aborted');
    expect(r.n).toBe(100);
    let now = 0;
    const ticking: EvaluateFn = async (U, n, f) => {
      now += 10;
      return evaluate(U, n, f);
    };
    const w = await runSearch(job('random', 1, { evaluate: ticking, clock: () => now, budget: { maxCandidates: Infinity, maxWallMs: 25 } }));
    expect([w.stopReason, w.n]).toEqual(['wall_time', 150]);
  });

  it('rethrows an evaluator failure that is not an abort, and rejects bad evaluator output', async () => {
    const failing: EvaluateFn = async () => {
      throw new Error('worker died');
    };
    await expect(runSearch(job('random', 1, { evaluate: failing }))).rejects.toThrow('worker died');
    const short: EvaluateFn = async (_U, n) => ({ F: new Float64Array(n), violation: new Float64Array(n) });
    await expect(runSearch(job('random', 1, { evaluate: short }))).rejects.toThrow(/2 objectives/);
    const negative: EvaluateFn = async (_U, n) => ({ F: new Float64Array(2 * n), violation: new Float64Array(n).fill(-1) });
    await expect(runSearch(job('random', 1, { evaluate: negative }))).rejects.toThrow(/violation -1/);
  });

  it('refuses several families for a single-family optimizer', async () => {
    const spaces = [
      { family: 'a', strata },
      { family: 'b', strata },
    ];
    await expect(runSearch(job('nsga2', 1, { spaces }))).rejects.toThrow(/use the bandit/);
    const r: SearchResult = await runSearch(job('bandit', 1, { spaces }));
    // testSettings' bandit methods: nsga2, anneal, lhs.
    expect(r.arms.map((a) => `${a.family}/${a.method}`)).toEqual(['a/nsga2', 'a/anneal', 'a/lhs', 'b/nsga2', 'b/anneal', 'b/lhs']);
    expect(r.retired).toEqual([]);
    expect((await runSearch(job('nsga2', 1))).arms).toEqual([{ family: 'toy', method: 'nsga2' }]);
  });

  it('keeps every bandit arm inside its own family\'s pair constraints', async () => {
    // Family "up" (2-D) requires u0 <= u1, family "down" (3-D) u2 <= u0; each objective pulls the other way.
    const region = (dims: number, lo: number, hi: number): FeasibleRegion => ({
      dims,
      holds: (U, o) => U[o + lo] <= U[o + hi],
      project: (U, o) => {
        if (U[o + lo] > U[o + hi]) U[o + lo] = U[o + hi];
      },
    });
    const spaces = [
      { family: 'up', strata: new Float64Array(2), region: region(2, 0, 1) },
      { family: 'down', strata: new Float64Array(3), region: region(3, 2, 0) },
    ];
    const pulling: EvaluateFn = async (U, n, family) => {
      const d = family === 0 ? 2 : 3;
      const F = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) F[2 * i] = family === 0 ? U[i * d + 1] - U[i * d] : U[i * d] - U[i * d + 2];
      return { F, violation: new Float64Array(n) };
    };
    // runSearch itself throws on a proposal outside its family's region; the rows are checked again here.
    const r = await runSearch(job('bandit', 2, { spaces, evaluate: pulling, budget: { maxCandidates: 600, maxWallMs: Infinity } }));
    expect(r.n).toBe(600);
    for (let i = 0; i < r.n; i++) expect(spaces[r.family[i]].region.holds(r.U, i * r.dims)).toBe(true);
    expect(new Set(r.family).size).toBe(2);
    expect(r.repairs.repaired).toBeGreaterThan(0);
  });
});
