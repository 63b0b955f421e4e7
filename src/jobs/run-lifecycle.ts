/**
 * What every stored run goes through, written once for the optimize and evaluate jobs: the run
 * record is created with the settings a resume restores (or an interrupted run is checked against
 * the job and reopened), the run is locked to this process (`RunLocks`: a second process cannot
 * run it at the same time; a killed owner's lock is stale), finished batches wait in a write
 * queue and are written in transactions, and a run ends `completed`, `interrupted` or `failed`
 * with its summary and its lock released. A run that throws is recorded as failed with the error,
 * after whatever was queued has been written.
 */
import type { PnloptConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import type { DatabaseManager } from '../store/database.js';
import { RunLocks, thisProcess } from '../store/run-lock.js';
import type { NewRun, RunRow, RunStore, StoredRunStatus } from '../store/run-store.js';

/** How a session records and locks its run. */
export interface SessionOptions {
  readonly locks: RunLocks;
  /** The settings a resume restores (the command line, resolved), given the new run's id; stored with it. */
  readonly invocation: (runId: string) => unknown;
  /** Heartbeat period of the lock, ms. */
  readonly heartbeatMs: number;
  readonly flush: FlushPolicy;
  /** The id of a new run (default: a random UUID); a resume keeps its run's. */
  readonly runId?: string | undefined;
}

/** Session options from config: locks on `dbm`, stale after `runtime.lock_stale_s`, refreshed three times as often; the flush policy. */
export function sessionOptions(cfg: PnloptConfig, dbm: DatabaseManager, invocation: (runId: string) => unknown, runId?: string): SessionOptions {
  const { lock_stale_s: staleS, flush_interval_s: flushS, flush_rows: flushRows } = cfg.runtime.runtime;
  return { locks: new RunLocks(dbm, staleS * 1000), invocation, heartbeatMs: (staleS * 1000) / 3, flush: { intervalMs: flushS * 1000, rows: flushRows }, runId };
}

/** When queued writes are due: `rows` candidates queued, or `intervalMs` since the last flush. */
export interface FlushPolicy {
  readonly intervalMs: number;
  readonly rows: number;
}

/**
 * Store writes waiting for the next flush, one closure per batch (not per candidate). Each push says
 * how many candidate rows it writes, and the queue flushes itself once the policy's rows are waiting
 * or its interval has passed, so a search whose generations simulate nothing (every candidate a
 * repeat) still stores as it goes, and what waits in memory is bounded. A timer flushes what waits
 * when the interval passes with no further push (the next batch may take long, or hang), so a kill
 * loses at most that interval of finished work.
 */
export class WriteQueue {
  private readonly writes: (() => void)[] = [];
  private rows = 0;
  private lastFlush: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly policy: FlushPolicy,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.lastFlush = clock();
  }

  /** Queue `write`, which stores `rows` candidates; flush when that makes the queue due. */
  push(write: () => void, rows = 0): void {
    this.writes.push(write);
    this.rows += rows;
    if (this.rows >= this.policy.rows || this.clock() - this.lastFlush >= this.policy.intervalMs) this.flush();
    else this.flushLater();
  }

  /** Write everything queued in one transaction; on failure the queue is kept, nothing is lost. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlush = this.clock();
    if (this.writes.length === 0) return;
    this.store.transaction(() => this.writes.forEach((w) => w()));
    this.writes.length = 0;
    this.rows = 0;
  }

  private flushLater(): void {
    if (this.timer !== undefined || !Number.isFinite(this.policy.intervalMs)) return;
    const wait = Math.max(0, this.policy.intervalMs - (this.clock() - this.lastFlush));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.flush();
      } catch {
        // Kept in the queue: the job's next flush writes it again and reports a failure that lasts.
      }
    }, wait);
    // A pending flush must not keep the process alive: the job flushes when it ends.
    this.timer.unref();
  }
}

/**
 * What a resumed run must share with the job that resumes it, each with the stored column and the
 * new record's value. The candidates file is identified by its content hash, not its path.
 */
function resumeChecks(row: RunRow, run: NewRun): [what: string, stored: unknown, now: unknown][] {
  return [
    ['family', row.family, run.family],
    ['optimizer', row.optimizer, run.optimizer],
    ['seed', row.seed, run.seed],
    ['budget', row.budget, run.budget],
    ['config (config_hash)', row.config_hash, run.configHash],
    ['data (data_hash)', row.data_hash, run.dataHash],
    ['code version', row.code_version, run.codeVersion],
    ['candidates (sampler)', samplerIdentity(row.sampler_json), samplerIdentity(JSON.stringify(run.sampler))],
    ['tickers, windows and simulation settings', row.data_window_json, JSON.stringify(run.dataWindow)],
  ];
}

/** The sampler record without the candidates file's path (a resume may name the same file another way). */
function samplerIdentity(json: string | null): string | null {
  if (json === null) return null;
  const { candidates_csv: _path, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** One stored run, from its record to its end. */
export class RunSession {
  readonly writes: WriteQueue;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    readonly store: RunStore,
    readonly runId: string,
    /** True when this session continues an interrupted run. */
    readonly resumed: boolean,
    private readonly opts: SessionOptions,
  ) {
    this.writes = new WriteQueue(store, opts.flush);
    // Keeps the lock fresh through long phases without writes (forecast columns); never keeps the process alive.
    this.heartbeat = setInterval(() => opts.locks.heartbeat(runId), opts.heartbeatMs).unref();
  }

  /**
   * A new run for `record`, or, with `resume`, the stored run of that id after checking that it
   * was made by the same job and is not completed.
   */
  static open(store: RunStore, record: NewRun, resume: string | undefined, opts: SessionOptions): RunSession {
    if (resume === undefined) {
      if (opts.runId !== undefined && store.run(opts.runId) !== undefined) throw new UsageError(`run ${opts.runId} already exists in the database`);
      const runId = store.createRun(record, opts.runId);
      opts.locks.setInvocation(runId, opts.invocation(runId));
      opts.locks.claim(runId, thisProcess());
      return new RunSession(store, runId, false, opts);
    }
    const row = store.run(resume);
    if (row === undefined) throw new UsageError(`--resume ${resume}: no such run in the database`);
    const differences = resumeChecks(row, record)
      .filter(([, stored, now]) => stored !== now)
      .map(([what, stored, now]) => `${what}: the run has ${String(stored)}, this command has ${String(now)}`);
    if (differences.length > 0) throw new UsageError(`--resume ${resume}: the run was started with other inputs\n${differences.join('\n')}`);
    if (row.status === 'completed') throw new UsageError(`--resume ${resume}: the run is already completed`);
    opts.locks.claim(resume, thisProcess());
    return new RunSession(store, resume, true, opts);
  }

  /**
   * Run the session's work. Whatever ends it, what is queued is written first; an error (the
   * first one, if flushing fails too) marks the run failed and is rethrown.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (err) {
      try {
        this.writes.flush();
      } catch {
        // The work's own error is the one reported.
      }
      this.fail(err);
      throw err;
    }
    try {
      this.writes.flush();
    } catch (err) {
      this.fail(err);
      throw err;
    }
    return result;
  }

  /** Record how the run ended, with its summary, and release its lock. */
  finish(status: Exclude<StoredRunStatus, 'running'>, summary: unknown): void {
    clearInterval(this.heartbeat);
    this.store.transaction(() => {
      this.store.finishRun(this.runId, status, summary);
      this.opts.locks.release(this.runId);
    });
  }

  private fail(err: unknown): void {
    this.finish('failed', { error: err instanceof Error ? err.message : String(err) });
  }
}
