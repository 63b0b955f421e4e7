/**
 * `bestConfigurations` judging a cache entry on its realized paper trades (trade_executions rows
 * with config_id = the entry): with min_total_trades of them the realized win rate, profit factor
 * and drawdown decide, otherwise the recent backtest; the answer reports the realized figures.
 * Fixtures as in best.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { paramLayout } from '../../src/config/param-layout.js';
import { loadMarketData } from '../../src/data/load.js';
import { formatTime } from '../../src/data/validate.js';
import { bestConfigurations } from '../../src/jobs/best.js';
import { familyVersion } from '../../src/simulation/families/index.js';
import { DatabaseManager } from '../../src/store/database.js';
import { StrategyCache } from '../../src/store/strategy-cache.js';
import { configDirWith } from '../helpers/config-dir.js';
import { closedTrades, insertFills } from '../helpers/paper-fills.js';

const SP500 = join(import.meta.dirname, '..', '..', 'data', 'sp500_daily_ohlcv_2000_2020.csv');
const data = loadMarketData([SP500]);
const T = data.series[0].time.length;
const NOW = new Date('2021-01-15T00:00:00Z');
const LENIENT = configDirWith('quant_success_config.yml', (d) => {
  d.setIn(['guardrails', 'min_win_rate'], 0);
  d.setIn(['guardrails', 'min_profit_factor'], 0);
  d.setIn(['guardrails', 'max_drawdown'], 1);
});
/** Lenient but for drawdown: the recent backtest of the entry (20/100 on the S&P 500) draws down more than 0.1%. */
const STRICT_DD = configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'max_drawdown'], 0.001), LENIENT);

/** A store with one fresh sma_cross 20/100 entry for regime `all`; its id. */
function storeWithEntry(cfg: PnloptConfig): { dbm: DatabaseManager; id: number } {
  const dbm = new DatabaseManager(':memory:');
  const cache = new StrategyCache(dbm);
  cache.adopt(
    {
      family: 'sma_cross', familyVersion: familyVersion(paramLayout(cfg, 'sma_cross', [])), regime: 'all', runId: 'run-a', dataHash: data.hash,
      window: { search: ['2000-01-03', '2015-12-31'], holdout: ['2016-01-04', formatTime(data.series[0].time[T - 1])] },
      params: { fast: 20, slow: 100 }, metrics: {}, holdoutMetrics: {},
    },
    new Date('2021-01-10T00:00:00Z'),
  );
  return { dbm, id: cache.entries()[0].id };
}

async function best(cfg: PnloptConfig, dbm: DatabaseManager) {
  const [a] = await bestConfigurations({ cfg, data, families: ['sma_cross'], regime: 'all', dbm, now: NOW });
  return a;
}

describe('best: realized performance as the trigger source', () => {
  it('fails an entry whose realized drawdown breaks the criterion, though its backtest passes, naming the trades and sessions', async () => {
    const lenient = loadConfig({ dir: LENIENT });
    const { dbm, id } = storeWithEntry(lenient);
    const backtestDd = (await best(lenient, dbm)).metrics.max_drawdown;
    // Realized: +100k, then -550k from a 1.1M peak: drawdown 0.5, far above the backtest's.
    const cfg = loadConfig({ dir: configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'max_drawdown'], 0.4), LENIENT) });
    expect(backtestDd).toBeLessThan(0.4);
    const g = cfg.quantSuccess.guardrails;
    expect(cfg.strategy.simulation.initial_capital).toBe(1_000_000);
    insertFills(dbm, [
      ...closedTrades('SPX', [100_000, -550_000, 1, 1, 1], { session: 'p1', configId: id }),
      ...closedTrades('SPX', [1], { session: 'p2', configId: id, ts: 10 }),
    ]);
    const a = await best(cfg, dbm);
    expect(a).toMatchObject({ source: 'baseline', requested: 'performance' });
    expect(a.reason).toMatch(/^over its 6 realized paper trades \(sessions p1, p2\) the cached configuration misses guardrails\.max_drawdown \(max_drawdown 0\.5, threshold 0\.4\)/);
    expect(a.realized).toMatchObject({ total_trades: 6, judged: true, sessions: ['p1', 'p2'], total_pnl: -449_996, max_drawdown: 0.5, win_rate: 5 / 6 });
    expect(g.min_total_trades).toBeLessThanOrEqual(6);
    const [req] = new StrategyCache(dbm).pending();
    expect(JSON.parse(req.details_json)).toMatchObject({ entry_id: id, realized: { total_trades: 6, max_drawdown: 0.5 } });
  });

  it('serves an entry whose realized trades meet the criteria, though its recent backtest fails', async () => {
    const cfg = loadConfig({ dir: STRICT_DD });
    const { dbm, id } = storeWithEntry(cfg);
    expect((await best(cfg, dbm)).source).toBe('baseline'); // the backtest alone fails it
    const n = cfg.quantSuccess.guardrails.min_total_trades;
    insertFills(dbm, closedTrades('SPX', Array(n).fill(10), { session: 'p1', configId: id }));
    const a = await best(cfg, dbm);
    expect(a).toMatchObject({ source: 'cache', requested: null, realized: { total_trades: n, judged: true, win_rate: 1, profit_factor: Infinity, max_drawdown: 0 } });
    expect(a.reason).toMatch(new RegExp(`meets the performance criteria over its ${n} realized paper trades \\(sessions p1\\)$`));
  });

  it('keeps the backtest check below min_total_trades realized trades, and ignores other entries\' trades', async () => {
    const cfg = loadConfig({ dir: STRICT_DD });
    const { dbm, id } = storeWithEntry(cfg);
    const n = cfg.quantSuccess.guardrails.min_total_trades;
    insertFills(dbm, [
      ...closedTrades('SPX', Array(n - 1).fill(10), { session: 'p1', configId: id }),
      ...closedTrades('SPX', Array(n).fill(10), { session: 'p2', configId: null, ts: 100 }),
    ]);
    const a = await best(cfg, dbm);
    expect(a).toMatchObject({ source: 'baseline', requested: 'performance', realized: { total_trades: n - 1, judged: false, sessions: ['p1'] } });
    expect(a.reason).toMatch(/^over the last 252 bars \(\S+ \.\. \S+\) the cached configuration misses guardrails\.max_drawdown/);
    const fresh = storeWithEntry(cfg);
    expect((await best(cfg, fresh.dbm)).realized).toBeNull();
  });
});
