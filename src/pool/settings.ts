/** Pool settings from `runtime_config.yml` (`pool:`), with the command line's worker count and batch size. */
import type { PnloptConfig } from '../config/load.js';
import { defaultWorkers, workerFile, type PoolSettings } from './coordinator.js';

export interface PoolOverrides {
  readonly workers?: number | undefined;
  readonly batch?: number | undefined;
  /** The worker module; default: the compiled `dist/src/pool/worker.js`. */
  readonly workerFile?: string | undefined;
}

export function poolSettings(cfg: PnloptConfig, over: PoolOverrides): PoolSettings {
  const pool = cfg.runtime.pool;
  return {
    workers: over.workers ?? defaultWorkers(),
    workerFile: over.workerFile ?? workerFile(),
    ...(over.batch !== undefined ? { batchSize: over.batch } : {}),
    onBatchFailure: pool.on_batch_failure,
    maxRetries: pool.max_retries,
    interruptGraceMs: pool.interrupt_grace_s * 1000,
    maxOverheadFraction: pool.max_overhead_fraction,
    calibrationRows: pool.calibration_rows,
    calibrationMs: pool.calibration_ms,
    overheadProbes: pool.overhead_probes,
  };
}
