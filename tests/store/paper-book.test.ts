/** Paper sessions and fills in the store: the books identity by hand, bars recorded whole, and migrations 7 and 8 on stores with data. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseManager } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { booksOf, PaperBook, type ExecutionRow } from '../../src/store/paper-book.js';
import { StrategyCache } from '../../src/store/strategy-cache.js';

const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-paper-book-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fill = (over: Partial<ExecutionRow>): ExecutionRow => ({
  ts: 0, ticker: 'A', side: 'buy', quantity: 1, price: 1, fees: 0, slippage: 0, realized_pnl: null, family: 'ts_ensemble', source: 'baseline', config_id: null, regime: 'all', mode: null, ...over,
});
const session = { sessionId: 's1', family: 'ts_ensemble', tickers: ['A', 'B'], initialCapital: 1000 };

describe('booksOf', () => {
  it('gives cash, positions and equity from the fills and the closes (by hand)', () => {
    const fills = [
      fill({ ticker: 'A', side: 'buy', quantity: 2, price: 100, fees: 1 }), // cash 1000 - 201 = 799
      fill({ ticker: 'B', side: 'sell', quantity: 3, price: 50, fees: 0.5 }), // short: 799 + 149.5 = 948.5
      fill({ ticker: 'A', side: 'sell', quantity: 2, price: 110, fees: 1, realized_pnl: 18 }), // 948.5 + 219 = 1167.5
    ];
    const b = booksOf(fills, 1000, (t) => ({ A: 120, B: 40 })[t]!);
    expect(b.cash).toBe(1167.5);
    expect(b.positions).toEqual({ A: 0, B: -3 });
    expect(b.equity).toBe(1167.5 - 3 * 40);
    expect([b.realizedPnl, b.trades, b.fills]).toEqual([18, 1, 3]);
  });
});

describe('PaperBook', () => {
  it('records a bar\'s fills and the state together, and refuses a bar at or before the last one', () => {
    const dbm = new DatabaseManager(':memory:');
    const book = new PaperBook(dbm);
    book.recordBars(session, [10], [fill({ ts: 10 })], '{"n":1}', new Date('2026-01-01T00:00:00Z'));
    book.recordBars(session, [20, 30], [], '{"n":3}', new Date('2026-01-02T00:00:00Z'));
    expect(book.session('s1')).toMatchObject({ first_ts: 10, last_ts: 30, bars: 3, state_json: '{"n":3}', created_at: '2026-01-01T00:00:00.000Z', tickers_json: '["A","B"]' });
    expect(() => book.recordBars(session, [30], [fill({ ts: 30 })], '{}', new Date())).toThrow(/is not after the last recorded bar 30/);
    // The refused bar left nothing behind.
    expect(book.fills('s1')).toHaveLength(1);
    expect(book.session('s1')!.state_json).toBe('{"n":3}');
  });
});

describe('migrations 7 and 8 on a store with data', () => {
  it('keep cache entries and the fills that refer to them; a re-adoption with other parameters is a new entry', () => {
    const path = join(tmp, 'v6.db');
    const v6 = new DatabaseManager(path, MIGRATIONS.filter((m) => m.version <= 6));
    const adoption = {
      family: 'ts_ensemble', familyVersion: 'v', regime: 'all', runId: 'r1', dataHash: 'd', window: { search: ['2000-01-03', '2010-12-31'], holdout: ['2011-01-03', '2015-12-31'] } as const,
      params: { a: 1 }, metrics: {}, holdoutMetrics: {},
    };
    // As version 6's code wrote it (today's adopt needs version 8's key).
    v6.db
      .prepare("INSERT INTO strategy_configs (family, family_version, regime, data_hash, window_json, params_json, metrics_json, run_id, created_at, status) VALUES ('ts_ensemble', 'v', 'all', 'd', ?, '{\"a\":1}', '{}', 'r1', '2026-01-01T00:00:00.000Z', 'adopted')")
      .run(JSON.stringify(adoption.window));
    v6.close();
    const v7 = new DatabaseManager(path, MIGRATIONS.filter((m) => m.version <= 7));
    const id = new StrategyCache(v7).entries()[0].id;
    new PaperBook(v7).recordBars(session, [10], [fill({ ts: 10, source: 'cache', config_id: id })], '{}', new Date());
    v7.close();
    const now = new DatabaseManager(path);
    expect(now.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    expect(now.db.pragma('foreign_key_check')).toEqual([]);
    const cache = new StrategyCache(now);
    expect(cache.entries().map((e) => [e.id, e.run_id])).toEqual([[id, 'r1']]);
    expect(new PaperBook(now).fills('s1')[0].config_id).toBe(id);
    cache.adopt({ ...adoption, runId: 'r2', params: { a: 2 } });
    expect(cache.entries().map((e) => e.run_id)).toEqual(['r1', 'r2']);
    now.close();
  });

  it('migration 7 drops the unused round-trip table, and keeps it (renamed) when another tool filled it', () => {
    const filled = join(tmp, 'v6-filled.db');
    const v6 = new DatabaseManager(filled, MIGRATIONS.filter((m) => m.version <= 6));
    v6.db.prepare("INSERT INTO trade_executions (ticker, side, entry_ts, units, entry_price) VALUES ('A', 'long', 1, 2, 3)").run();
    v6.close();
    const names = (dbm: DatabaseManager) => (dbm.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'trade_executions%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    const a = new DatabaseManager(filled);
    expect(names(a)).toEqual(['trade_executions', 'trade_executions_v1']);
    a.close();
    const b = new DatabaseManager(':memory:');
    expect(names(b)).toEqual(['trade_executions']);
    b.close();
  });
});
