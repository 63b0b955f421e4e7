/**
 * The pool against the in-thread evaluator (the reference: the same kernel run in this thread in one
 * batch): bit-identical metrics with 1, 2 and 8 workers and any batch size; failing workers retried
 * on a fresh thread, then recorded; interruption keeps finished batches and a resume completes the
 * same F. Workers run the compiled dist/ (npm test builds first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { EvaluationPool, evaluateCandidates, workerFile, type BatchSink, type PoolSettings } from '../../src/pool/coordinator.js';
import type { SimulationContext } from '../../src/simulation/context.js';
import type { ParamLayout } from '../../src/config/param-layout.js';
import { FAULTY_WORKER, withFault, type FaultSpec } from '../fixtures/pool/faulty-worker.js';
import { inThread, msftSmaCross, population, sameBits } from '../fixtures/pool/setup.js';

const N = 203;
let layout: ParamLayout;
let ctx: SimulationContext;
let X: Float64Array;
let reference: Float64Array;
let d: number;
const all = Int32Array.from({ length: N }, (_, i) => i);

function settings(over: Partial<PoolSettings> = {}): PoolSettings {
  return {
    workers: 2,
    workerFile: workerFile(),
    onBatchFailure: 'continue',
    maxRetries: 1,
    interruptGraceMs: 10_000,
    batchTimeoutMinMs: 60_000,
    batchTimeoutMultiple: 20,
    maxOverheadFraction: 0.05,
    calibrationRows: 16,
    calibrationMs: 5,
    overheadProbes: 3,
    ...over,
  };
}

/** A sink that writes rows into F by candidate id and keeps what it was given. */
function collector() {
  const F = new Float64Array(N * METRIC_COUNT).fill(-1);
  const okIds: number[] = [];
  const failures: { ids: number[]; error: string }[] = [];
  let batches = 0;
  const sink: BatchSink = {
    ok(ids, batchF) {
      batches++;
      ids.forEach((id, r) => {
        okIds.push(id);
        F.set(batchF.subarray(r * METRIC_COUNT, (r + 1) * METRIC_COUNT), id * METRIC_COUNT);
      });
    },
    failed(ids, error) {
      batches++;
      failures.push({ ids: [...ids], error });
    },
  };
  return { F, okIds, failures, sink, batches: () => batches };
}

/** Rows `ids` of a full F. */
function rowsOf(F: Float64Array, ids: readonly number[]): Float64Array {
  const out = new Float64Array(ids.length * METRIC_COUNT);
  ids.forEach((id, r) => out.set(F.subarray(id * METRIC_COUNT, (id + 1) * METRIC_COUNT), r * METRIC_COUNT));
  return out;
}

beforeAll(async () => {
  ({ layout, ctx } = await msftSmaCross());
  d = layout.params.length;
  X = population(layout, N, 7);
  reference = inThread(layout, ctx, X);
});

describe('determinism', () => {
  it('gives the in-thread F bit for bit with 1, 2 and 8 workers and any batch size', async () => {
    for (const [workers, batchSizes] of [[1, [1, 17]], [2, [7, 64, N]], [8, [5]]] as const) {
      const pool = await EvaluationPool.start(layout, ctx, workers, workerFile());
      try {
        for (const batch of batchSizes) {
          const c = collector();
          const outcome = await pool.run(X, d, all, batch, settings({ workers }), c.sink);
          expect(outcome).toMatchObject({ status: 'completed', evaluated: N, failed: 0, batches: Math.ceil(N / batch) });
          expect(sameBits(c.F, reference), `${workers} workers, batch ${batch}`).toBe(true);
        }
      } finally {
        await pool.close();
      }
    }
  });

  it('chooses a batch size itself and still matches, also for a scattered subset of candidates', async () => {
    const subset = Int32Array.from(all.filter((i) => i % 3 !== 1).reverse());
    const c = collector();
    const report = await evaluateCandidates(layout, ctx, X, subset, settings(), c.sink);
    expect(report).toMatchObject({ status: 'completed', evaluated: subset.length, workers: 2 });
    expect(report.batchSize).toBeGreaterThanOrEqual(1);
    expect(report.candidateMs).toBeGreaterThan(0);
    expect(report.taskOverheadMs).toBeGreaterThan(0);
    expect(c.okIds.sort((a, b) => a - b)).toEqual([...subset].sort((a, b) => a - b));
    expect(sameBits(rowsOf(c.F, [...subset]), rowsOf(reference, [...subset]))).toBe(true);
  });

  it('starts no pool for an empty set of candidates', async () => {
    const c = collector();
    expect(await evaluateCandidates(layout, ctx, X, new Int32Array(0), settings(), c.sink)).toMatchObject({ status: 'completed', evaluated: 0, workers: 0 });
    expect(c.batches()).toBe(0);
  });
});

