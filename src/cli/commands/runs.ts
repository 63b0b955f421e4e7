/**
 * `pnlopt runs`: the stored runs, oldest first: id, kind (the command that made it), families,
 * optimizer, status, start, budget, candidates stored, those that failed (from the run's summary),
 * the best value of the primary objective (an optimize run that completed), and whether it adopted
 * a configuration.
 *
 * Also the store access `show` and `export` share: the database from `--db` or
 * `runtime.database`, opened only when it exists (never created as a side effect), and a run
 * looked up by id.
 */
import { existsSync } from 'node:fs';
import type { PnloptConfig } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { numberFromJson } from '../../report/json.js';
import { DatabaseManager } from '../../store/database.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { RunStore, runFamilies, runKind, storedJson, type RunRow, type StoredRunStatus } from '../../store/run-store.js';
import { configFrom } from '../command-config.js';
import { dbPath } from '../data-args.js';
import { printResult, type CommonOptions } from '../options.js';
import { fmt, MAX_WIDTH, renderTable, type Cell } from '../table.js';

export interface StoreOptions extends CommonOptions {
  db?: string;
}

/** An open store and what it was opened from. */
export interface OpenStore {
  readonly path: string;
  readonly store: RunStore;
  /** The config, when it was loaded (no `--db`, or `--config-dir` given). */
  readonly cfg: PnloptConfig | undefined;
}

/**
 * Open the store the options name (`dbPath`: `--db`, else the environment or `runtime.database`),
 * run `fn` on it and close it. The config is loaded only when it is needed for the path (no
 * `--db`) or named (`--config-dir`). A missing database file is a `UsageError` naming it: opening
 * would create an empty store.
 */
export function withRunStore<T>(opts: StoreOptions, fn: (open: OpenStore) => T): T {
  const cfg = opts.db === undefined || opts.configDir !== undefined ? configFrom(opts) : undefined;
  const path = opts.db ?? dbPath(cfg!, undefined);
  if (!existsSync(path)) {
    throw new UsageError(`${opts.db !== undefined ? '--db ' : 'database '}${path}: no such file (runs are stored there by pnlopt optimize / evaluate)`);
  }
  let dbm: DatabaseManager;
  try {
    // Read-only: listing or exporting never migrates or writes a store.
    dbm = new DatabaseManager(path, MIGRATIONS, 'read');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${path}: cannot open as a pnlopt database: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return fn({ path, store: new RunStore(dbm), cfg });
  } finally {
    dbm.close();
  }
}

/** The stored run of this id or of this unique id prefix, or a `UsageError` naming it. */
export function findRun(open: OpenStore, runId: string): RunRow {
  const exact = open.store.run(runId);
  if (exact !== undefined) return exact;
  const ids = runId === '' ? [] : open.store.runIdsStartingWith(runId);
  if (ids.length > 1) throw new UsageError(`run ${runId}: more than one run id starts with it in ${open.path}; give more of the id`);
  const row = ids.length === 1 ? open.store.run(ids[0]) : undefined;
  if (row === undefined) throw new UsageError(`run ${runId}: no such run in ${open.path} (pnlopt runs lists them)`);
  return row;
}

/** The run's summary, when it has ended: a run that is running again (resumed) still holds its last session's summary. */
export function finishedSummary(row: RunRow): Record<string, unknown> | null {
  if (row.status === 'running') return null;
  const s = storedJson(row.summary_json);
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : null;
}

/** One line of `pnlopt runs --json`. */
export interface RunListing {
  readonly run_id: string;
  readonly kind: string;
  readonly command: string;
  readonly families: readonly string[];
  readonly optimizer: string | null;
  readonly status: StoredRunStatus;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly budget: number | null;
  /** Candidates stored (ok or failed). */
  readonly evaluated: number;
  /** Candidates that failed on every attempt, as the run's summary counts them; null without one (running, or recorded before failures were counted). */
  readonly failed: number | null;
  /** The objective the run ranked by (its stored optimizer settings), null when it has none (evaluate). */
  readonly primary_objective: string | null;
  /** Its value for the best candidate under constraints; null when there is none (not completed, nothing feasible, evaluate). */
  readonly best: number | null;
  /** Whether the run adopted a configuration; null for an evaluate run or a run that has not ended. */
  readonly adopted: boolean | null;
}

