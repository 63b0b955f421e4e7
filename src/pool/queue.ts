/**
 * What the queue's coordinator (queue-coordinator.ts) and workers (queue-worker.ts) agree on: the
 * settings (`runtime_config.yml` `queue:`), the Redis keys, and a job's data and result.
 *
 * A job is one batch: its rows of X as Float64 bytes (base64: BullMQ stores job data and results
 * as JSON), never one object per candidate, and the hash of the evaluation spec they run on. Its
 * result is the batch's metric matrix F, Float64 bytes in base64 too. The spec and its blobs
 * (market data, forecast columns) sit in Redis under their content hashes, written once per run.
 */
import { Redis } from 'ioredis';
import type { PnloptConfig } from '../config/load.js';

export interface QueueSettings {
  /** `redis://HOST:PORT` (or any URL ioredis takes). */
  readonly url: string;
  readonly name: string;
  /** Candidates per job (`--batch`, else `queue.batch_size`). */
  readonly batchSize: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
  readonly retentionS: number;
  readonly jobsPerThread: number;
}

/** The queue settings of a command from config, its `--queue` URL and `--batch`. */
export function queueSettings(cfg: PnloptConfig, url: string, batch?: number): QueueSettings {
  const q = cfg.runtime.queue;
  return {
    url,
    name: q.name,
    batchSize: batch ?? q.batch_size,
    lockDurationMs: q.lock_duration_s * 1000,
    stalledIntervalMs: q.stalled_interval_s * 1000,
    maxStalledCount: q.max_stalled_count,
    // Redis expiries are whole seconds.
    retentionS: Math.ceil(q.retention_s),
    jobsPerThread: q.jobs_per_thread,
  };
}

/** BullMQ's connection options: blocking commands must not give up (BullMQ requires it of workers). */
export function connection(s: QueueSettings): { url: string; maxRetriesPerRequest: null } {
  return { url: s.url, maxRetriesPerRequest: null };
}

/** A plain client for the spec and blobs. */
export function redisClient(s: QueueSettings): Redis {
  return new Redis(s.url, { maxRetriesPerRequest: null });
}

export const specKey = (s: QueueSettings, hash: string): string => `${s.name}:spec:${hash}`;
export const blobKey = (s: QueueSettings, hash: string): string => `${s.name}:blob:${hash}`;
/** The batch size a run was first published with. */
export const runBatchKey = (s: QueueSettings, runId: string): string => `${s.name}:run:${runId}:batch`;

/** A batch's job id: the run and the batch's first candidate id and size (BullMQ refuses ':' in ids). */
export function jobId(runId: string, firstId: number, count: number): string {
  return `${runId}.${firstId}.${count}`;
}

export interface BatchJobData {
  /** sha256 of the evaluation spec (`specKey`). */
  readonly spec: string;
  /** Rows of X, row-major, `count` x d Float64 values, base64. */
  readonly X: string;
  readonly count: number;
}

/** Float64 values as base64 of their bytes. */
export function toBase64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** base64 of Float64 bytes back to a fresh, aligned Float64Array. */
export function fromBase64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(bytes.length / Float64Array.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
