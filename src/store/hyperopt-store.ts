/**
 * Hyperopt runs and their trials in the store (migration 9): a run's settings (what a resume must
 * find unchanged), one row per finished trial (written when the trial ends, so an interrupted run
 * keeps every finished trial), and the best trial with its re-run.
 */
import type { DatabaseManager } from './database.js';

export type HyperoptStatus = 'running' | 'interrupted' | 'completed' | 'failed';

export interface HyperoptRunRow {
  readonly run_id: string;
  readonly created_at: string;
  readonly finished_at: string | null;
  readonly status: HyperoptStatus;
  readonly rounds: number;
  readonly settings_json: string;
  readonly log_path: string;
  readonly best_json: string | null;
}

/** A finished trial as recorded (and logged). */
export interface TrialRecord {
  readonly trial: number;
  readonly arm: 'explore' | 'exploit';
  readonly explore_pct: number;
  readonly held: string;
  readonly params: Readonly<Record<string, number>>;
  /** Realized total_profit over the trial's paper window; null when the trial failed. */
  readonly score: number | null;
  readonly error: string | null;
  readonly duration_s: number;
  readonly trial_db: string;
}

export class HyperoptStore {
  constructor(private readonly dbm: DatabaseManager) {}

  run(runId: string): HyperoptRunRow | undefined {
    return this.dbm.db.prepare('SELECT * FROM hyperopt_runs WHERE run_id = ?').get(runId) as HyperoptRunRow | undefined;
  }

  createRun(runId: string, rounds: number, settings: unknown, logPath: string, now = new Date()): void {
    this.dbm.db
      .prepare("INSERT INTO hyperopt_runs (run_id, created_at, status, rounds, settings_json, log_path) VALUES (?, ?, 'running', ?, ?, ?)")
      .run(runId, now.toISOString(), rounds, JSON.stringify(settings), logPath);
  }

  setStatus(runId: string, status: HyperoptStatus, best: unknown = undefined, now = new Date()): void {
    this.dbm.db
      .prepare('UPDATE hyperopt_runs SET status = ?, finished_at = ?, best_json = COALESCE(?, best_json) WHERE run_id = ?')
      .run(status, status === 'running' ? null : now.toISOString(), best === undefined ? null : JSON.stringify(best), runId);
  }

  addTrial(runId: string, t: TrialRecord, now = new Date()): void {
    this.dbm.db
      .prepare(
        `INSERT INTO hyperopt_trials (run_id, trial, arm, explore_pct, held, params_json, score, error, duration_s, trial_db, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, t.trial, t.arm, t.explore_pct, t.held, JSON.stringify(t.params), t.score, t.error, t.duration_s, t.trial_db, now.toISOString());
  }

  trials(runId: string): TrialRecord[] {
    const rows = this.dbm.db.prepare('SELECT * FROM hyperopt_trials WHERE run_id = ? ORDER BY trial').all(runId) as (Omit<TrialRecord, 'params'> & { params_json: string })[];
    return rows.map(({ params_json, ...r }) => ({ trial: r.trial, arm: r.arm, explore_pct: r.explore_pct, held: r.held, params: JSON.parse(params_json) as Record<string, number>, score: r.score, error: r.error, duration_s: r.duration_s, trial_db: r.trial_db }));
  }
}
