/**
 * Realized performance, read from `trade_executions` (migration 7: one row per paper fill; a fill
 * that closes a trade carries the trade's `realized_pnl`, an opening fill null). Fills are ordered
 * by `ts`, then `id` (the fill order). Two reads:
 *
 * - `lastRealizedPnl`: per ticker, the realized PnL of its last N closed trades (the regime state's
 *   window, src/jobs/regime-state.ts);
 * - `realizedPerformance`: the closed trades matching a filter (a cache entry, a family, a regime, a
 *   session) as the figures the performance triggers judge (src/jobs/best.ts), computed by the pure
 *   `realizedMetricsOf` with the definitions of docs/metrics.md.
 */
import { accFinish, accReset, accTrade, ACC_SIZE, Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { DatabaseManager } from './database.js';

/** Figures of a sequence of closed trades (docs/metrics.md definitions). */
export interface RealizedMetrics {
  readonly total_trades: number;
  /** Trades with pnl > 0 / total_trades; NaN with no trade. */
  readonly win_rate: number;
  /** Sum of winning pnl / |sum of losing pnl|; +Infinity with no losing trade, 0 with losses and no wins. */
  readonly profit_factor: number;
  /** Sum of the trades' realized pnl, in account currency. */
  readonly total_pnl: number;
  /** Max drawdown of initial + cumulative realized pnl, a positive fraction; the initial capital counts as a peak. */
  readonly max_drawdown: number;
}

/** `RealizedMetrics` of the trades matching a filter, with the paper sessions they came from. */
export interface RealizedPerformance extends RealizedMetrics {
  /** Distinct `session_id`s of the trades, sorted. */
  readonly sessions: readonly string[];
}

/** Which closed trades `realizedPerformance` reads: every given field must match. */
export interface RealizedFilter {
  readonly configId?: number;
  readonly family?: string;
  readonly regime?: string;
  readonly sessionId?: string;
}

/**
 * Per ticker with any fill, the realized pnl of its last `n` closed trades, oldest first (empty
 * when none of its trades has closed yet).
 * @param n the window, N >= 1
 * @returns a Map keyed by ticker (user text: no object keys), tickers in sorted order
 */
export function lastRealizedPnl(dbm: DatabaseManager, n: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const tickers = (dbm.db.prepare('SELECT DISTINCT ticker FROM trade_executions').pluck().all() as string[]).sort();
  for (const t of tickers) out.set(t, []);
  const rows = dbm.db
    .prepare(
      `SELECT ticker, realized_pnl FROM (
         SELECT ticker, realized_pnl, ts, id, row_number() OVER (PARTITION BY ticker ORDER BY ts DESC, id DESC) AS k
         FROM trade_executions WHERE realized_pnl IS NOT NULL)
       WHERE k <= ? ORDER BY ticker, ts, id`,
    )
    .all(n) as { ticker: string; realized_pnl: number }[];
  for (const r of rows) out.get(r.ticker)!.push(r.realized_pnl);
  return out;
}

/** The closed trades of one configuration: a cache entry, or a family's baseline. */
export interface RealizedGroup {
  readonly family: string;
  readonly source: 'cache' | 'baseline';
  readonly config_id: number | null;
  /** Regimes its trades were decided in, sorted. */
  readonly regimes: readonly string[];
  readonly sessions: readonly string[];
  /** Realized pnl of its closed trades, in fill order. */
  readonly pnl: Float64Array;
}

/** Every configuration with a closed trade matching `filter`, by family, then source, then entry. */
export function realizedGroups(dbm: DatabaseManager, filter: Pick<RealizedFilter, 'family' | 'regime'>): RealizedGroup[] {
  const rows = dbm.db
    .prepare(
      `SELECT family, source, config_id, regime, session_id, realized_pnl FROM trade_executions
       WHERE realized_pnl IS NOT NULL AND (@family IS NULL OR family = @family) AND (@regime IS NULL OR regime = @regime)
       ORDER BY family, source, config_id, ts, id`,
    )
    .all({ family: filter.family ?? null, regime: filter.regime ?? null }) as { family: string; source: 'cache' | 'baseline'; config_id: number | null; regime: string; session_id: string; realized_pnl: number }[];
  const groups: RealizedGroup[] = [];
  let from = 0;
  for (let i = 1; i <= rows.length; i++) {
    const a = rows[from];
    if (i < rows.length && rows[i].family === a.family && rows[i].source === a.source && rows[i].config_id === a.config_id) continue;
    const part = rows.slice(from, i);
    groups.push({
      family: a.family, source: a.source, config_id: a.config_id, regimes: [...new Set(part.map((r) => r.regime))].sort(),
      sessions: [...new Set(part.map((r) => r.session_id))].sort(), pnl: Float64Array.from(part, (r) => r.realized_pnl),
    });
    from = i;
  }
  return groups;
}

/** The closed trades matching `filter`, in fill order, as `RealizedPerformance` over `initialCapital`. */
export function realizedPerformance(dbm: DatabaseManager, filter: RealizedFilter, initialCapital: number): RealizedPerformance {
  const where = ['realized_pnl IS NOT NULL'];
  const args: (string | number)[] = [];
  const match = (column: string, v: string | number | undefined) => {
    if (v === undefined) return;
    where.push(`${column} = ?`);
    args.push(v);
  };
  match('config_id', filter.configId);
  match('family', filter.family);
  match('regime', filter.regime);
  match('session_id', filter.sessionId);
  const rows = dbm.db
    .prepare(`SELECT session_id, realized_pnl FROM trade_executions WHERE ${where.join(' AND ')} ORDER BY ts, id`)
    .all(...args) as { session_id: string; realized_pnl: number }[];
  const pnl = Float64Array.from(rows, (r) => r.realized_pnl);
  return { ...realizedMetricsOf(pnl, initialCapital), sessions: [...new Set(rows.map((r) => r.session_id))].sort() };
}

/**
 * The figures of closed trades with realized pnl `pnl` (in order) from `initial` capital. Win rate
 * and profit factor come from the metric accumulator every kernel uses, so they are the backtests'
 * definitions exactly; the equity curve is initial + the cumulative pnl after each trade.
 */
export function realizedMetricsOf(pnl: Float64Array, initial: number): RealizedMetrics {
  const acc = new Float64Array(ACC_SIZE);
  accReset(acc, initial);
  let total = 0;
  let peak = initial;
  let worst = 0;
  for (const p of pnl) {
    // No forecast at entry: the calibration inputs are unused.
    accTrade(acc, p, NaN, initial + total);
    total += p;
    const equity = initial + total;
    if (equity > peak) peak = equity;
    worst = Math.max(worst, 1 - equity / peak);
  }
  const F = new Float64Array(METRIC_COUNT);
  // No bar path was accumulated, so the per-bar metrics (and their periods per year) are unused.
  accFinish(acc, initial, 1, false, F, 0);
  return { total_trades: pnl.length, win_rate: F[Metric.win_rate], profit_factor: F[Metric.profit_factor], total_pnl: total, max_drawdown: worst };
}
