/** The strategy cache's lifecycle through `bestConfigurations`: served, stale (age, data), failing, missing, per data set; bad input. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { paramLayout } from '../../src/config/param-layout.js';
import { loadMarketData } from '../../src/data/load.js';
import { formatTime } from '../../src/data/validate.js';
import { bestConfigurations, recentFailures } from '../../src/jobs/best.js';
import { Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { familyVersion } from '../../src/simulation/families/index.js';
import { DatabaseManager } from '../../src/store/database.js';
import { StrategyCache, type Adoption } from '../../src/store/strategy-cache.js';
import { testConfig } from '../helpers/config.js';
import { configDirWith } from '../helpers/config-dir.js';

const SP500 = join(import.meta.dirname, '..', '..', 'data', 'sp500_daily_ohlcv_2000_2020.csv');
const data = loadMarketData([SP500]);
const T = data.series[0].time.length;
const lastDate = formatTime(data.series[0].time[T - 1]);
const NOW = new Date('2021-01-15T00:00:00Z');
/** Lenient performance criteria: any configuration that trades meets them. */
const LENIENT = configDirWith('quant_success_config.yml', (d) => {
  d.setIn(['guardrails', 'min_win_rate'], 0);
  d.setIn(['guardrails', 'min_profit_factor'], 0);
  d.setIn(['guardrails', 'max_drawdown'], 1);
});

function entry(cfg: PnloptConfig, over: Partial<Adoption> = {}): Adoption {
  return {
    family: 'sma_cross', familyVersion: familyVersion(paramLayout(cfg, 'sma_cross', [])), regime: 'all', runId: 'run-a', dataHash: data.hash,
    window: { search: ['2000-01-03', '2015-12-31'], holdout: ['2016-01-04', lastDate] },
    params: { fast: 20, slow: 100 }, metrics: { sharpe: 0.5 }, holdoutMetrics: { sharpe: 0.4 }, ...over,
  };
}

async function best(cfg: PnloptConfig, dbm: DatabaseManager, over: { regime?: string; now?: Date; family?: string } = {}) {
  const [a] = await bestConfigurations({ cfg, data, families: [over.family ?? 'sma_cross'], regime: over.regime ?? 'all', dbm, now: over.now ?? NOW });
  return a;
}

