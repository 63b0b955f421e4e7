/**
 * The strategy cache in the store (`strategy_configs`, migrations 6 and 8): the configuration adopted
 * per family, family version, regime and evaluation data set (data hash and windows), so a run on
 * other data or other windows adds an entry instead of overwriting; a run on the same ones adopting
 * the same parameters refreshes that entry, and other parameters are a new entry (the paper trades
 * of an entry, `trade_executions.config_id`, stay with the parameters that made them). And the re-optimization requests (`reoptimization_requests`) that a baseline fallback or a
 * trigger records, one pending per family, regime and trigger.
 */
import { jsonNumbers } from '../report/json.js';
import type { DatabaseManager } from './database.js';

/** A configuration adopted for a family and regime on one evaluation data set. */
export interface Adoption {
  readonly family: string;
  /** Identifies the family's search space and kernel code (`familyVersion`). */
  readonly familyVersion: string;
  readonly regime: string;
  readonly runId: string;
  readonly dataHash: string;
  /** The evaluation windows' dates, part of the key. */
  readonly window: { readonly search: readonly [string, string]; readonly holdout: readonly [string, string] };
  readonly params: Record<string, number | string>;
  readonly metrics: Record<string, number>;
  readonly holdoutMetrics: Record<string, number>;
}

/** A `strategy_configs` row as stored. */
export interface StrategyConfigRow {
  readonly id: number;
  readonly family: string;
  readonly family_version: string;
  readonly regime: string;
  readonly data_hash: string;
  readonly window_json: string;
  readonly params_json: string;
  readonly metrics_json: string;
  readonly holdout_metrics_json: string | null;
  readonly run_id: string;
  readonly created_at: string;
  readonly status: string;
}

export const TRIGGERS = ['no_entry', 'stale', 'regime_change', 'performance', 'drift'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export interface ReoptimizationRequest {
  readonly family: string;
  readonly regime: string;
  readonly ticker: string | null;
  readonly trigger: Trigger;
  readonly reason: string;
  /** What fired it: values and thresholds. */
  readonly details: Record<string, unknown>;
}

/** A `reoptimization_requests` row as stored. */
export interface ReoptimizationRow {
  readonly id: number;
  readonly family: string;
  readonly regime: string;
  readonly ticker: string | null;
  readonly trigger: Trigger;
  readonly reason: string;
  readonly details_json: string;
  readonly created_at: string;
  readonly status: 'pending' | 'done';
  readonly run_id: string | null;
}

export class StrategyCache {
  constructor(private readonly dbm: DatabaseManager) {}

  /** Record the adopted configuration; replaces the entry of the same family, version, regime, data and windows. */
  adopt(a: Adoption, now = new Date()): void {
    this.dbm.db
      .prepare(
        `INSERT INTO strategy_configs (family, family_version, regime, data_hash, window_json, params_json, metrics_json, holdout_metrics_json, run_id, created_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'adopted')
         ON CONFLICT (family, family_version, regime, data_hash, window_json, params_json) DO UPDATE SET
           metrics_json = excluded.metrics_json, holdout_metrics_json = excluded.holdout_metrics_json, run_id = excluded.run_id,
           created_at = excluded.created_at, status = excluded.status`,
      )
      .run(
        a.family, a.familyVersion, a.regime, a.dataHash, JSON.stringify({ search: a.window.search, holdout: a.window.holdout }),
        JSON.stringify(a.params), JSON.stringify(a.metrics, jsonNumbers), JSON.stringify(a.holdoutMetrics, jsonNumbers), a.runId, now.toISOString(),
      );
  }

  /** Every entry, by family, version, regime and age (oldest first). */
  entries(): StrategyConfigRow[] {
    return this.dbm.db.prepare('SELECT * FROM strategy_configs ORDER BY family, family_version, regime, created_at, id').all() as StrategyConfigRow[];
  }

  /** The entries of a family version and regime, newest first. */
  entriesFor(family: string, familyVersion: string, regime: string): StrategyConfigRow[] {
    return this.dbm.db
      .prepare('SELECT * FROM strategy_configs WHERE family = ? AND family_version = ? AND regime = ? ORDER BY created_at DESC, id DESC')
      .all(family, familyVersion, regime) as StrategyConfigRow[];
  }

  /** Record a pending request; false when one is already pending for the family, regime and trigger. */
  request(r: ReoptimizationRequest, now = new Date()): boolean {
    const info = this.dbm.db
      .prepare(
        `INSERT INTO reoptimization_requests (family, regime, ticker, trigger, reason, details_json, created_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT DO NOTHING`,
      )
      .run(r.family, r.regime, r.ticker, r.trigger, r.reason, JSON.stringify(r.details, jsonNumbers), now.toISOString());
    return info.changes === 1;
  }

  /** Pending requests, oldest first. */
  pending(): ReoptimizationRow[] {
    return this.dbm.db.prepare(`SELECT * FROM reoptimization_requests WHERE status = 'pending' ORDER BY created_at, id`).all() as ReoptimizationRow[];
  }

  /** Every request, oldest first. */
  requests(): ReoptimizationRow[] {
    return this.dbm.db.prepare('SELECT * FROM reoptimization_requests ORDER BY created_at, id').all() as ReoptimizationRow[];
  }

  /** Mark the pending requests of a family and regime done by `runId`. */
  done(family: string, regime: string, runId: string): number {
    return this.dbm.db.prepare(`UPDATE reoptimization_requests SET status = 'done', run_id = ? WHERE family = ? AND regime = ? AND status = 'pending'`).run(runId, family, regime).changes;
  }
}