/** A pool of the fault-injecting worker armed with `fault`, run over every candidate; what its sink got. */
function runWithFault(fault: FaultSpec, over: Partial<PoolSettings> = {}, batch = 16, workers = 2) {
  return withFault(fault, async () => {
    const pool = await EvaluationPool.start(layout, ctx, workers, FAULTY_WORKER);
    try {
      const c = collector();
      const outcome = await pool.run(X, d, all, batch, settings({ workers, workerFile: FAULTY_WORKER, ...over }), c.sink);
      return { outcome, ...c };
    } finally {
      await pool.close();
    }
  });
}

describe('failing workers', () => {
  it.each(['throw', 'exit'] as const)('retries a batch whose worker fails once (%s) and loses nothing', async (mode) => {
    const r = await runWithFault({ candidate: 50, mode, attempts: 1 });
    expect(r.outcome).toMatchObject({ status: 'completed', evaluated: N, failed: 0 });
    // A dying worker also takes down the task queued behind it, which is retried as well.
    expect(r.outcome.retried).toBeGreaterThanOrEqual(1);
    expect(sameBits(r.F, reference)).toBe(true);
  });

  it.each([
    ['throw', /^injected fault at candidate 50$/],
    ['exit', /worker exited with code: 1/],
  ] as const)('records a batch that fails twice (%s) as failed, with its ids and the error, and completes the others', async (mode, message) => {
    const r = await runWithFault({ candidate: 50, mode });
    // Batch size 16: candidate 50 is in batch 3, ids 48..63.
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].ids).toEqual(Array.from({ length: 16 }, (_, i) => 48 + i));
    expect(r.failures[0].error).toMatch(message);
    expect(r.outcome).toMatchObject({ status: 'completed', evaluated: N - 16, failed: 16, firstError: r.failures[0].error });
    const okIds = all.filter((i) => i < 48 || i > 63);
    expect(r.okIds.sort((a, b) => a - b)).toEqual([...okIds]);
    expect(sameBits(rowsOf(r.F, [...okIds]), rowsOf(reference, [...okIds]))).toBe(true);
  });

  it('stops scheduling after a failed batch when the policy is stop, keeping what finished', async () => {
    const r = await runWithFault({ candidate: 20, mode: 'throw' }, { onBatchFailure: 'stop', maxRetries: 0 }, 16, 1);
    expect(r.outcome).toMatchObject({ status: 'failed', failed: 16, retried: 0 });
    expect(r.failures.map((f) => f.ids[0])).toEqual([16]);
    // One worker with two tasks in flight: batch 0 finished before batch 1 failed, batch 2 at most was
    // in flight then; nothing after it was scheduled.
    expect(r.okIds).toContain(0);
    expect(r.outcome.evaluated).toBeLessThanOrEqual(32);
    expect(sameBits(rowsOf(r.F, r.okIds), rowsOf(reference, r.okIds))).toBe(true);
  });
});

