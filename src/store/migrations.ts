/**
 * Versioned schema. Each migration runs once, in a transaction, and bumps `PRAGMA user_version`;
 * never edit a released migration, add a new one.
 */
import type { Database } from 'better-sqlite3';
import { convertLegacyCandidates } from './legacy-candidates.js';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
  /** Data conversion run after `sql`, in the same transaction. */
  readonly convert?: (db: Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'market data, executions, strategy cache, optimization runs and candidates, drift, data quality',
    sql: `
      CREATE TABLE ohlcv (
        ticker TEXT NOT NULL,
        ts INTEGER NOT NULL,            -- epoch milliseconds UTC
        open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (ticker, ts)
      ) WITHOUT ROWID;

      CREATE TABLE trade_executions (
        id INTEGER PRIMARY KEY,
        run_id TEXT, candidate_id INTEGER,
        ticker TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('long', 'short')),
        entry_ts INTEGER NOT NULL, exit_ts INTEGER,
        units REAL NOT NULL, entry_price REAL NOT NULL, exit_price REAL,
        fees REAL NOT NULL DEFAULT 0,
        expected_return REAL, realized_pnl REAL
      );
      CREATE INDEX trade_executions_ticker ON trade_executions (ticker, exit_ts);

      CREATE TABLE strategy_configs (
        id INTEGER PRIMARY KEY,
        family TEXT NOT NULL, family_version TEXT NOT NULL,
        regime TEXT NOT NULL,
        params_json TEXT NOT NULL, metrics_json TEXT NOT NULL, holdout_metrics_json TEXT,
        run_id TEXT NOT NULL, data_hash TEXT NOT NULL,
        created_at TEXT NOT NULL, status TEXT NOT NULL,
        UNIQUE (family, family_version, regime)
      );

      CREATE TABLE optimization_runs (
        run_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, finished_at TEXT,
        status TEXT NOT NULL,           -- running | completed | interrupted | failed
        command TEXT NOT NULL,
        family TEXT, optimizer TEXT, sampler_json TEXT,
        seed TEXT, config_hash TEXT NOT NULL, data_hash TEXT NOT NULL, data_window_json TEXT,
        param_ranges_json TEXT, regime_json TEXT, constraints_json TEXT,
        code_version TEXT NOT NULL, budget INTEGER, summary_json TEXT
      );

      CREATE TABLE optimization_candidates (
        run_id TEXT NOT NULL REFERENCES optimization_runs (run_id),
        candidate_id INTEGER NOT NULL,
        status TEXT NOT NULL,           -- ok | failed
        params_json TEXT NOT NULL,
        metrics_json TEXT, holdout_metrics_json TEXT,
        feasible INTEGER, violation REAL, front_rank INTEGER, crowding REAL,
        error TEXT,
        PRIMARY KEY (run_id, candidate_id)
      ); -- a rowid table: its rows are wide JSON, which a WITHOUT ROWID b-tree inserts at half the speed

      CREATE TABLE split_drift_metrics (
        id INTEGER PRIMARY KEY,
        ticker TEXT NOT NULL, split_ts INTEGER NOT NULL,
        psi REAL, vol_psi REAL, volatility_ratio REAL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE data_quality_snapshots (
        id INTEGER PRIMARY KEY,
        ticker TEXT NOT NULL, source TEXT NOT NULL, data_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        rows INTEGER NOT NULL, first_ts INTEGER, last_ts INTEGER,
        median_step_ms REAL, gaps INTEGER NOT NULL, largest_gap_ms REAL,
        volume_mean REAL, volume_std REAL, volume_min REAL, volume_max REAL, zero_volume_bars INTEGER NOT NULL
      );
      CREATE INDEX data_quality_snapshots_ticker ON data_quality_snapshots (ticker, created_at);
    `,
  },
  {
    version: 2,
    description: 'run invocation (self-contained resume) and the run lock',
    sql: `
      ALTER TABLE optimization_runs ADD COLUMN invocation_json TEXT;  -- the settings a resume restores
      ALTER TABLE optimization_runs ADD COLUMN lock_owner TEXT;       -- JSON {pid, host} of the process running it, NULL when none
      ALTER TABLE optimization_runs ADD COLUMN heartbeat_at TEXT;     -- refreshed while the owner runs
    `,
  },
  {
    version: 3,
    description: 'the family of each candidate (a multi-family run mixes them)',
    sql: `
      ALTER TABLE optimization_candidates ADD COLUMN family TEXT;      -- NULL in rows stored before version 3
    `,
  },
  {
    version: 4,
    description: 'candidates in columnar form: typed BLOBs per stored batch (src/store/candidate-tables.ts)',
    sql: `
      CREATE TABLE run_families (
        run_id TEXT NOT NULL REFERENCES optimization_runs (run_id),
        family TEXT NOT NULL,
        columns_json TEXT NOT NULL,     -- [{name, choices?}]: how the family's parameter rows decode
        PRIMARY KEY (run_id, family)
      );
      CREATE TABLE candidate_batches (
        batch_id INTEGER PRIMARY KEY,   -- write order
        run_id TEXT NOT NULL REFERENCES optimization_runs (run_id),
        family TEXT NOT NULL,
        first_id INTEGER NOT NULL, last_id INTEGER NOT NULL, count INTEGER NOT NULL,
        ids BLOB NOT NULL,              -- int32 candidate ids
        params BLOB NOT NULL,           -- float64, count x the family's columns
        metrics BLOB NOT NULL           -- float64, count x the metrics (METRIC_NAMES order)
      );
      CREATE INDEX candidate_batches_run ON candidate_batches (run_id, first_id);
      CREATE TABLE candidate_failures (
        run_id TEXT NOT NULL REFERENCES optimization_runs (run_id),
        candidate_id INTEGER NOT NULL,
        family TEXT NOT NULL,
        params BLOB NOT NULL,
        error TEXT NOT NULL,
        PRIMARY KEY (run_id, candidate_id)
      );
      CREATE TABLE candidate_rankings (
        run_id TEXT PRIMARY KEY REFERENCES optimization_runs (run_id),
        count INTEGER NOT NULL,
        front_rank BLOB NOT NULL,       -- int32 per candidate id, -1 unranked
        crowding BLOB NOT NULL,         -- float64
        violation BLOB NOT NULL         -- float64
      );
      CREATE TABLE candidate_holdout (
        run_id TEXT NOT NULL REFERENCES optimization_runs (run_id),
        candidate_id INTEGER NOT NULL,
        metrics BLOB NOT NULL,          -- float64 metric row
        PRIMARY KEY (run_id, candidate_id)
      );
    `,
    convert: convertLegacyCandidates,
  },
  {
    version: 5,
    description: 'drop the per-candidate JSON table, converted by migration 4',
    sql: `
      DROP TABLE optimization_candidates;
    `,
  },
  {
    version: 6,
    description: 'the strategy cache keyed by evaluation data set and window too, re-optimization requests, and the regime each ticker was last seen in',
    sql: `
      ALTER TABLE strategy_configs RENAME TO strategy_configs_v1;
      CREATE TABLE strategy_configs (
        id INTEGER PRIMARY KEY,
        family TEXT NOT NULL,
        family_version TEXT NOT NULL,   -- hash of the family's search space and kernel code
        regime TEXT NOT NULL,           -- regime key, e.g. vol=high|trend=bear; 'all' for a run over every bar
        data_hash TEXT NOT NULL,
        window_json TEXT NOT NULL,      -- {"search": [first, last], "holdout": [first, last]} dates; {} for rows from before version 6
        params_json TEXT NOT NULL, metrics_json TEXT NOT NULL, holdout_metrics_json TEXT,
        run_id TEXT NOT NULL, created_at TEXT NOT NULL, status TEXT NOT NULL,
        UNIQUE (family, family_version, regime, data_hash, window_json)
      );
      INSERT INTO strategy_configs (id, family, family_version, regime, data_hash, window_json, params_json, metrics_json, holdout_metrics_json, run_id, created_at, status)
        SELECT id, family, family_version, regime, data_hash, '{}', params_json, metrics_json, holdout_metrics_json, run_id, created_at, status FROM strategy_configs_v1;
      DROP TABLE strategy_configs_v1;
      CREATE TABLE reoptimization_requests (
        id INTEGER PRIMARY KEY,
        family TEXT NOT NULL,
        regime TEXT NOT NULL,
        ticker TEXT,                    -- the ticker whose data fired it, when one did
        trigger TEXT NOT NULL,          -- no_entry | stale | regime_change | performance | drift
        reason TEXT NOT NULL,           -- one readable sentence
        details_json TEXT NOT NULL,     -- what fired it: the values and the thresholds
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,           -- pending | done
        run_id TEXT                     -- the run that carried it out
      );
      -- One pending request per family, regime and trigger: asking again does not queue a second run.
      CREATE UNIQUE INDEX reoptimization_requests_pending ON reoptimization_requests (family, regime, trigger) WHERE status = 'pending';
      CREATE TABLE regime_observations (
        ticker TEXT PRIMARY KEY,
        regime TEXT NOT NULL,           -- the regime key at the last bar the check saw
        since TEXT NOT NULL,            -- first day of that regime's segment
        last_bar TEXT NOT NULL,         -- the last bar's day
        drift_split TEXT,               -- first day of the later window of the latest drift row checked (null: none yet)
        data_hash TEXT NOT NULL,
        checked_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    description: 'paper trading: one trade_executions row per fill, and the paper sessions',
    sql: `
      CREATE TABLE paper_sessions (
        session_id TEXT PRIMARY KEY,    -- hash of family, tickers, initial capital and data source
        family TEXT NOT NULL,
        tickers_json TEXT NOT NULL,     -- the basket, in trading order
        initial_capital REAL NOT NULL,
        created_at TEXT NOT NULL,
        first_ts INTEGER NOT NULL,      -- the first bar replayed (epoch ms)
        last_ts INTEGER NOT NULL,       -- the last bar replayed: a resume starts after it
        bars INTEGER NOT NULL,
        state_json TEXT NOT NULL        -- what fills alone do not give: pending orders, stop levels, blocks
      );
      -- Version 1's round-trip table, never written by pnlopt: kept as trade_executions_v1 only if
      -- another tool filled it (dropped when empty, by the conversion).
      DROP INDEX trade_executions_ticker;
      ALTER TABLE trade_executions RENAME TO trade_executions_v1;
      CREATE TABLE trade_executions (
        id INTEGER PRIMARY KEY,         -- fill order
        session_id TEXT NOT NULL REFERENCES paper_sessions (session_id),
        ts INTEGER NOT NULL,            -- the bar whose open (or intrabar stop) filled it, epoch ms
        ticker TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        quantity REAL NOT NULL CHECK (quantity > 0),
        price REAL NOT NULL,
        fees REAL NOT NULL,
        slippage REAL NOT NULL,         -- quantity x |price - the reference price before slippage|
        realized_pnl REAL,              -- set on the fill that closes a trade, null on an opening fill
        family TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('cache', 'baseline')),
        config_id INTEGER REFERENCES strategy_configs (id),  -- the cache entry of the trade, null for the baseline
        regime TEXT NOT NULL,           -- the ticker's regime when the trade was decided
        mode TEXT                       -- regime_state.yml mode of the ticker (exploration | exploitation), null without the file
      );
      CREATE INDEX trade_executions_session ON trade_executions (session_id, ts);
      CREATE INDEX trade_executions_ticker ON trade_executions (ticker, ts);
      CREATE INDEX trade_executions_config ON trade_executions (config_id);
    `,
    convert: (db) => {
      const { n } = db.prepare('SELECT count(*) AS n FROM trade_executions_v1').get() as { n: number };
      if (n === 0) db.exec('DROP TABLE trade_executions_v1');
    },
  },
  {
    version: 8,
    description: 'a re-adopted configuration with other parameters is a new cache entry, so realized trades stay with the parameters that made them',
    sql: `
      -- Rebuilt in place (no rename: trade_executions refers to it by name; foreign keys are off while migrating).
      CREATE TABLE strategy_configs_v7 AS SELECT * FROM strategy_configs;
      DROP TABLE strategy_configs;
      CREATE TABLE strategy_configs (
        id INTEGER PRIMARY KEY,
        family TEXT NOT NULL,
        family_version TEXT NOT NULL,
        regime TEXT NOT NULL,
        data_hash TEXT NOT NULL,
        window_json TEXT NOT NULL,
        params_json TEXT NOT NULL, metrics_json TEXT NOT NULL, holdout_metrics_json TEXT,
        run_id TEXT NOT NULL, created_at TEXT NOT NULL, status TEXT NOT NULL,
        UNIQUE (family, family_version, regime, data_hash, window_json, params_json)
      );
      INSERT INTO strategy_configs SELECT id, family, family_version, regime, data_hash, window_json, params_json, metrics_json, holdout_metrics_json, run_id, created_at, status FROM strategy_configs_v7;
      DROP TABLE strategy_configs_v7;
    `,
  },
  {
    version: 9,
    description: 'hyperopt runs and their trials (the higher-order driver)',
    sql: `
      CREATE TABLE hyperopt_runs (
        run_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, finished_at TEXT,
        status TEXT NOT NULL,           -- running | interrupted | completed | failed
        rounds INTEGER NOT NULL,
        settings_json TEXT NOT NULL,    -- what a resume must find unchanged: seed, policy, dimensions, tickers, windows, config and data hashes
        log_path TEXT NOT NULL,         -- the JSON-lines log, one line per trial
        best_json TEXT                  -- {trial, params, score, run_id}: the best trial and its re-run
      );
      CREATE TABLE hyperopt_trials (
        run_id TEXT NOT NULL REFERENCES hyperopt_runs (run_id),
        trial INTEGER NOT NULL,
        arm TEXT NOT NULL CHECK (arm IN ('explore', 'exploit')),
        explore_pct REAL NOT NULL,      -- the share the arm was drawn with
        held TEXT NOT NULL,             -- the meta-parameter held constant
        params_json TEXT NOT NULL,
        score REAL,                     -- realized total_profit of the trial's paper window; null: the trial failed
        error TEXT,                     -- why it failed
        duration_s REAL NOT NULL,
        trial_db TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (run_id, trial)
      );
    `,
  },
];
