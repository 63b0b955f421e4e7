/** `pnlopt worker`: a worker of the distributed queue, until interrupted. */
import { resolve } from 'node:path';
import { runQueueWorker } from '../../pool/queue-worker.js';
import { queueSettings } from '../../pool/queue.js';
import { poolSettings } from '../../pool/settings.js';
import { configFrom } from '../command-config.js';
import { withInterrupt } from '../interrupt.js';
import { note, printResult, type CommonOptions } from '../options.js';
import type { CliDeps } from './index.js';

export interface WorkerOptions extends CommonOptions {
  queue: string;
  workers?: number;
  allowOversubscribe?: boolean;
}

/**
 * Run `pnlopt worker` (declared in worker-command.ts). The evaluation inputs come from the
 * coordinator; this machine's config gives only its pool (`pool:`), the queue's timing (`queue:`)
 * and where fetched data is kept (`runtime.cache_dir`). An interrupt is the normal end: exit 0.
 */
export async function workerAction(opts: WorkerOptions, deps: CliDeps): Promise<void> {
  const cfg = configFrom(opts);
  const pool = poolSettings(cfg, { workers: opts.workers, allowOversubscribe: opts.allowOversubscribe, workerFile: deps.workerFile });
  const jobs = await withInterrupt((signal) =>
    runQueueWorker({ queue: queueSettings(cfg, opts.queue), pool, cacheDir: resolve(cfg.runtime.runtime.cache_dir), signal, log: (text) => note(opts, text) }),
  );
  printResult(opts, { jobs }, () => `${jobs} job(s) evaluated`);
}