describe('hung workers', () => {
  // Costs are not measured on this path (no batchSize() call), so the timeout is the minimum alone.
  const quick = { batchTimeoutMinMs: 300, batchTimeoutMultiple: 1 };

  it('terminates a worker hung past the batch timeout and retries its batch on a fresh one: nothing lost', async () => {
    const r = await runWithFault({ candidate: 50, mode: 'hang', attempts: 1 }, quick);
    expect(r.outcome).toMatchObject({ status: 'completed', evaluated: N, failed: 0, firstError: null });
    expect(r.outcome.retried).toBeGreaterThanOrEqual(1);
    expect(sameBits(r.F, reference)).toBe(true);
  });

  it('records a batch that hangs on every attempt as failed, naming the timeout, and completes the others', async () => {
    const r = await runWithFault({ candidate: 50, mode: 'hang' }, quick);
    expect(r.failures.map((f) => f.ids[0])).toEqual([48]);
    expect(r.failures[0].error).toMatch(/^batch timed out after 0\.3 s .*its worker was replaced$/);
    expect(r.outcome).toMatchObject({ status: 'completed', evaluated: N - 16, failed: 16, firstError: r.failures[0].error });
    const okIds = all.filter((i) => i < 48 || i > 63);
    expect(sameBits(rowsOf(r.F, [...okIds]), rowsOf(reference, [...okIds]))).toBe(true);
  });
});

describe('interruption', () => {
  let pool: EvaluationPool;
  beforeAll(async () => {
    pool = await EvaluationPool.start(layout, ctx, 2, workerFile());
  });
  afterAll(async () => {
    await pool.close();
  });

  it('keeps the batches finished before an abort after K batches, and a resume of the rest gives the same F', async () => {
    const c = collector();
    const interrupt = new AbortController();
    const sink: BatchSink = {
      ok(ids, F) {
        c.sink.ok(ids, F);
        if (c.batches() === 5) interrupt.abort();
      },
      failed: c.sink.failed,
    };
    const first = await pool.run(X, d, all, 10, settings(), sink, { signal: interrupt.signal });
    expect(first.status).toBe('interrupted');
    // Stopped scheduling at 5 finished batches; at most 2 workers x 2 tasks were still in flight and finished.
    expect(first.evaluated).toBeGreaterThanOrEqual(50);
    expect(first.evaluated).toBeLessThan(N);
    const done = new Set(c.okIds);
    expect(done.size).toBe(first.evaluated);

    const rest = Int32Array.from(all.filter((i) => !done.has(i)));
    const second = await pool.run(X, d, rest, 10, settings(), c.sink);
    expect(second).toMatchObject({ status: 'completed', evaluated: rest.length });
    expect(c.okIds).toHaveLength(N);
    expect(sameBits(c.F, reference)).toBe(true);
  });
});

it('aborts an in-flight batch that does not finish within the grace period and records nothing for it', async () => {
  const pool = await withFault({ candidate: 35, mode: 'hang' }, () => EvaluationPool.start(layout, ctx, 1, FAULTY_WORKER));
  try {
    const c = collector();
    const interrupt = new AbortController();
    const sink: BatchSink = {
      ok(ids, F) {
        c.sink.ok(ids, F);
        if (c.batches() === 3) interrupt.abort();
      },
      failed: c.sink.failed,
    };
    const outcome = await pool.run(X, d, all, 10, settings({ interruptGraceMs: 50 }), sink, { signal: interrupt.signal });
    // Batches 0-2 finished; batch 3 (ids 30..39) hangs on candidate 35 and is aborted, batch 4 waits behind it.
    expect(outcome).toMatchObject({ status: 'interrupted', evaluated: 30, failed: 0 });
    expect(c.okIds.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(c.failures).toEqual([]);
  } finally {
    await pool.close();
  }
});

it('names the fix when the compiled worker is missing', () => {
  expect(() => workerFile('/nonexistent-pnlopt-root')).toThrow(/\/nonexistent-pnlopt-root\/dist\/src\/pool\/worker\.js is missing: run npm run build/);
});
