/**
 * A worker of the distributed queue (`pnlopt worker --queue URL`): takes batch jobs from BullMQ and
 * evaluates them on its local piscina pool, one pool per evaluation spec (a family and window of a
 * run), started on the spec's first job.
 *
 * A spec and its blobs are fetched from Redis by content hash once per process and kept in memory
 * (each blob once, in shared memory that the pools' threads read and specs share);
 * blobs are also kept on disk (`<cacheDir>/<sha256>.bin`, checked against their hash when read),
 * so a worker restarted on the same machine fetches nothing again. Jobs carry only their rows.
 *
 * Worker loss: each job holds a lock that this process renews (`lockDuration`); when a worker dies,
 * its lock lapses and another worker's stalled-job check (`stalledInterval`) puts the job back in
 * the queue, up to `maxStalledCount` times, after which the job fails.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { sha256 } from '../hashing.js';
import { createEvaluator } from '../simulation/evaluator.js';
import { writeFileAtomic } from '../write-atomic.js';
import { EvaluationPool, type PoolSettings } from './coordinator.js';
import { decodeInputs, sharedBytes, type EvaluationInputs } from './context-codec.js';
import { blobKey, connection, fromBase64, redisClient, specKey, toBase64, type BatchJobData, type QueueSettings } from './queue.js';

export interface QueueWorkerOptions {
  readonly queue: QueueSettings;
  /** This machine's pool: threads, worker module, retries and timeouts of a batch. */
  readonly pool: PoolSettings;
  /** Folder of the blob files. */
  readonly cacheDir: string;
  /** Aborting it stops taking jobs; the jobs running finish first. */
  readonly signal: AbortSignal;
  readonly log: (text: string) => void;
}

interface Evaluation extends EvaluationInputs {
  readonly pool: EvaluationPool;
}

/** Run until `signal` aborts. @returns the jobs this process completed */
export async function runQueueWorker(opts: QueueWorkerOptions): Promise<number> {
  const { queue, pool } = opts;
  const redis = redisClient(queue);
  const blobs = new Map<string, Promise<Uint8Array>>();
  const evaluations = new Map<string, Promise<Evaluation>>();
  const blob = (hash: string): Promise<Uint8Array> => remembered(blobs, hash, () => fetchBlob(redis, queue, opts.cacheDir, hash));
  const evaluation = (hash: string): Promise<Evaluation> =>
    remembered(evaluations, hash, async () => {
      const spec = await redis.get(specKey(queue, hash));
      if (spec === null) throw new Error(`evaluation spec ${hash} is not in Redis (expired after queue.retention_s?): resume the run`);
      const inputs = await decodeInputs(spec, blob);
      return { ...inputs, pool: await EvaluationPool.start(inputs.layout, inputs.ctx, pool.workers, pool.workerFile) };
    });
  let completed = 0;
  const worker = new Worker<BatchJobData, string>(queue.name, async (job) => evaluateJob(await evaluation(job.data.spec), job, pool), {
    connection: connection(queue),
    concurrency: pool.workers * queue.jobsPerThread,
    lockDuration: queue.lockDurationMs,
    stalledInterval: queue.stalledIntervalMs,
    maxStalledCount: queue.maxStalledCount,
    autorun: false,
  });
  worker.on('completed', () => completed++);
  worker.on('failed', (job, err) => opts.log(`job ${job?.id ?? '?'} failed: ${err.message}`));
  worker.on('error', (err) => opts.log(`queue error: ${err.message}`));
  const stopped = new Promise<void>((resolve) => {
    if (opts.signal.aborted) resolve();
    else opts.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await worker.waitUntilReady();
    opts.log(`worker ready: ${pool.workers} thread(s) on queue ${queue.name}`);
    const running = worker.run();
    await stopped;
    await worker.close();
    await running;
  } finally {
    await worker.close();
    await Promise.all([...evaluations.values()].map((e) => e.then((x) => x.pool.close(), () => undefined)));
    redis.disconnect();
  }
  return completed;
}

/** One job's metric matrix, base64; a batch that failed on every attempt of the local pool fails the job. */
async function evaluateJob(e: Evaluation, job: Job<BatchJobData, string>, settings: PoolSettings): Promise<string> {
  const { count } = job.data;
  const d = e.layout.params.length;
  const X = fromBase64(job.data.X);
  if (X.length !== count * d) throw new Error(`job ${job.id} holds ${X.length} values for ${count} rows of ${d} parameters`);
  const ids = Int32Array.from({ length: count }, (_, i) => i);
  const F = new Float64Array(count * METRIC_COUNT);
  // The first job measures the pool's costs, which its batch timeout derives from.
  await e.pool.batchSize(() => createEvaluator(e.layout, e.ctx), X, d, ids, { ...settings, batchSize: count });
  const outcome = await e.pool.run(X, d, ids, count, settings, {
    ok: (rows, metrics) => rows.forEach((r, i) => F.set(metrics.subarray(i * METRIC_COUNT, (i + 1) * METRIC_COUNT), r * METRIC_COUNT)),
    failed: () => undefined,
  });
  if (outcome.firstError !== null) throw new Error(outcome.firstError);
  if (outcome.status !== 'completed') throw new Error(`job ${job.id} was interrupted`);
  return toBase64(F);
}

/** A blob from the disk cache when its bytes hash right, else from Redis (then written to disk). */
async function fetchBlob(redis: Redis, queue: QueueSettings, cacheDir: string, hash: string): Promise<Uint8Array> {
  const file = join(cacheDir, `${hash}.bin`);
  const cached = await readFile(file).catch(() => null);
  if (cached !== null && sha256(cached) === hash) return sharedBytes(cached);
  const bytes = await redis.getBuffer(blobKey(queue, hash));
  if (bytes === null) throw new Error(`blob ${hash} is not in Redis (expired after queue.retention_s?): resume the run`);
  if (sha256(bytes) !== hash) throw new Error(`blob ${hash} in Redis does not hash to its name`);
  await mkdir(cacheDir, { recursive: true });
  writeFileAtomic(file, bytes);
  return sharedBytes(bytes);
}

/** `map`'s promise for `key`, made by `make` on first use; a failure is forgotten so that the next use tries again. */
function remembered<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  const p = make();
  map.set(key, p);
  p.catch(() => map.delete(key));
  return p;
}
