/**
 * The batch loop shared by the local pool (`EvaluationPool.run`) and the distributed queue
 * (`QueueEvaluator.run`): cut the candidates into batches, keep up to a number of them in flight,
 * report each finished one to the sink, apply `pool.on_batch_failure`, and stop on an interrupt.
 * What differs between the two (how one batch is evaluated, how many run at once, what a failure
 * stop does to the batches in flight) comes in as a `BatchEvaluation`.
 *
 * An interrupt stops starting batches; those in flight may finish for `interruptGraceMs`, then their
 * signal is aborted and they are left for a resume. A sink that throws aborts everything in flight
 * and its error is rethrown.
 */
import { setMaxListeners } from 'node:events';
import type { BatchSink, PoolSettings, RunHooks, RunOutcome, RunStatus } from './coordinator.js';

/** One batch's end: its metric matrix, the error it failed with, or 'aborted' when the run's in-flight signal stopped it. */
export type BatchResult = Float64Array | { readonly error: string } | 'aborted';

/** How a runner evaluates its batches. */
export interface BatchEvaluation {
  /** Batches in flight at once (Infinity: all of them at the start). */
  readonly concurrency: number;
  /**
   * What a batch that failed under `stop` does to the batches in flight: `drain` lets them finish and
   * records them; `abandon` aborts them and records none that ends later (every queue batch is in
   * flight from the start, and its job stays in the queue for a resume).
   */
  readonly onFailureStop: 'drain' | 'abandon';
  /** Evaluate the candidates `ids`, returning 'aborted' once `signal` aborts; `onRetry` counts each attempt after the first. */
  evaluate(ids: Int32Array, signal: AbortSignal, onRetry: () => void): Promise<BatchResult>;
}

/**
 * Evaluate the candidates `ids` in batches of `batchSize` with `evaluation`, reporting each finished
 * batch to `sink` as it finishes.
 */
export async function runBatches(
  ids: Int32Array,
  batchSize: number,
  settings: Pick<PoolSettings, 'onBatchFailure' | 'interruptGraceMs'>,
  sink: BatchSink,
  hooks: RunHooks,
  evaluation: BatchEvaluation,
): Promise<RunOutcome> {
  const batches = Math.ceil(ids.length / batchSize);
  const inFlight = new AbortController();
  // Every batch in flight listens to it: many listeners are expected, not a leak.
  setMaxListeners(Math.min(evaluation.concurrency, batches), inFlight.signal);
  const state = { stopping: false, stoppedByFailure: false, fatal: null as unknown, recorded: 0, evaluated: 0, failed: 0, retried: 0, firstError: null as string | null };
  let grace: NodeJS.Timeout | undefined;
  const onInterrupt = () => {
    state.stopping = true;
    grace = setTimeout(() => inFlight.abort(), settings.interruptGraceMs);
  };
  if (hooks.signal?.aborted) onInterrupt();
  else hooks.signal?.addEventListener('abort', onInterrupt, { once: true });

  const runBatch = async (b: number): Promise<void> => {
    const batchIds = ids.subarray(b * batchSize, Math.min((b + 1) * batchSize, ids.length));
    const result = await evaluation.evaluate(batchIds, inFlight.signal, () => state.retried++);
    // An abandoned batch's result may already have been on its way when the failure stopped the run.
    if (result === 'aborted' || (state.stoppedByFailure && evaluation.onFailureStop === 'abandon')) return;
    try {
      if (result instanceof Float64Array) {
        sink.ok(batchIds, result);
        state.evaluated += batchIds.length;
      } else {
        sink.failed(batchIds, result.error);
        state.failed += batchIds.length;
        state.firstError ??= result.error;
        if (settings.onBatchFailure === 'stop') {
          state.stopping = state.stoppedByFailure = true;
          if (evaluation.onFailureStop === 'abandon') inFlight.abort();
        }
      }
    } catch (err) {
      // The sink cannot record results any more: nothing else may run.
      state.fatal ??= err;
      state.stopping = true;
      inFlight.abort();
      return;
    }
    state.recorded++;
    hooks.onProgress?.(state.evaluated + state.failed);
  };

  const running = new Set<Promise<void>>();
  try {
    for (let b = 0; b < batches; b++) {
      while (running.size >= evaluation.concurrency) await Promise.race(running);
      if (state.stopping) break;
      const p: Promise<void> = runBatch(b).finally(() => running.delete(p));
      running.add(p);
    }
    await Promise.all(running);
  } finally {
    clearTimeout(grace);
    hooks.signal?.removeEventListener('abort', onInterrupt);
  }
  if (state.fatal !== null) throw state.fatal;
  const status: RunStatus = state.stoppedByFailure ? 'failed' : state.recorded < batches ? 'interrupted' : 'completed';
  return { status, evaluated: state.evaluated, failed: state.failed, firstError: state.firstError, retried: state.retried, batchSize, batches };
}
