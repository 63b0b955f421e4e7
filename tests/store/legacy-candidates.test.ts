/** Migration 4: candidates stored as JSON rows before the columnar tables read back as they were written. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import { exportRunCsv } from '../../src/jobs/export.js';
import { DatabaseManager } from '../../src/store/database.js';
import { metricsFromJson } from '../../src/store/legacy-candidates.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { RunStore } from '../../src/store/run-store.js';

/** A metrics object as pnlopt wrote it before migration 4: every metric j = base + j, `overrides` by name. */
function metricsText(base: number, overrides: Record<string, number | string | null> = {}): string {
  return JSON.stringify({ ...Object.fromEntries(METRIC_NAMES.map((n, j) => [n, base + j])), ...overrides });
}

describe('migration 4: legacy candidate rows', () => {
  it('reads profit_factor null (rows older than the "inf" convention) as +Infinity and other nulls as NaN', () => {
    const old = new Float64Array(METRIC_COUNT);
    metricsFromJson(JSON.stringify(Object.fromEntries(METRIC_NAMES.map((n) => [n, null]))), old, 0);
    METRIC_NAMES.forEach((name, j) => expect(old[j], name).toBe(j === Metric.profit_factor ? Infinity : NaN));
    metricsFromJson(metricsText(0, { sharpe: 'inf', total_return: '-inf' }), old, 0);
    expect([old[Metric.sharpe], old[Metric.total_return], old[Metric.max_drawdown]]).toEqual([Infinity, -Infinity, Metric.max_drawdown]);
  });

  it('converts every run: parameters (numbers, categoricals, inactive), metrics, failures, ranking, hold-out, family', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-legacy-'));
    const path = join(dir, 'old.db');
    const old = new DatabaseManager(path, MIGRATIONS.filter((m) => m.version <= 3));
    const run = old.db.prepare(
      `INSERT INTO optimization_runs (run_id, created_at, status, command, family, config_hash, data_hash, code_version) VALUES (?, '2024-01-01T00:00:00Z', 'completed', 'pnlopt optimize', ?, 'c', 'd', 'v')`,
    );
    run.run('multi', 'sma_cross,ts_with_fallback');
    run.run('plain', 'sma_cross');
    const row = old.db.prepare(
      `INSERT INTO optimization_candidates (run_id, candidate_id, family, status, params_json, metrics_json, holdout_metrics_json, feasible, violation, front_rank, crowding, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    row.run('multi', 0, 'sma_cross', 'ok', '{"fast":5,"slow":20}', metricsText(1), metricsText(9, { profit_factor: null }), 1, 0, 0, null, null);
    row.run('multi', 1, 'ts_with_fallback', 'ok', '{"fallback_rule":"momentum","lookback":12.5}', metricsText(2, { sharpe: 'inf' }), null, 0, 0.25, 1, 0.75, null);
    row.run('multi', 2, 'ts_with_fallback', 'ok', '{"fallback_rule":"mean_reversion"}', metricsText(3), null, 0, 0.5, 1, 1.5, null);
    row.run('multi', 3, 'sma_cross', 'failed', '{"fast":7,"slow":30}', null, null, 0, null, 2, null, 'worker exited');
    // Stored before migration 3 (no family column value): the run's family.
    row.run('plain', 0, null, 'ok', '{"fast":2,"slow":9}', metricsText(4), null, null, null, null, null, null);
    old.close();

    const dbm = new DatabaseManager(path);
    const store = new RunStore(dbm);
    expect(store.families('multi')).toEqual([
      { name: 'sma_cross', columns: [{ name: 'fast' }, { name: 'slow' }] },
      { name: 'ts_with_fallback', columns: [{ name: 'fallback_rule', choices: ['momentum', 'mean_reversion'] }, { name: 'lookback' }] },
    ]);
    const results = [...store.results('multi')];
    expect(results.map((r) => [r.candidateId, r.status, r.paramsJson, r.error])).toEqual([
      [0, 'ok', '{"fast":5,"slow":20}', null],
      [1, 'ok', '{"fallback_rule":"momentum","lookback":12.5}', null],
      [2, 'ok', '{"fallback_rule":"mean_reversion"}', null],
      [3, 'failed', '{"fast":7,"slow":30}', 'worker exited'],
    ]);
    const expected = new Float64Array(METRIC_COUNT);
    metricsFromJson(metricsText(2, { sharpe: 'inf' }), expected, 0);
    expect(results[1].metrics).toEqual(expected);
    expect(results[3].metrics).toBeNull();
    const rankings = [...store.rankings('multi')];
    expect(rankings.map((r) => [r.feasible, r.violation, r.frontRank, r.crowding])).toEqual([
      [true, 0, 0, null], // NULL crowding of a ranked row was the boundary +Infinity
      [false, 0.25, 1, 0.75],
      [false, 0.5, 1, 1.5],
      [false, null, 2, null],
    ]);
    metricsFromJson(metricsText(9, { profit_factor: null }), expected, 0);
    expect(rankings[0].holdoutMetrics).toEqual(expected);
    expect(rankings[0].holdoutMetrics![Metric.profit_factor]).toBe(Infinity);
    expect(store.candidate('plain', 0)).toMatchObject({ family: 'sma_cross', paramsJson: '{"fast":2,"slow":9}', frontRank: null });
    expect(store.storedCounts()).toEqual(new Map([['multi', 4], ['plain', 1]]));
    expect([...store.evaluatedMask('multi', 4)]).toEqual([1, 1, 1, 0]);

    let csv = '';
    exportRunCsv(store, store.run('multi')!, (t) => (csv += t));
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(`candidate_id,family,fast,slow,fallback_rule,lookback,${METRIC_NAMES.join(',')},feasible,violation,front_rank,crowding`);
    expect(lines[2]).toBe(`1,ts_with_fallback,,,momentum,12.5,${METRIC_NAMES.map((n, j) => (n === 'sharpe' ? 'inf' : String(2 + j))).join(',')},false,0.25,1,0.75`);
    expect(lines[4]).toBe(`3,sma_cross,7,30,,${','.repeat(METRIC_COUNT)},false,,2,inf`);
    dbm.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
