/**
 * `split_drift_metrics`: distribution drift of a ticker's returns across a split between two
 * consecutive windows (src/jobs/regime.ts). A split is measured again on every regime run, so a
 * write replaces the rows of the same ticker and split instead of piling up copies; all rows of
 * one write go in one transaction.
 */
import type { DatabaseManager } from './database.js';

export interface DriftRow {
  readonly ticker: string;
  /** First bar of the later window, epoch ms UTC. */
  readonly splitTs: number;
  /** PSI of the later window's returns against the earlier one's. */
  readonly psi: number;
  /** PSI of the absolute returns (the bars' realised volatility). */
  readonly volPsi: number;
  /** Std of the later window's returns over the earlier one's. */
  readonly volatilityRatio: number;
}

export interface StoredDriftRow extends DriftRow {
  readonly createdAt: string;
}

/**
 * Record `rows`, replacing stored rows of the same ticker and split.
 * @returns the number of rows written
 */
export function writeDriftMetrics(dbm: DatabaseManager, rows: readonly DriftRow[], now = new Date()): number {
  const remove = dbm.db.prepare('DELETE FROM split_drift_metrics WHERE ticker = ? AND split_ts = ?');
  const insert = dbm.db.prepare(
    'INSERT INTO split_drift_metrics (ticker, split_ts, psi, vol_psi, volatility_ratio, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const createdAt = now.toISOString();
  return dbm.transaction(() => {
    for (const r of rows) {
      remove.run(r.ticker, r.splitTs);
      insert.run(r.ticker, r.splitTs, r.psi, r.volPsi, r.volatilityRatio, createdAt);
    }
    return rows.length;
  });
}

/** Every stored drift row, by ticker and split (the read side, so tests and reports need no SQL). */
export function storedDriftMetrics(dbm: DatabaseManager): StoredDriftRow[] {
  return dbm.db
    .prepare(
      `SELECT ticker, split_ts AS splitTs, psi, vol_psi AS volPsi, volatility_ratio AS volatilityRatio, created_at AS createdAt
       FROM split_drift_metrics ORDER BY ticker, split_ts, id`,
    )
    .all() as StoredDriftRow[];
}