describe('best: the strategy cache lifecycle', () => {
  it('serves a fresh entry that still meets the performance criteria on the recent bars', async () => {
    const cfg = loadConfig({ dir: LENIENT });
    const dbm = new DatabaseManager(':memory:');
    new StrategyCache(dbm).adopt(entry(cfg), new Date('2021-01-10T00:00:00Z'));
    const a = await best(cfg, dbm);
    expect(a).toMatchObject({ family: 'sma_cross', regime: 'all', source: 'cache', params: { fast: 20, slow: 100 }, run_id: 'run-a', requested: null });
    expect(a.age_days).toBeCloseTo(5, 9);
    expect(a.recent[1]).toBe(lastDate);
    expect(a.metrics.total_trades).toBeGreaterThan(0);
    expect(new StrategyCache(dbm).pending()).toEqual([]);
  });

  it('serves the baseline for a missing entry, says why and requests a re-optimization once', async () => {
    const cfg = testConfig();
    const dbm = new DatabaseManager(':memory:');
    const a = await best(cfg, dbm);
    expect(a).toMatchObject({ source: 'baseline', params: cfg.strategy.families.sma_cross.baseline, run_id: null, age_days: null, requested: 'no_entry' });
    expect(a.reason).toMatch(/^no cached configuration of sma_cross \(version [0-9a-f]{16}\) for regime all: serving the baseline \(families\.sma_cross\.baseline\)$/);
    expect((await best(cfg, dbm)).requested).toBeNull(); // already pending
    expect(new StrategyCache(dbm).pending().map((r) => [r.family, r.regime, r.trigger, r.ticker])).toEqual([['sma_cross', 'all', 'no_entry', data.series[0].ticker]]);
  });

  it('treats an entry older than cache.max_age_days as stale', async () => {
    const cfg = loadConfig({ dir: LENIENT });
    const dbm = new DatabaseManager(':memory:');
    new StrategyCache(dbm).adopt(entry(cfg), new Date('2020-12-01T00:00:00Z'));
    const a = await best(cfg, dbm);
    expect(a).toMatchObject({ source: 'baseline', requested: 'stale' });
    expect(a.reason).toMatch(/45\.0 days old; cache\.max_age_days is 30/);
    expect(a.entry?.data_hash).toBe(data.hash);
  });

  it('treats an entry chosen on data ending more than cache.max_data_lag_bars bars ago as stale', async () => {
    const cfg = loadConfig({ dir: LENIENT });
    const dbm = new DatabaseManager(':memory:');
    const cut = formatTime(data.series[0].time[T - 1 - 64]);
    new StrategyCache(dbm).adopt(entry(cfg, { window: { search: ['2000-01-03', '2015-12-31'], holdout: ['2016-01-04', cut] } }), new Date('2021-01-10T00:00:00Z'));
    const a = await best(cfg, dbm);
    expect(a).toMatchObject({ source: 'baseline', requested: 'stale' });
    expect(a.reason).toMatch(/ending 64 bars before this data's last bar; cache\.max_data_lag_bars is 63/);
    // 63 bars behind is still current.
    const dbm2 = new DatabaseManager(':memory:');
    new StrategyCache(dbm2).adopt(entry(cfg, { window: { search: ['2000-01-03', '2015-12-31'], holdout: ['2016-01-04', formatTime(data.series[0].time[T - 1 - 63])] } }), new Date('2021-01-10T00:00:00Z'));
    expect((await best(cfg, dbm2)).source).toBe('cache');
  });

  it('treats an entry that misses a performance criterion on the recent bars as failing, naming it', async () => {
    const strict = loadConfig({ dir: configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'max_drawdown'], 0.001), LENIENT) });
    const dbm = new DatabaseManager(':memory:');
    new StrategyCache(dbm).adopt(entry(strict), new Date('2021-01-10T00:00:00Z'));
    const a = await best(strict, dbm);
    expect(a).toMatchObject({ source: 'baseline', requested: 'performance' });
    expect(a.reason).toMatch(/over the last 252 bars \(\S+ \.\. \S+\) the cached configuration misses guardrails\.max_drawdown \(max_drawdown 0\.\d+, threshold 0\.001\)/);
  });

  it('keeps entries of other data sets, and prefers the one on the data at hand', async () => {
    const cfg = loadConfig({ dir: LENIENT });
    const dbm = new DatabaseManager(':memory:');
    const cache = new StrategyCache(dbm);
    cache.adopt(entry(cfg, { runId: 'on-this-data', params: { fast: 10, slow: 50 } }), new Date('2021-01-09T00:00:00Z'));
    cache.adopt(entry(cfg, { runId: 'on-other-data', dataHash: 'f'.repeat(64) }), new Date('2021-01-10T00:00:00Z'));
    expect(cache.entries().map((e) => e.run_id)).toEqual(['on-this-data', 'on-other-data']);
    expect(await best(cfg, dbm)).toMatchObject({ source: 'cache', run_id: 'on-this-data', params: { fast: 10, slow: 50 } });
  });

  it('judges win rate and profit factor only with min_total_trades trades; drawdown always', () => {
    const cfg = testConfig();
    const F = new Float64Array(METRIC_COUNT);
    F[Metric.win_rate] = 0;
    F[Metric.profit_factor] = 0;
    F[Metric.max_drawdown] = 0.9;
    F[Metric.total_trades] = cfg.quantSuccess.guardrails.min_total_trades - 1;
    expect(recentFailures(cfg, F).map((f) => f.key)).toEqual(['guardrails.max_drawdown']);
    F[Metric.total_trades] = cfg.quantSuccess.guardrails.min_total_trades;
    expect(recentFailures(cfg, F).map((f) => f.key)).toEqual(['guardrails.min_win_rate', 'guardrails.min_profit_factor', 'guardrails.max_drawdown']);
  });

  it('refuses an unknown regime key, and a family with nothing to serve, naming them', async () => {
    const cfg = testConfig();
    const dbm = new DatabaseManager(':memory:');
    await expect(best(cfg, dbm, { regime: 'vol=extreme' })).rejects.toThrow(/--regime vol=extreme: unknown regime key; the configured keys .* are vol=low\|/);
    const noBaseline = loadConfig({ dir: configDirWith('strategy_optimization_config.yml', (d) => d.deleteIn(['families', 'sma_cross', 'baseline'])) });
    await expect(best(noBaseline, dbm)).rejects.toThrow(/no cached configuration of sma_cross .* has no families\.sma_cross\.baseline to serve instead/);
    const outside = loadConfig({ dir: configDirWith('strategy_optimization_config.yml', (d) => d.setIn(['families', 'sma_cross', 'baseline', 'fast'], 500)) });
    await expect(best(outside, dbm)).rejects.toThrow(/families\.sma_cross\.baseline does not fit family sma_cross's space: fast = 500 is out of range/);
  });
});