/** The primary objective a run recorded in its optimizer settings (`sampler_json.settings.primary_objective`). */
function recordedObjective(row: RunRow): string | null {
  const sampler = storedJson(row.sampler_json) as { settings?: { primary_objective?: unknown } } | null;
  const name = sampler?.settings?.primary_objective;
  return typeof name === 'string' ? name : null;
}

/** Every stored run (oldest first), with `status` only those. */
export function listRuns(store: RunStore, status?: StoredRunStatus, cfg?: PnloptConfig): RunListing[] {
  const counts = store.storedCounts();
  return store
    .runs()
    .filter((r) => status === undefined || r.status === status)
    .map((r) => {
      const kind = runKind(r.command);
      const summary = finishedSummary(r);
      const optimizeRun = kind === 'optimize';
      // A run is self-describing; the config is the fallback for a run that recorded no objective.
      const objective = optimizeRun ? (recordedObjective(r) ?? cfg?.strategy.optimizer.primary_objective ?? null) : null;
      const best = summary?.best as { metrics?: Record<string, unknown> } | null | undefined;
      const stored = objective !== null && best?.metrics !== undefined ? numberFromJson(best.metrics[objective]) : NaN;
      const value = Number.isNaN(stored) ? null : stored;
      return {
        run_id: r.run_id,
        kind,
        command: r.command,
        families: runFamilies(r),
        optimizer: r.optimizer,
        status: r.status,
        started_at: r.created_at,
        finished_at: r.finished_at,
        budget: r.budget,
        evaluated: counts.get(r.run_id) ?? 0,
        failed: typeof summary?.failed === 'number' ? summary.failed : null,
        primary_objective: objective,
        best: value,
        adopted: optimizeRun && typeof summary?.adopted === 'boolean' ? summary.adopted : null,
      };
    });
}

/** `2024-01-02T03:04:05.678Z` -> `2024-01-02 03:04` (UTC). */
export function shortTime(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').slice(0, 16);
}

/** Cut a cell to `width` columns, marking the cut. */
function cut(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, Math.max(1, width - 1)) + '…';
}

/** The listing as a table within `MAX_WIDTH` columns (a long family list is cut; `--json` has it whole). */
export function runsTable(runs: readonly RunListing[]): string {
  const objectives = new Set(runs.map((r) => r.primary_objective).filter((o): o is string => o !== null));
  // One objective: its name in the header and numbers in the column; several: name=value cells.
  const single = objectives.size <= 1;
  const bestHeader = single && objectives.size === 1 ? `best ${[...objectives][0]}` : 'best';
  const header = ['run_id', 'kind', 'families', 'optimizer', 'status', 'started (UTC)', 'budget', 'evaluated', 'failed', bestHeader, 'adopted'];
  const rows = (familyWidth: number): Cell[][] =>
    runs.map((r) => [
      r.run_id,
      r.kind,
      cut(r.families.join(','), familyWidth),
      r.optimizer ?? '-',
      r.status,
      shortTime(r.started_at),
      r.budget,
      r.evaluated,
      r.failed ?? '-',
      single ? r.best : r.best === null ? '-' : `${r.primary_objective}=${fmt(r.best)}`,
      r.adopted === null ? '-' : r.adopted ? 'yes' : 'no',
    ]);
  let table = renderTable(header, rows(Infinity));
  const widest = Math.max(...table.split('\n').map((l) => l.length));
  if (widest > MAX_WIDTH) {
    const families = Math.max(...runs.map((r) => r.families.join(',').length));
    table = renderTable(header, rows(Math.max('families'.length, families - (widest - MAX_WIDTH))));
  }
  return table;
}

export interface RunsOptions extends StoreOptions {
  status?: StoredRunStatus;
}

/** Run `pnlopt runs` (declared in runs-command.ts, which loads this module when the command runs). */
export function runsAction(opts: RunsOptions): void {
  withRunStore(opts, (open) => {
    const runs = listRuns(open.store, opts.status, open.cfg);
    printResult(opts, runs, () => {
      if (runs.length === 0) return `no ${opts.status !== undefined ? `${opts.status} ` : ''}runs in ${open.path}`;
      return `${runsTable(runs)}\n${runs.length} run(s) in ${open.path}\ndetails: pnlopt show RUN_ID; every candidate: pnlopt export RUN_ID --out FILE.csv`;
    });
  });
}
