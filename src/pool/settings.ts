/** Pool settings from `runtime_config.yml` (`pool:`), with the command line's worker count and batch size. */
import { availableParallelism } from 'node:os';
import type { PnloptConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { defaultWorkers, workerFile, type PoolSettings } from './coordinator.js';

export interface PoolOverrides {
  readonly workers?: number | undefined;
  readonly batch?: number | undefined;
  /** Allow more workers than cores (`--allow-oversubscribe`); otherwise a larger `workers` is refused. */
  readonly allowOversubscribe?: boolean | undefined;
  /** The worker module; default: the compiled `dist/src/pool/worker.js`. */
  readonly workerFile?: string | undefined;
}

/**
 * The pool settings of a command. A thread costs memory (~12 MB each) and more threads than cores
 * only add switching, so `--workers` above `os.availableParallelism()` is a usage error unless
 * the command says `--allow-oversubscribe`.
 */
export function poolSettings(cfg: PnloptConfig, over: PoolOverrides): PoolSettings {
  const pool = cfg.runtime.pool;
  const cores = availableParallelism();
  if (over.workers !== undefined && over.workers > cores && over.allowOversubscribe !== true) {
    throw new UsageError(`--workers ${over.workers}: more than the ${cores} available cores (os.availableParallelism()); give --allow-oversubscribe to run more threads than cores`);
  }
  return {
    workers: over.workers ?? defaultWorkers(),
    workerFile: over.workerFile ?? workerFile(),
    ...(over.batch !== undefined ? { batchSize: over.batch } : {}),
    onBatchFailure: pool.on_batch_failure,
    maxRetries: pool.max_retries,
    interruptGraceMs: pool.interrupt_grace_s * 1000,
    batchTimeoutMinMs: pool.batch_timeout_min_s * 1000,
    batchTimeoutMultiple: pool.batch_timeout_multiple,
    maxOverheadFraction: pool.max_overhead_fraction,
    calibrationRows: pool.calibration_rows,
    calibrationMs: pool.calibration_ms,
    overheadProbes: pool.overhead_probes,
  };
}
