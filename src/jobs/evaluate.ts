/**
 * The evaluate job: a given population (one candidate per row of a candidates table) over the
 * worker pool, every finished batch stored as it lands; the rows written back with their metrics,
 * in input order, when the run completes. An interrupted run keeps what finished and is resumed
 * by id (`RunSession`), evaluating only what it has not stored. The candidates trade the
 * evaluation window (`tradedWindow`: the whole data unless `evaluation.start` / `end` say otherwise).
 */
import type { PnloptConfig } from '../config/load.js';
import type { ParamLayout } from '../config/param-layout.js';
import { writeResultsCsv, type CandidateTable } from '../data/candidates-csv.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData } from '../data/types.js';
import { codeVersion } from '../paths.js';
import { evaluateCandidates, type EvaluationReport, type PoolSettings } from '../pool/coordinator.js';
import { RunStore, type NewRun } from '../store/run-store.js';
import { storeOf, type StoreSource } from '../store/database.js';
import { createEvaluator } from '../simulation/evaluator.js';
import { buildContext, type ForecastProgress } from './context.js';
import { RunSession, sessionOptions } from './run-lifecycle.js';
import { tradedWindow, type TradedWindow } from './windows.js';

export interface EvaluateRequest {
  readonly cfg: PnloptConfig;
  readonly layout: ParamLayout;
  readonly table: CandidateTable;
  /** CSV written when the run completes. */
  readonly out: string;
  readonly data: MarketData;
  readonly tickers?: readonly string[] | undefined;
  readonly feeBps?: number | undefined;
  readonly pool: PoolSettings;
  /** The store, or how to open it once every input is checked (`StoreSource`). */
  readonly dbm: StoreSource;
  readonly resume?: string | undefined;
  /** Command line recorded with a new run. */
  readonly command: string;
  /** Aborting it interrupts the run. */
  readonly signal?: AbortSignal | undefined;
  /** The settings a resume restores (the command line, resolved); stored with a new run. */
  readonly invocation?: unknown;
  /** Called once the run is open, with its id and the candidates left to evaluate. */
  readonly onStart?: (runId: string, pending: number, total: number) => void;
  /** Called after each stored batch with the candidates done in this session. */
  readonly onProgress?: (done: number) => void;
  /** Called as the forecast columns are computed (not when they come whole from the cache). */
  readonly onForecasts?: ((p: ForecastProgress) => void) | undefined;
}

export interface EvaluateSummary {
  readonly run_id: string;
  readonly status: 'completed' | 'interrupted' | 'failed';
  readonly candidates: number;
  /** Candidates already stored before this session (resume). */
  readonly already_done: number;
  readonly evaluated: number;
  /** Candidates stored as failed (their batch failed on every attempt), the first one's error, and the policy the run followed. */
  readonly failed: number;
  readonly first_error: string | null;
  readonly on_batch_failure: PoolSettings['onBatchFailure'];
  /** The bars traded (`evaluation.start` .. `evaluation.end`) and their dates. */
  readonly window: TradedWindow;
  /** The output file, when the run completed. */
  readonly out: string | null;
  readonly workers: number;
  readonly batch_size: number;
  readonly seconds: number;
}

/** Run the job; the run record and every finished batch are in the store whatever happens. */
export async function runEvaluation(req: EvaluateRequest): Promise<EvaluateSummary> {
  const t0 = performance.now();
  const { cfg, layout, table } = req;
  const panel = alignPanel(req.data, req.tickers);
  const window = tradedWindow(cfg, panel.time);
  const ctx = await buildContext(cfg, layout, panel, req.data.hash, { ...window, feeBps: req.feeBps }, { threads: req.pool.workers, signal: req.signal, onProgress: req.onForecasts });
  // Before the store is opened: a family that cannot run on this data (sma_cross on several tickers) writes nothing.
  createEvaluator(layout, ctx);
  const record: NewRun = {
    command: req.command,
    family: layout.family,
    optimizer: null,
    seed: null,
    configHash: cfg.hash,
    dataHash: req.data.hash,
    codeVersion: codeVersion(),
    sampler: { candidates_csv: table.file, sha256: table.sha256, candidates: table.n },
    dataWindow: { tickers: panel.tickers, bars: panel.T, ...ctx.settings, dates: window.dates },
    budget: table.n,
  };
  const dbm = storeOf(req.dbm);
  const store = new RunStore(dbm);
  const session = RunSession.open(store, record, req.resume, sessionOptions(cfg, dbm, () => req.invocation ?? null));
  const { runId, writes } = session;
  const done = store.evaluatedMask(runId, table.n);
  const pending = Int32Array.from({ length: table.n - done.reduce((s, v) => s + v, 0) });
  for (let i = 0, k = 0; i < table.n; i++) if (done[i] === 0) pending[k++] = i;
  req.onStart?.(runId, pending.length, table.n);
  const report: EvaluationReport = await session.run(() =>
    evaluateCandidates(
      layout,
      ctx,
      table.X,
      pending,
      req.pool,
      {
        // Finished batches are stored by the flush policy (`runtime.flush_interval_s` / `flush_rows`),
        // many per transaction: a commit per small batch would cost more than storing its rows.
        ok: (ids, F) => writes.push(() => store.writeEvaluated(runId, layout, table.X, ids, F), ids.length),
        failed: (ids, error) => writes.push(() => store.writeFailed(runId, layout, table.X, ids, error), ids.length),
      },
      { ...(req.signal !== undefined ? { signal: req.signal } : {}), ...(req.onProgress !== undefined ? { onProgress: req.onProgress } : {}) },
    ),
  );
  const summary: EvaluateSummary = {
    run_id: runId,
    status: report.status,
    candidates: table.n,
    already_done: table.n - pending.length,
    evaluated: report.evaluated,
    failed: report.failed,
    first_error: report.firstError,
    on_batch_failure: req.pool.onBatchFailure,
    window,
    out: report.status === 'completed' ? req.out : null,
    workers: report.workers,
    batch_size: report.batchSize,
    seconds: (performance.now() - t0) / 1000,
  };
  // The CSV first: if it cannot be written (a closed pipe, a full disk), the run is not recorded
  // as completed, so a resume writes it.
  if (report.status === 'completed') writeResultsCsv(req.out, table, store.chunks(runId));
  session.finish(report.status, summary);
  return summary;
}
