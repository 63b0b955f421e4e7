/**
 * Paper sessions in the store (migration 7): `paper_sessions`, one row per session with the
 * engine state fills alone do not give, and `trade_executions`, one row per fill. A bar's fills
 * and the session's new state are written in one transaction, so a session killed at any point
 * resumes after its last whole bar.
 */
import type { DatabaseManager } from './database.js';

/** A `trade_executions` row as written (the id is the fill order). */
export interface ExecutionRow {
  readonly ts: number;
  readonly ticker: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number;
  readonly fees: number;
  readonly slippage: number;
  readonly realized_pnl: number | null;
  readonly family: string;
  readonly source: 'cache' | 'baseline';
  readonly config_id: number | null;
  readonly regime: string;
  readonly mode: string | null;
}

/** A `paper_sessions` row. */
export interface PaperSessionRow {
  readonly session_id: string;
  readonly family: string;
  readonly tickers_json: string;
  readonly initial_capital: number;
  readonly created_at: string;
  readonly first_ts: number;
  readonly last_ts: number;
  readonly bars: number;
  readonly state_json: string;
}

export interface NewSession {
  readonly sessionId: string;
  readonly family: string;
  readonly tickers: readonly string[];
  readonly initialCapital: number;
}

/** Cash, positions and equity as the fills and the closes give them. */
export interface Books {
  readonly cash: number;
  readonly positions: Record<string, number>;
  readonly equity: number;
  readonly realizedPnl: number;
  readonly fills: number;
  /** Fills that closed a trade. */
  readonly trades: number;
}

/**
 * The books of a list of fills (in fill order) from the closes alone: cash = initial - sum over
 * buys of (quantity x price + fees) + sum over sells of (quantity x price - fees), positions = the
 * signed quantities summed, equity = cash + sum of positions x last close.
 * @param lastClose each held ticker's close at the valuation bar
 */
export function booksOf(fills: readonly Pick<ExecutionRow, 'ticker' | 'side' | 'quantity' | 'price' | 'fees' | 'realized_pnl'>[], initialCapital: number, lastClose: (ticker: string) => number): Books {
  let cash = initialCapital;
  let realized = 0;
  let trades = 0;
  const positions = new Map<string, number>();
  for (const f of fills) {
    const sign = f.side === 'buy' ? 1 : -1;
    cash -= sign * f.quantity * f.price + f.fees;
    positions.set(f.ticker, (positions.get(f.ticker) ?? 0) + sign * f.quantity);
    if (f.realized_pnl !== null) {
      realized += f.realized_pnl;
      trades++;
    }
  }
  let equity = cash;
  const held: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [ticker, units] of [...positions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    held[ticker] = units;
    if (units !== 0) equity += units * lastClose(ticker);
  }
  return { cash, positions: held, equity, realizedPnl: realized, fills: fills.length, trades };
}

export class PaperBook {
  constructor(private readonly dbm: DatabaseManager) {}

  session(sessionId: string): PaperSessionRow | undefined {
    return this.dbm.db.prepare('SELECT * FROM paper_sessions WHERE session_id = ?').get(sessionId) as PaperSessionRow | undefined;
  }

  sessions(): PaperSessionRow[] {
    return this.dbm.db.prepare('SELECT * FROM paper_sessions ORDER BY created_at, session_id').all() as PaperSessionRow[];
  }

  fills(sessionId: string): ExecutionRow[] {
    return this.dbm.db
      .prepare('SELECT ts, ticker, side, quantity, price, fees, slippage, realized_pnl, family, source, config_id, regime, mode FROM trade_executions WHERE session_id = ? ORDER BY id')
      .all(sessionId) as ExecutionRow[];
  }

  /**
   * Record bars of a session: its fills and the state after the last of them, in one transaction
   * (the session's row is created with its first bars).
   * @param ts the bars' times, epoch ms, in order
   */
  recordBars(session: NewSession, ts: readonly number[], fills: readonly ExecutionRow[], stateJson: string, now: Date): void {
    if (ts.length === 0) return;
    const db = this.dbm.db;
    const insertFill = db.prepare(
      `INSERT INTO trade_executions (session_id, ts, ticker, side, quantity, price, fees, slippage, realized_pnl, family, source, config_id, regime, mode)
       VALUES (@session_id, @ts, @ticker, @side, @quantity, @price, @fees, @slippage, @realized_pnl, @family, @source, @config_id, @regime, @mode)`,
    );
    db.transaction(() => {
      const existing = this.session(session.sessionId);
      if (existing === undefined) {
        db.prepare(
          `INSERT INTO paper_sessions (session_id, family, tickers_json, initial_capital, created_at, first_ts, last_ts, bars, state_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(session.sessionId, session.family, JSON.stringify(session.tickers), session.initialCapital, now.toISOString(), ts[0], ts[ts.length - 1], ts.length, stateJson);
      } else {
        if (!(ts[0] > existing.last_ts)) throw new Error(`paper session ${session.sessionId}: bar ${ts[0]} is not after the last recorded bar ${existing.last_ts}`);
        db.prepare('UPDATE paper_sessions SET last_ts = ?, bars = bars + ?, state_json = ? WHERE session_id = ?').run(ts[ts.length - 1], ts.length, stateJson, session.sessionId);
      }
      for (const f of fills) insertFill.run({ session_id: session.sessionId, ...f });
    })();
  }
}
