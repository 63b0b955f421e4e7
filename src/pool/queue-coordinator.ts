/**
 * The coordinator's side of the distributed queue (`pnlopt optimize --queue URL`): a `BatchRunner`
 * that publishes batches as BullMQ jobs instead of running them on local threads.
 *
 * - Inputs by hash: the family's layout and context are published once per run (`encodeInputs`):
 *   the spec and each blob under its content hash, written only when Redis does not hold it yet.
 * - Idempotence: a batch's job id is the run id and the batch's first candidate id and size
 *   (`jobId`), so a batch is one job however often it is published, and its result reaches the sink
 *   once. A coordinator that restarts (`--resume`) cuts the same batches (the batch size is fixed,
 *   not measured but recorded in Redis with the run, and stored rows leave whole batches out), finds the jobs it published before and
 *   takes the results of those that finished instead of publishing them again. A job found with
 *   other rows or another spec (the run's code or config changed) is replaced.
 * - Worker loss is BullMQ's stalled-job detection, set on the workers (queue-worker.ts): a job whose
 *   worker died goes back to the queue. A job that failed is reported to the sink as failed; a
 *   resume publishes it again.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { ParamLayout } from '../config/param-layout.js';
import type { SimulationContext } from '../simulation/context.js';
import type { StartRunner } from './batch-runner.js';
import { runBatches, type BatchResult } from './batch-driver.js';
import type { BatchSink, PoolSettings, RunHooks, RunOutcome } from './coordinator.js';
import { encodeInputs } from './context-codec.js';
import { blobKey, connection, fromBase64, jobId, redisClient, runBatchKey, specKey, toBase64, type BatchJobData, type QueueSettings } from './queue.js';

/** The job name of a batch (BullMQ groups nothing by it; it shows in dashboards). */
const JOB_NAME = 'batch';

export class QueueEvaluator {
  private constructor(
    private readonly settings: QueueSettings,
    private readonly runId: string,
    private readonly spec: string,
    private readonly size: number,
    private readonly queue: Queue<BatchJobData, string>,
    private readonly events: QueueEvents,
  ) {}

  /** Publish the inputs of a family (spec and blobs, once) and connect to the queue. */
  static async start(layout: ParamLayout, ctx: SimulationContext, settings: QueueSettings, runId: string): Promise<QueueEvaluator> {
    const encoded = encodeInputs({ layout, ctx });
    const redis = redisClient(settings);
    let size: number;
    try {
      for (const [hash, bytes] of encoded.blobs) await publish(redis, blobKey(settings, hash), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), settings.retentionS);
      await publish(redis, specKey(settings, encoded.hash), encoded.spec, settings.retentionS);
      await publish(redis, runBatchKey(settings, runId), String(settings.batchSize), settings.retentionS);
      size = Number(await redis.get(runBatchKey(settings, runId)));
    } finally {
      redis.disconnect();
    }
    const queue = new Queue<BatchJobData, string>(settings.name, { connection: connection(settings) });
    const events = new QueueEvents(settings.name, { connection: connection(settings) });
    // Every batch waiting for its result listens to both: many listeners are expected, not a leak.
    queue.setMaxListeners(0);
    events.setMaxListeners(0);
    try {
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    } catch (err) {
      await Promise.all([queue.close(), events.close()]);
      throw err;
    }
    return new QueueEvaluator(settings, runId, encoded.hash, size, queue, events);
  }

  /**
   * The batch size the run was first published with (`--batch`, else `queue.batch_size`, recorded in
   * Redis): a restarted coordinator cuts the same batches whatever its own settings.
   */
  batchSize(): Promise<number> {
    return Promise.resolve(this.size);
  }

  /**
   * Publish the candidates `ids` (rows of X, `d` columns) as jobs of `batchSize` and report each
   * finished one to `sink`. An interrupt stops waiting after `interruptGraceMs`; the jobs stay in
   * the queue and their results in Redis, for a resume.
   */
  run(X: Float64Array, d: number, ids: Int32Array, batchSize: number, settings: PoolSettings, sink: BatchSink, hooks: RunHooks = {}): Promise<RunOutcome> {
    return runBatches(ids, batchSize, settings, sink, hooks, {
      // Every job is published at once: the workers pull them as they free up.
      concurrency: Infinity,
      // Waiting for the other jobs would mean waiting for the whole run; they stay queued for a resume.
      onFailureStop: 'abandon',
      evaluate: (batchIds, signal) => this.batch(X, d, batchIds, signal),
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.events.close()]);
  }

  /**
   * One batch: its job (found, or published), then its result.
   * @returns its metric matrix, the job's error, or 'aborted' when `signal` stopped the wait
   */
  private async batch(X: Float64Array, d: number, ids: Int32Array, signal: AbortSignal): Promise<BatchResult> {
    const rows = new Float64Array(ids.length * d);
    for (let r = 0; r < ids.length; r++) rows.set(X.subarray(ids[r] * d, (ids[r] + 1) * d), r * d);
    const data: BatchJobData = { spec: this.spec, X: toBase64(rows), count: ids.length };
    const id = jobId(this.runId, ids[0], ids.length);
    try {
      const job = await this.job(id, data);
      const done = job.waitUntilFinished(this.events);
      const F = await new Promise<string | 'aborted'>((resolve, reject) => {
        if (signal.aborted) return resolve('aborted');
        signal.addEventListener('abort', () => resolve('aborted'), { once: true });
        done.then(resolve, reject);
      });
      if (F === 'aborted') return 'aborted';
      const metrics = fromBase64(F);
      if (metrics.length !== ids.length * METRIC_COUNT) return { error: `job ${id} returned ${metrics.length} metric values for ${ids.length} candidates` };
      return metrics;
    } catch (err) {
      if (signal.aborted) return 'aborted';
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The job of batch `id`: the one already in the queue when it holds these rows and has not failed, else a new one. */
  private async job(id: string, data: BatchJobData): Promise<Job<BatchJobData, string>> {
    const existing = await this.queue.getJob(id);
    if (existing !== undefined) {
      const same = existing.data.spec === data.spec && existing.data.X === data.X;
      if (same && (await existing.getState()) !== 'failed') return existing;
      await existing.remove();
    }
    const age = this.settings.retentionS;
    return this.queue.add(JOB_NAME, data, { jobId: id, attempts: 1, removeOnComplete: { age }, removeOnFail: { age } });
  }
}

/** Set `key` to `value` unless Redis holds it already; either way it lives `ttlS` from now. */
async function publish(redis: Redis, key: string, value: Buffer | string, ttlS: number): Promise<void> {
  if ((await redis.expire(key, ttlS)) === 0) await redis.set(key, value, 'EX', ttlS);
}

/** `StartRunner` over the queue of `settings`. */
export function startQueueRunner(settings: QueueSettings): StartRunner {
  return (layout, ctx, _pool, runId) => QueueEvaluator.start(layout, ctx, settings, runId);
}
