import { describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../../src/config/load.js';
import { paramLayout } from '../../src/config/param-layout.js';
import { createRng } from '../../src/rng.js';
import { guardrailChecks, guardrailViolation } from '../../src/search/guardrails.js';
import { objectiveColumns, objectiveMatrix } from '../../src/search/objectives.js';
import { bestUnderConstraints, createRankingWorkspace, rankAndCrowd, survivalOrder } from '../../src/search/ranking.js';
import { createEvaluator } from '../../src/simulation/evaluator.js';
import { configDirWith } from '../helpers/config-dir.js';
import { contextFor, panelFromOpenClose, randomWalk } from '../helpers/panel.js';

describe('rankAndCrowd', () => {
  it('ranks feasible fronts before infeasible rows and crowds within each front', () => {
    // Feasible: (0, 2), (1, 1), (2, 0) form front 0 (3 members: ends Infinity, the middle
    // (2-0)/2 + (2-0)/2 = 2); (2, 2) is dominated, front 1 alone (Infinity). Infeasible (0, 0) with
    // violation 0.5 ranks after every feasible row: front 2.
    const F = new Float64Array([0, 2, 1, 1, 2, 0, 2, 2, 0, 0]);
    const V = new Float64Array([0, 0, 0, 0, 0.5]);
    const rank = new Int32Array(5);
    const crowd = new Float64Array(5);
    expect(rankAndCrowd(F, V, 5, 2, rank, crowd, createRankingWorkspace(5, 2))).toBe(3);
    expect(Array.from(rank)).toEqual([0, 0, 0, 1, 2]);
    expect(Array.from(crowd)).toEqual([Infinity, 2, Infinity, Infinity, Infinity]);
  });
});

describe('survivalOrder', () => {
  it('orders by rank, then crowding descending, then row', () => {
    const rank = new Int32Array([1, 0, 0, 1, 0, 2]);
    const crowd = new Float64Array([5, 0.5, Infinity, 5, 0.5, Infinity]);
    const order = new Int32Array(6);
    survivalOrder(rank, crowd, 6, order);
    // Front 0: row 2 (Infinity), then rows 1 and 4 (0.5, by row); front 1: rows 0, 3; front 2: row 5.
    expect(Array.from(order)).toEqual([2, 1, 4, 0, 3, 5]);
  });
});

describe('bestUnderConstraints', () => {
  // Rows: 0 (1, 5), 1 (2, 1), 2 (1, 5) a duplicate of 0, 3 (0, 0) infeasible, 4 (1, 4), 5 (NaN, 0).
  const F = new Float64Array([1, 5, 2, 1, 1, 5, 0, 0, 1, 4, NaN, 0]);
  const V = new Float64Array([0, 0, 0, 1, 0, 0]);
  const rank = new Int32Array(6);
  rankAndCrowd(F, V, 6, 2, rank, new Float64Array(6), createRankingWorkspace(6, 2));

  it('takes the lexicographic minimum on the primary objective among feasible rows', () => {
    // Primary 0: rows 0, 2 and 4 tie at 1; the second objective picks row 4 (4 < 5). The
    // infeasible row 3 is better everywhere but never chosen.
    expect(bestUnderConstraints(F, V, rank, 6, 2, 0)).toBe(4);
    // Primary 1: row 5 has 0, its NaN first objective does not matter for the choice.
    expect(bestUnderConstraints(F, V, rank, 6, 2, 1)).toBe(5);
  });

  it('breaks a full tie by the first row, counts NaN as worst, and returns -1 when nothing is feasible', () => {
    const G = new Float64Array([3, 1, 3, 1, NaN, 0]);
    const W = new Float64Array([0, 0, 0]);
    const r = new Int32Array(3);
    rankAndCrowd(G, W, 3, 2, r, new Float64Array(3), createRankingWorkspace(3, 2));
    expect(bestUnderConstraints(G, W, r, 3, 2, 0)).toBe(0);
    const none = new Float64Array([1, 1, 1]);
    rankAndCrowd(G, none, 3, 2, r, new Float64Array(3), createRankingWorkspace(3, 2));
    expect(bestUnderConstraints(G, none, r, 3, 2, 0)).toBe(-1);
  });
});

describe('constraint-domination of sma_cross candidates', () => {
  it('ranks fast = slow = 5 (no trade) below real strategies, even ones far outside a guardrail', () => {
    // A drawdown limit of 0.1% that every trading candidate breaks by a wide margin: with plain
    // relative shortfalls (~100 each) the idle candidate's few units of violation used to win.
    const cfg = loadConfig({ dir: configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'max_drawdown'], 0.001)) });
    const layout = paramLayout(cfg, 'sma_cross', []);
    const { open, close } = randomWalk(1500, createRng(3, 'ranking-walk'));
    const ctx = contextFor(panelFromOpenClose(open, close));
    const pairs = [[5, 5], [10, 50], [20, 100]];
    const X = new Float64Array(pairs.length * 2);
    pairs.forEach(([fast, slow], r) => {
      X[r * 2 + layout.column.get('fast')!] = fast;
      X[r * 2 + layout.column.get('slow')!] = slow;
    });
    const M = new Float64Array(pairs.length * METRIC_COUNT);
    createEvaluator(layout, ctx).evaluate(X, pairs.length, M);
    const trades = pairs.map((_, r) => M[r * METRIC_COUNT + Metric.total_trades]);
    expect(trades[0]).toBe(0);
    expect(trades[1]).toBeGreaterThan(0);
    expect(trades[2]).toBeGreaterThan(0);
    const checks = guardrailChecks(cfg);
    const V = Float64Array.from(pairs, (_, r) => guardrailViolation(checks, M, r * METRIC_COUNT));
    for (const r of [1, 2]) expect(M[r * METRIC_COUNT + Metric.max_drawdown] / 0.001 - 1).toBeGreaterThan(10);
    const specs = cfg.strategy.optimizer.objectives;
    const F = new Float64Array(pairs.length * specs.length);
    objectiveMatrix(M, METRIC_COUNT, pairs.length, objectiveColumns(specs, METRIC_NAMES), F);
    const rank = new Int32Array(pairs.length);
    rankAndCrowd(F, V, pairs.length, specs.length, rank, new Float64Array(pairs.length), createRankingWorkspace(pairs.length, specs.length));
    expect(rank[0]).toBeGreaterThan(rank[1]);
    expect(rank[0]).toBeGreaterThan(rank[2]);
  });
});
