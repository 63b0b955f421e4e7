/** Paper fills written straight into `trade_executions` (migration 7), for tests of what reads them. */
import type { DatabaseManager } from '../../src/store/database.js';

export interface TestFill {
  readonly ts: number;
  readonly ticker: string;
  /** Realized pnl of the trade this fill closes; null for an opening fill. */
  readonly pnl: number | null;
  readonly session?: string;
  readonly configId?: number | null;
  readonly family?: string;
  readonly regime?: string;
}

/** Insert `fills` in order (ids ascending), creating their paper sessions. */
export function insertFills(dbm: DatabaseManager, fills: readonly TestFill[]): void {
  const session = dbm.db.prepare(
    `INSERT OR IGNORE INTO paper_sessions (session_id, family, tickers_json, initial_capital, created_at, first_ts, last_ts, bars, state_json)
     VALUES (?, 'sma_cross', '[]', 100000, '2024-01-01T00:00:00Z', 0, 0, 0, '{}')`,
  );
  const fill = dbm.db.prepare(
    `INSERT INTO trade_executions (session_id, ts, ticker, side, quantity, price, fees, slippage, realized_pnl, family, source, config_id, regime, mode)
     VALUES (?, ?, ?, ?, 1, 100, 0, 0, ?, ?, ?, ?, ?, NULL)`,
  );
  dbm.transaction(() => {
    for (const f of fills) {
      const id = f.session ?? 's1';
      session.run(id);
      const configId = f.configId ?? null;
      fill.run(id, f.ts, f.ticker, f.pnl === null ? 'buy' : 'sell', f.pnl, f.family ?? 'sma_cross', configId === null ? 'baseline' : 'cache', configId, f.regime ?? 'all');
    }
  });
}

/** Closing fills of `ticker` with these pnls, at ts 1, 2, 3, ... */
export function closedTrades(ticker: string, pnl: readonly number[], extra: Partial<TestFill> = {}): TestFill[] {
  return pnl.map((p, i) => ({ ...extra, ts: (extra.ts ?? 0) + i + 1, ticker, pnl: p }));
}
