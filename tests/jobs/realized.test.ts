/** Paper-traded configurations scored on their closed trades, ranked as optimize ranks candidates (hand-built records). */
import { describe, expect, it } from 'vitest';
import { scoreRealized } from '../../src/jobs/realized.js';
import { DatabaseManager } from '../../src/store/database.js';
import { StrategyCache } from '../../src/store/strategy-cache.js';
import { testConfig } from '../helpers/config.js';
import { closedTrades, insertFills } from '../helpers/paper-fills.js';

const cfg = testConfig();

function store(): { dbm: DatabaseManager; ids: number[] } {
  const dbm = new DatabaseManager(':memory:');
  const cache = new StrategyCache(dbm);
  for (const runId of ['a', 'b', 'c']) {
    cache.adopt({ family: 'ts_ensemble', familyVersion: 'v', regime: 'vol=low', runId, dataHash: 'd', window: { search: ['2000-01-03', '2001-01-02'], holdout: ['2001-01-03', '2002-01-02'] }, params: { run: runId }, metrics: {}, holdoutMetrics: {} });
  }
  return { dbm, ids: cache.entries().map((e) => e.id) };
}

describe('scoreRealized', () => {
  it('ranks by the configured objectives under the guardrails realized figures can judge, and picks the best by the primary objective', () => {
    const { dbm, ids } = store();
    // Entry a: 6 trades, 5 wins of 10,000, one loss of 5,000: win rate 5/6, profit factor 10, +45,000 (4.5%), drawdown 5,000 / 1,040,000.
    insertFills(dbm, closedTrades('X', [10_000, 10_000, 10_000, 10_000, 10_000, -5_000], { configId: ids[0], family: 'ts_ensemble', regime: 'vol=low' }));
    // Entry b: 6 trades, +1,000 each: dominates nothing on return, no drawdown, profit factor +Infinity.
    insertFills(dbm, closedTrades('X', [1_000, 1_000, 1_000, 1_000, 1_000, 1_000], { ts: 100, configId: ids[1], family: 'ts_ensemble', regime: 'vol=low' }));
    // Entry c: 3 trades only: fails min_total_trades (5).
    insertFills(dbm, closedTrades('X', [50_000, 50_000, 50_000], { ts: 200, configId: ids[2], family: 'ts_ensemble', regime: 'vol=high' }));
    // The baseline: 5 trades, 2 wins: win rate 0.4 passes, profit factor 2,000 / 3,000 fails.
    insertFills(dbm, closedTrades('Y', [1_000, -1_000, 1_000, -1_000, -1_000], { ts: 300, family: 'ts_ensemble', regime: 'vol=low' }));
    const s = scoreRealized(cfg, dbm, {});
    const byEntry = new Map(s.candidates.map((c) => [c.config_id, c]));
    const a = byEntry.get(ids[0])!;
    expect(a.metrics).toMatchObject({ total_trades: 6, win_rate: 5 / 6, profit_factor: 10, total_profit: 45_000, total_return: 0.045 });
    expect(a.metrics.max_drawdown).toBeCloseTo(5_000 / 1_050_000, 15);
    expect(byEntry.get(ids[1])!.metrics).toMatchObject({ profit_factor: Infinity, max_drawdown: 0, total_return: 0.006 });
    expect(byEntry.get(ids[2])!).toMatchObject({ feasible: false, failed_guardrails: ['guardrails.min_total_trades'], regimes: ['vol=high'] });
    expect(byEntry.get(null)!).toMatchObject({ feasible: false, failed_guardrails: ['guardrails.min_profit_factor', 'guardrails.min_expected_profit'] });
    // a (higher return) and b (lower drawdown) are both on the first front; c and the baseline are infeasible, behind them.
    expect(s.candidates.slice(0, 2).map((c) => c.config_id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(s.candidates.slice(0, 2).every((c) => c.front_rank === 0 && c.feasible)).toBe(true);
    // The primary objective (sharpe) is undefined for both: the tie goes to the next objective, total_return: a.
    expect(s.undefined_objectives).toEqual(['sharpe', 'hit_rate', 'calibration_error']);
    expect(s.candidates[s.best!].config_id).toBe(ids[0]);
    expect(s.judged_guardrails).toEqual(['guardrails.min_win_rate', 'guardrails.min_profit_factor', 'guardrails.max_drawdown', 'guardrails.min_expected_profit', 'guardrails.min_total_trades']);
    // Filters: one regime.
    expect(scoreRealized(cfg, dbm, { regime: 'vol=high' }).candidates.map((c) => c.config_id)).toEqual([ids[2]]);
    expect(scoreRealized(cfg, dbm, { family: 'sma_cross' }).candidates).toEqual([]);
  });

  it('has no best when nothing is feasible, and nothing to score without trades', () => {
    const { dbm, ids } = store();
    expect(scoreRealized(cfg, dbm, {})).toMatchObject({ candidates: [], best: null });
    insertFills(dbm, closedTrades('X', [-1, -1, -1, -1, -1], { configId: ids[0], family: 'ts_ensemble' }));
    expect(scoreRealized(cfg, dbm, {}).best).toBeNull();
  });
});
