/**
 * `regime_observations` (migration 6): per ticker, the regime `pnlopt check-triggers` last saw at
 * the ticker's last bar, and the latest drift split it checked, so that a regime change or a drift
 * fires once, on the check that first sees it.
 */
import type { DatabaseManager } from './database.js';

/** A `regime_observations` row; days as `formatTime` writes them. */
export interface RegimeObservation {
  readonly ticker: string;
  readonly regime: string;
  /** First day of the regime's segment. */
  readonly since: string;
  readonly last_bar: string;
  /** First day of the later window of the latest drift row checked; null when the series had none. */
  readonly drift_split: string | null;
  readonly data_hash: string;
  readonly checked_at: string;
}

export class RegimeObservations {
  constructor(private readonly dbm: DatabaseManager) {}

  /** The ticker's last observation, if any. */
  get(ticker: string): RegimeObservation | undefined {
    return this.dbm.db.prepare('SELECT * FROM regime_observations WHERE ticker = ?').get(ticker) as RegimeObservation | undefined;
  }

  /** Record (or replace) the ticker's observation. */
  put(o: Omit<RegimeObservation, 'checked_at'>, now = new Date()): void {
    this.dbm.db
      .prepare(
        `INSERT INTO regime_observations (ticker, regime, since, last_bar, drift_split, data_hash, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ticker) DO UPDATE SET regime = excluded.regime, since = excluded.since, last_bar = excluded.last_bar,
           drift_split = excluded.drift_split, data_hash = excluded.data_hash, checked_at = excluded.checked_at`,
      )
      .run(o.ticker, o.regime, o.since, o.last_bar, o.drift_split, o.data_hash, now.toISOString());
  }
}
