/**
 * Forecast blocks computed on worker threads. A block can run for seconds (GARCH on 5,000 bars:
 * about 5 s in one block), and a synchronous loop in the main thread would not see SIGINT until
 * the whole computation ended; here the main thread only waits, so an interrupt is handled at once:
 * aborting the signal terminates the threads (piscina's per-task AbortSignal), and the blocks
 * reported finished before stay finished. The threads also compute blocks in parallel, the cold
 * phase's main cost: `forecastBlocks(cfg, K, T, threads)` splits each model into at least
 * `threads` blocks of about equal cost, so even one ticker keeps every thread busy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { InterruptedError } from '../errors.js';
import { projectRoot } from '../paths.js';
import type { ForecastModelsConfig } from '../config/forecast-models.js';
import type { ForecastBlock, ForecastColumns } from '../simulation/forecast-columns.js';
import type { ForecastWorkerInit } from './forecast-worker.js';

/** The compiled forecast worker (workers run dist/ JavaScript, as the evaluation pool's do). */
export function forecastWorkerFile(root = projectRoot()): string {
  const file = join(root, 'dist', 'src', 'pool', 'forecast-worker.js');
  if (!existsSync(file)) throw new Error(`forecast worker ${file} is missing: run npm run build`);
  return file;
}

export interface ForecastPoolOptions {
  /** Worker threads (at most one per block). */
  readonly threads: number;
  /** Aborting it terminates the threads; the call then rejects with an `InterruptedError`. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Compute `blocks` into the shared columns `out` on `opts.threads` threads, calling `done` in this
 * thread as each block finishes (a `done` that throws stops the rest and its error is rethrown).
 * Blocks are handed out one at a time in the order given, so nothing waits in a queue when the
 * signal fires.
 */
export async function computeForecastBlocksInPool(
  panel: ForecastWorkerInit['panel'],
  cfg: ForecastModelsConfig,
  blocks: readonly ForecastBlock[],
  out: ForecastColumns,
  done: (block: ForecastBlock) => void,
  opts: ForecastPoolOptions,
): Promise<void> {
  if (blocks.length === 0) return;
  // A function, not a narrowed property read: the signal may fire while this function awaits.
  const interrupted = () => opts.signal?.aborted === true;
  const interruption = () => new InterruptedError('interrupted while computing forecast columns (the finished blocks are cached)');
  if (interrupted()) throw interruption();
  const threads = Math.min(opts.threads, blocks.length);
  const init: ForecastWorkerInit = { panel, cfg, out };
  const pool = new Piscina({ filename: forecastWorkerFile(), workerData: init, minThreads: threads, maxThreads: threads, idleTimeout: Infinity });
  // A thread that fails while it holds no task: piscina replaces it; without a listener the 'error' event would end the process.
  pool.on('error', () => {});
  // Fired by the caller's signal, or by the first failure so that the other threads stop too.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let failure: unknown;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < blocks.length && !stop.signal.aborted) {
      const block = blocks[next++];
      await pool.run(block, { signal: stop.signal });
      done(block);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: threads }, () =>
        lane().catch((err: unknown) => {
          if (!stop.signal.aborted) failure = err;
          stop.abort();
        }),
      ),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
  if (failure !== undefined) throw failure;
  if (interrupted()) throw interruption();
}
