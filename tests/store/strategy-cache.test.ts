/** The strategy cache: entries per family, version, regime and evaluation data set; re-optimization requests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseManager } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { StrategyCache, type Adoption } from '../../src/store/strategy-cache.js';

const adoption: Adoption = {
  family: 'sma_cross', familyVersion: 'v1', regime: 'all', runId: 'r1', dataHash: 'd1',
  window: { search: ['2000-01-03', '2010-12-31'], holdout: ['2011-01-03', '2020-12-31'] },
  params: { fast: 2, slow: 5 }, metrics: { total_return: 0.1, profit_factor: Infinity }, holdoutMetrics: { total_return: 0.05, sharpe: NaN },
};

describe('StrategyCache', () => {
  it('adds an entry per data set, window and parameters, refreshes the entry of the same ones, and writes non-finite metrics as "inf" / null', () => {
    const dbm = new DatabaseManager(':memory:');
    const cache = new StrategyCache(dbm);
    cache.adopt(adoption, new Date('2024-01-01T00:00:00Z'));
    cache.adopt({ ...adoption, runId: 'r2', dataHash: 'd2' }, new Date('2024-01-02T00:00:00Z'));
    cache.adopt({ ...adoption, runId: 'r3', window: { ...adoption.window, holdout: ['2011-01-03', '2021-06-30'] } }, new Date('2024-01-03T00:00:00Z'));
    expect(cache.entries().map((e) => e.run_id)).toEqual(['r1', 'r2', 'r3']);
    cache.adopt({ ...adoption, runId: 'r4', params: { fast: 3, slow: 9 } }, new Date('2024-01-04T00:00:00Z'));
    const r1 = cache.entries().find((e) => e.run_id === 'r1')!.id;
    cache.adopt({ ...adoption, runId: 'r5' }, new Date('2024-01-05T00:00:00Z')); // r1's data, window and parameters: refreshed in place
    expect(cache.entriesFor('sma_cross', 'v1', 'all').map((e) => [e.run_id, e.data_hash, e.params_json])).toEqual([
      ['r5', 'd1', '{"fast":2,"slow":5}'],
      ['r4', 'd1', '{"fast":3,"slow":9}'],
      ['r3', 'd1', '{"fast":2,"slow":5}'],
      ['r2', 'd2', '{"fast":2,"slow":5}'],
    ]);
    expect(cache.entriesFor('sma_cross', 'v1', 'all')[0].id).toBe(r1);
    const e = cache.entriesFor('sma_cross', 'v1', 'all')[0];
    expect(JSON.parse(e.metrics_json)).toEqual({ total_return: 0.1, profit_factor: 'inf' });
    expect(JSON.parse(e.holdout_metrics_json!)).toEqual({ total_return: 0.05, sharpe: null });
    expect(cache.entriesFor('sma_cross', 'v2', 'all')).toEqual([]);
    dbm.close();
  });

  it('keeps one pending request per family, regime and trigger, and closes them with the run that carried them out', () => {
    const dbm = new DatabaseManager(':memory:');
    const cache = new StrategyCache(dbm);
    const req = { family: 'sma_cross', regime: 'vol=high', ticker: 'SPX', trigger: 'stale' as const, reason: 'older than 30 days', details: { age_days: 31, max_age_days: 30 } };
    expect(cache.request(req)).toBe(true);
    expect(cache.request({ ...req, reason: 'again' })).toBe(false);
    expect(cache.request({ ...req, trigger: 'performance' })).toBe(true);
    expect(cache.pending().map((r) => [r.trigger, r.reason, JSON.parse(r.details_json)])).toEqual([
      ['stale', 'older than 30 days', { age_days: 31, max_age_days: 30 }],
      ['performance', 'older than 30 days', { age_days: 31, max_age_days: 30 }],
    ]);
    expect(cache.done('sma_cross', 'vol=high', 'run-9')).toBe(2);
    expect(cache.pending()).toEqual([]);
    expect(cache.requests().map((r) => [r.status, r.run_id])).toEqual([['done', 'run-9'], ['done', 'run-9']]);
    expect(cache.request(req)).toBe(true); // a new pending one after the last was done
    dbm.close();
  });

  it('migration 6 keeps the entries of an older store, with an empty window', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-cache-'));
    const path = join(dir, 'old.db');
    const old = new DatabaseManager(path, MIGRATIONS.filter((m) => m.version < 6));
    old.db.prepare(`INSERT INTO strategy_configs (family, family_version, regime, params_json, metrics_json, holdout_metrics_json, run_id, data_hash, created_at, status)
      VALUES ('sma_cross', 'v0', 'all', '{"fast":5,"slow":20}', '{}', NULL, 'old-run', 'd0', '2023-01-01T00:00:00Z', 'adopted')`).run();
    old.close();
    const dbm = new DatabaseManager(path);
    expect(new StrategyCache(dbm).entries()).toMatchObject([{ family: 'sma_cross', family_version: 'v0', regime: 'all', data_hash: 'd0', window_json: '{}', run_id: 'old-run', params_json: '{"fast":5,"slow":20}' }]);
    dbm.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
