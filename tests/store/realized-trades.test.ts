/** Realized performance from trade_executions: the last-N window per ticker, the filtered figures, and their pure computation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatabaseManager } from '../../src/store/database.js';
import { lastRealizedPnl, realizedMetricsOf, realizedPerformance } from '../../src/store/realized-trades.js';
import { closedTrades, insertFills } from '../helpers/paper-fills.js';

describe('lastRealizedPnl', () => {
  it('keeps per ticker the last n closed trades, oldest first, by ts then fill order; a ticker with only opening fills has none', () => {
    const dbm = new DatabaseManager(':memory:');
    insertFills(dbm, [
      { ts: 1, ticker: 'MSFT', pnl: null },
      ...closedTrades('MSFT', [1, 2, 3, 4, 5]),
      // Same ts as MSFT's 5th trade (ts 5), inserted later: it comes after it.
      { ts: 5, ticker: 'MSFT', pnl: 6 },
      // An earlier ts inserted last: ordered by ts, so it is older than all but the first.
      { ts: 0, ticker: 'MSFT', pnl: -100 },
      { ts: 7, ticker: 'AAPL', pnl: null },
      ...closedTrades('SPX', [10, 20], { session: 's2' }),
    ]);
    const last = lastRealizedPnl(dbm, 3);
    expect([...last.keys()]).toEqual(['AAPL', 'MSFT', 'SPX']);
    expect(last.get('MSFT')).toEqual([4, 5, 6]);
    expect(last.get('AAPL')).toEqual([]);
    expect(last.get('SPX')).toEqual([10, 20]);
    expect(lastRealizedPnl(dbm, 10).get('MSFT')).toEqual([-100, 1, 2, 3, 4, 5, 6]);
    dbm.close();
  });

  it('reads an empty table as no ticker', () => {
    const dbm = new DatabaseManager(':memory:');
    expect(lastRealizedPnl(dbm, 5).size).toBe(0);
    dbm.close();
  });
});

describe('realizedMetricsOf', () => {
  it('computes the docs/metrics.md figures by hand', () => {
    // pnl 100, -50, 30, -80, 20 from 1000: equity 1100, 1050, 1080, 1000, 1020.
    // Wins 3 of 5 = 0.6; profit factor (100 + 30 + 20) / (50 + 80) = 150 / 130; total 20;
    // drawdown from the 1100 peak to 1000: 1 - 1000 / 1100 = 1 / 11.
    const m = realizedMetricsOf(Float64Array.of(100, -50, 30, -80, 20), 1000);
    expect(m.total_trades).toBe(5);
    expect(m.win_rate).toBe(0.6);
    expect(m.profit_factor).toBeCloseTo(150 / 130, 14);
    expect(m.total_pnl).toBe(20);
    expect(m.max_drawdown).toBeCloseTo(1 / 11, 14);
  });

  it('counts the initial capital as a peak, and follows the edge cases of win rate and profit factor', () => {
    // A first loss of 100 from 1000 is a 10% drawdown.
    expect(realizedMetricsOf(Float64Array.of(-100, 50), 1000).max_drawdown).toBeCloseTo(0.1, 15);
    // No trade: win rate undefined (NaN), no losing trade (+Infinity), no drawdown.
    expect(realizedMetricsOf(new Float64Array(0), 1000)).toEqual({ total_trades: 0, win_rate: NaN, profit_factor: Infinity, total_pnl: 0, max_drawdown: 0 });
    // Losses only: profit factor 0, win rate 0; 1000 -> 990 -> 970 is a 3% drawdown.
    const losses = realizedMetricsOf(Float64Array.of(-10, -20), 1000);
    expect([losses.win_rate, losses.profit_factor, losses.total_pnl]).toEqual([0, 0, -30]);
    expect(losses.max_drawdown).toBeCloseTo(0.03, 15);
    // A zero-pnl trade neither wins nor loses: 1 win of 2, no losing trade.
    expect(realizedMetricsOf(Float64Array.of(0, 10), 1000)).toMatchObject({ win_rate: 0.5, profit_factor: Infinity, max_drawdown: 0 });
  });

  it('agrees with a direct computation from the definitions on generated trades', () => {
    const pnl = fc.array(fc.double({ min: -500, max: 500, noNaN: true }), { maxLength: 40 });
    fc.assert(
      fc.property(pnl, (xs) => {
        const m = realizedMetricsOf(Float64Array.from(xs), 1000);
        const wins = xs.filter((x) => x > 0);
        const losses = xs.filter((x) => x < 0);
        let e = 1000;
        let peak = 1000;
        let dd = 0;
        for (const x of xs) {
          e += x;
          peak = Math.max(peak, e);
          dd = Math.max(dd, (peak - e) / peak);
        }
        const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
        expect(m.total_trades).toBe(xs.length);
        expect(m.win_rate).toBe(xs.length === 0 ? NaN : wins.length / xs.length);
        if (losses.length === 0) expect(m.profit_factor).toBe(Infinity);
        else expect(m.profit_factor).toBeCloseTo(sum(wins) / -sum(losses), 9);
        expect(m.max_drawdown).toBeCloseTo(dd, 12);
      }),
    );
  });
});

describe('realizedPerformance', () => {
  it('reads the closed trades matching every given field, in fill order, with their sessions', () => {
    const dbm = new DatabaseManager(':memory:');
    dbm.db.prepare(`INSERT INTO strategy_configs (id, family, family_version, regime, data_hash, window_json, params_json, metrics_json, run_id, created_at, status)
      VALUES (7, 'sma_cross', 'v1', 'all', 'd', '{}', '{}', '{}', 'r', '2024-01-01T00:00:00Z', 'adopted')`).run();
    insertFills(dbm, [
      { ts: 3, ticker: 'MSFT', pnl: -50, session: 'b', configId: 7 },
      { ts: 1, ticker: 'MSFT', pnl: 100, session: 'a', configId: 7 },
      { ts: 2, ticker: 'MSFT', pnl: null, session: 'a', configId: 7 },
      { ts: 4, ticker: 'MSFT', pnl: 30, session: 'a', configId: null, regime: 'vol=high' },
      { ts: 5, ticker: 'MSFT', pnl: 5, session: 'c', configId: 7, family: 'ts_ensemble' },
    ]);
    // config 7: 100 (ts 1), -50 (ts 3), 5 (ts 5): equity 1100, 1050, 1055.
    const byConfig = realizedPerformance(dbm, { configId: 7 }, 1000);
    expect(byConfig).toMatchObject({ total_trades: 3, total_pnl: 55, sessions: ['a', 'b', 'c'] });
    expect(byConfig.max_drawdown).toBeCloseTo(1 - 1050 / 1100, 15);
    expect(realizedPerformance(dbm, { configId: 7, family: 'sma_cross' }, 1000)).toMatchObject({ total_trades: 2, total_pnl: 50, profit_factor: 2 });
    expect(realizedPerformance(dbm, { regime: 'vol=high' }, 1000)).toMatchObject({ total_trades: 1, total_pnl: 30, sessions: ['a'] });
    expect(realizedPerformance(dbm, { sessionId: 'a' }, 1000)).toMatchObject({ total_trades: 2, total_pnl: 130 });
    expect(realizedPerformance(dbm, { configId: 8 }, 1000)).toMatchObject({ total_trades: 0, sessions: [] });
    dbm.close();
  });
});
