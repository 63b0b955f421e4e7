/** `config/runtime_config.yml`: where things live and how the tool reports, not what it computes. */
import { z } from 'zod';
import { int, name, num } from './schema-helpers.js';

export const RuntimeConfig = z.strictObject({
  runtime: z.strictObject({
    /** Data set used when a command is given no `--data` (paths relative to the project root). */
    default_data: z.array(name()).min(1),
    database: name(),
    cache_dir: name(),
    /** Size cap of the forecast cache files under `cache_dir`; least recently used files go first. */
    cache_max_bytes: int(1, Infinity),
    /** Folder of each optimization run's output (summary.json), relative to the working directory. */
    runs_dir: name(),
    progress_log_interval_s: num(0, Infinity, { exclusiveMin: true }),
    /** A running run's lock is stale when its owner (on another host) has not refreshed it for this long. */
    lock_stale_s: num(0, Infinity, { exclusiveMin: true }),
    /** Finished candidates wait in memory at most this long, or this many rows, before they are stored. */
    flush_interval_s: num(0, Infinity, { exclusiveMin: true }),
    flush_rows: int(1, 1e9),
    /** Cap of each family's memo of evaluated configurations (a repeat takes its row instead of a simulation). */
    memo_max_bytes: int(1, Infinity),
    /** Share of the machine's memory (os.totalmem) a job's estimated footprint may take: larger budgets and synth sizes are refused. */
    memory_fraction: num(0, 1, { exclusiveMin: true }),
  }),
  pool: z.strictObject({
    /**
     * A batch that fails on every attempt is stored as failed (scored worst). `stop`: end the run at
     * once; `fail`: finish the run, then exit 1; `continue`: finish, warn on stderr, exit 0.
     */
    on_batch_failure: z.enum(['stop', 'fail', 'continue']),
    /** A batch attempt running longer than max(batch_timeout_min_s, batch_timeout_multiple x its expected time) is cancelled, its worker replaced, and retried. */
    batch_timeout_min_s: num(0, Infinity, { exclusiveMin: true }),
    batch_timeout_multiple: num(1, Infinity),
    /** Attempts of a failed batch on a fresh worker before it is recorded as failed. */
    max_retries: int(0, 100),
    /** After Ctrl-C, how long in-flight batches may finish before they are cancelled. */
    interrupt_grace_s: num(0, Infinity),
    /** Largest per-task overhead as a share of a batch's evaluation time (sets the batch size). */
    max_overhead_fraction: num(0, 1, { exclusiveMin: true }),
    /** Candidates timed in the main thread, and for at least how long, to estimate one's cost. */
    calibration_rows: int(1, 1e6),
    calibration_ms: num(0, Infinity, { exclusiveMin: true }),
    /** Empty round trips timed to estimate the per-task overhead. */
    overhead_probes: int(1, 1e6),
  }),
  /** The distributed work queue (`optimize --queue`, `pnlopt worker`): BullMQ over Redis. */
  queue: z.strictObject({
    name: name(),
    /** Candidates per job when `--batch` is not given; fixed, so a restarted coordinator cuts the same batches. */
    batch_size: int(1, 1e7),
    /** A worker's lock on a job, renewed while it runs; a killed worker's job is taken back once it lapses. */
    lock_duration_s: num(0, Infinity, { exclusiveMin: true }),
    /** How often workers look for stalled jobs (lock lapsed) and put them back. */
    stalled_interval_s: num(0, Infinity, { exclusiveMin: true }),
    /** A job stalled more often than this is failed instead of retried. */
    max_stalled_count: int(0, 1000),
    /** How long results and published data stay in Redis. */
    retention_s: num(0, Infinity, { exclusiveMin: true }),
    /** Jobs a worker runs at once per pool thread. */
    jobs_per_thread: int(1, 64),
  }),
  data_quality: z.strictObject({
    /** A step between consecutive bars counts as a gap when longer than this multiple of the median step. */
    gap_multiple: num(1, Infinity, { exclusiveMin: true }),
  }),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfig>;
