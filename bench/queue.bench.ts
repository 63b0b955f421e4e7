/**
 * Distributed queue benchmark (`optimize --queue`, `pnlopt worker`) on `sma_cross` over
 * data/sp500_daily_ohlcv_2000_2020.csv, against a private redis-server on 127.0.0.1 (skipped when
 * Debian's redis-server is missing):
 * - throughput of the queue with 1, then 2 worker processes (`pnlopt worker --workers 1` each, a
 *   stand-in for a machine), the same candidates in jobs of `queue.batch_size`, median of a few runs;
 *   each run is a new run id, so no result is taken from an earlier one;
 * - per-batch overhead: round trip of a one-candidate batch through the queue (publish, a worker
 *   takes it, evaluates it on its pool, the result comes back) against the local pool's round trip
 *   of an empty task, sequential, medians.
 * Run alone: `npm run build && node --expose-gc dist/bench/run.js queue`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRIC_COUNT } from '../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../src/config/load.js';
import { projectRoot } from '../src/paths.js';
import { EvaluationPool, workerFile, type BatchSink } from '../src/pool/coordinator.js';
import { QueueEvaluator } from '../src/pool/queue-coordinator.js';
import { queueSettings } from '../src/pool/queue.js';
import { poolSettings } from '../src/pool/settings.js';
import { createRng } from '../src/rng.js';
import { decodePoints } from '../src/search/encoding.js';
import { createEvaluator } from '../src/simulation/evaluator.js';
import { sp500SmaCross } from './sp500-sma.js';
import { startRedis } from '../tests/helpers/redis-server.js';
import { median } from './median.js';
import type { SuiteResult } from './simulator.bench.js';

const SEED = 20261127;
const CANDIDATES = 40_000;
/** Timed runs per worker count, and sequential one-candidate round trips. */
const RUNS = 3;
const ROUND_TRIPS = 200;

/** A `pnlopt worker` process with one thread; resolves once it says it is ready. */
async function startWorker(url: string, cacheDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'pnlopt.js'), 'worker', '--queue', url, '--workers', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PNLOPT_CONFIG_DIR: join(projectRoot(), 'config') },
    cwd: cacheDir,
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`queue bench: a worker exited (${code}): ${err}`)));
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function runQueueBench(): Promise<SuiteResult> {
  const redis = await startRedis();
  if (redis === null) return { figures: {}, notes: ['skipped: Debian\'s redis-server is not installed (apt-get install redis-server)'] };
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-queue-bench-'));
  const workers: ChildProcess[] = [];
  try {
    const cfg = loadConfig();
    const { panel, layout, ctx } = await sp500SmaCross(cfg);
    const d = layout.params.length;
    const rand = createRng(SEED, 'queue-bench');
    const U = Float64Array.from({ length: CANDIDATES * d }, () => rand());
    const X = new Float64Array(CANDIDATES * d);
    decodePoints(layout, U, CANDIDATES, X);
    const ids = Int32Array.from({ length: CANDIDATES }, (_, i) => i);
    const pool = poolSettings(cfg, { workers: 1 });
    const queue = queueSettings(cfg, redis.url);
    let runs = 0;
    const F = new Float64Array(CANDIDATES * METRIC_COUNT);
    const sink: BatchSink = {
      ok: (batchIds, batchF) => batchIds.forEach((id, r) => F.set(batchF.subarray(r * METRIC_COUNT, (r + 1) * METRIC_COUNT), id * METRIC_COUNT)),
      failed: (_ids, error) => {
        throw new Error(`queue bench: a batch failed: ${error}`);
      },
    };
    /** Wall ms of one queued run of every candidate in batches of `batch`, under a new run id (publishing not timed). */
    const queued = async (batch: number): Promise<number> => {
      const q = await QueueEvaluator.start(layout, ctx, queue, `bench-${process.pid}-${runs++}`);
      try {
        const t0 = performance.now();
        await q.run(X, d, ids, batch, pool, sink);
        return performance.now() - t0;
      } finally {
        await q.close();
      }
    };

    workers.push(await startWorker(redis.url, dir));
    const oneMs = [await queued(queue.batchSize)];
    const inThread = new Float64Array(CANDIDATES * METRIC_COUNT);
    createEvaluator(layout, ctx).evaluate(X, CANDIDATES, inThread);
    const same = Buffer.from(F.buffer).equals(Buffer.from(inThread.buffer));
    console.log(`${CANDIDATES} candidates on ${panel.T} bars through the queue (batch ${queue.batchSize}): F equals the in-thread F bit for bit: ${same}`);
    if (!same) throw new Error('queue bench: the queue and the in-thread evaluator disagree');
    for (let k = 1; k < RUNS; k++) oneMs.push(await queued(queue.batchSize));
    // One run, one candidate a job, one job at a time: each a new batch (its own job id).
    const roundTrips: number[] = [];
    const trips = await QueueEvaluator.start(layout, ctx, queue, `bench-${process.pid}-trips`);
    try {
      for (let k = 0; k < ROUND_TRIPS; k++) {
        const t0 = performance.now();
        await trips.run(X, d, ids.subarray(k, k + 1), 1, pool, sink);
        roundTrips.push(performance.now() - t0);
      }
    } finally {
      await trips.close();
    }
    workers.push(await startWorker(redis.url, dir));
    const twoMs: number[] = [];
    for (let k = 0; k < RUNS; k++) twoMs.push(await queued(queue.batchSize));

    const local = await EvaluationPool.start(layout, ctx, 1, workerFile());
    const localTrips: number[] = [];
    try {
      for (let k = 0; k < ROUND_TRIPS; k++) localTrips.push(await local.measureTaskOverheadMs(1));
    } finally {
      await local.close();
    }
    const one = median(oneMs);
    const two = median(twoMs);
    const trip = median(roundTrips);
    const localTrip = median(localTrips);
    console.table({
      'queue, 1 worker process': { ms: one, candidates_per_s: (CANDIDATES * 1000) / one },
      'queue, 2 worker processes': { ms: two, candidates_per_s: (CANDIDATES * 1000) / two },
      'one-candidate batch, queue round trip': { ms: trip },
      'empty task, local pool round trip': { ms: localTrip },
    });
    return {
      figures: {
        queue_throughput_1_worker_per_s: (CANDIDATES * 1000) / one,
        queue_throughput_2_workers_per_s: (CANDIDATES * 1000) / two,
        queue_speedup_2_workers: one / two,
        queue_batch_size: queue.batchSize,
        queue_batch_round_trip_ms: trip,
        pool_task_round_trip_ms: localTrip,
        queue_overhead_per_batch_ms: trip - localTrip,
      },
      notes: [
        `${CANDIDATES} sma_cross candidates in jobs of ${queue.batchSize}; each worker process runs 1 thread; redis-server, coordinator and workers share this machine.`,
        `Overhead per batch: median round trip of a one-candidate job (${ROUND_TRIPS} sequential) less the local pool's empty-task round trip.`,
      ],
    };
  } finally {
    await Promise.all(workers.map(stopWorker));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
