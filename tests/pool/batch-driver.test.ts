/**
 * The batch loop both runners share (`runBatches`), driven by a fake `evaluate` (no threads, no
 * Redis): batches are contiguous slices of `batchSize` ids reaching the sink once each, never more
 * than `concurrency` in flight; `on_batch_failure` continue/fail/stop with the runner's drain or
 * abandon; retries counted; an interrupt keeps what finishes within the grace and aborts the rest;
 * a sink that throws ends the run.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runBatches, type BatchEvaluation, type BatchResult } from '../../src/pool/batch-driver.js';
import type { BatchFailurePolicy, BatchSink, RunHooks } from '../../src/pool/coordinator.js';

/** The fake's metric matrix for `ids`: two columns per id, [id, -id], so a misplaced row shows. */
function rowsOf(ids: ArrayLike<number>): Float64Array {
  return Float64Array.from(Array.from(ids).flatMap((id) => [id, -id]));
}

/** What the sink was given, in order (ids copied: the driver hands out subarrays). */
type SinkCall = { readonly kind: 'ok'; readonly ids: number[]; readonly F: number[] } | { readonly kind: 'failed'; readonly ids: number[]; readonly error: string };

function recorder() {
  const calls: SinkCall[] = [];
  const progress: number[] = [];
  const sink: BatchSink = {
    ok: (ids, F) => void calls.push({ kind: 'ok', ids: [...ids], F: [...F] }),
    failed: (ids, error) => void calls.push({ kind: 'failed', ids: [...ids], error }),
  };
  const hooks = (signal?: AbortSignal): RunHooks => ({ signal, onProgress: (done) => void progress.push(done) });
  return { calls, progress, sink, hooks };
}

const ok = (ids: number[]): SinkCall => ({ kind: 'ok', ids, F: [...rowsOf(ids)] });
const failed = (ids: number[], error: string): SinkCall => ({ kind: 'failed', ids, error });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const settings = (onBatchFailure: BatchFailurePolicy, interruptGraceMs = 60_000) => ({ onBatchFailure, interruptGraceMs });
/** One turn of the event loop: every settled batch has been handled and the next ones started. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A batch the test ends by hand; like both runners it ends with 'aborted' once its signal aborts. */
interface Pending {
  readonly ids: number[];
  readonly signal: AbortSignal;
  readonly onRetry: () => void;
  settle(result: BatchResult): void;
}

/** An evaluation whose batches wait for `settle`, counting how many are in flight at once. */
function controlled(concurrency: number, onFailureStop: BatchEvaluation['onFailureStop']) {
  const started: Pending[] = [];
  const counts = { active: 0, peak: 0 };
  const evaluation: BatchEvaluation = {
    concurrency,
    onFailureStop,
    evaluate(ids, signal, onRetry) {
      counts.peak = Math.max(counts.peak, ++counts.active);
      return new Promise<BatchResult>((resolve) => {
        const onAbort = () => resolve('aborted');
        if (signal.aborted) onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        started.push({ ids: [...ids], signal, onRetry, settle: (result) => (signal.removeEventListener('abort', onAbort), resolve(result)) });
      }).finally(() => counts.active--);
    },
  };
  return { started, counts, evaluation };
}

describe('batches and the sink', () => {
  it('reports each batch once, as it finishes, with the rows the evaluation returned', async () => {
    // ids 100..109 in batches of 4: [100..103] [104..107] [108 109]; two in flight. Batch 0 takes
    // 10 turns, the others 1: batch 1 ends first, then batch 2 (started when 1 ended), then batch 0.
    const ids = Int32Array.from(range(100, 110));
    const turns = new Map([[100, 10], [104, 1], [108, 1]]);
    const rec = recorder();
    let active = 0;
    let peak = 0;
    const outcome = await runBatches(ids, 4, settings('continue'), rec.sink, rec.hooks(), {
      concurrency: 2,
      onFailureStop: 'drain',
      async evaluate(batchIds) {
        peak = Math.max(peak, ++active);
        for (let t = 0; t < turns.get(batchIds[0])!; t++) await flush();
        active--;
        return rowsOf(batchIds);
      },
    });
    expect(rec.calls).toEqual([ok(range(104, 108)), ok([108, 109]), ok(range(100, 104))]);
    expect(rec.progress).toEqual([4, 6, 10]);
    expect(peak).toBe(2);
    expect(outcome).toEqual({ status: 'completed', evaluated: 10, failed: 0, firstError: null, retried: 0, batchSize: 4, batches: 3 });
  });

  it('holds for any size, batch size, concurrency, finishing order and failing batches (continue)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(Infinity)),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.scheduler(),
        async (n, batchSize, concurrency, failing, s) => {
          const ids = Int32Array.from(range(0, n), (i) => 3 * i + 1);
          const batches = Math.ceil(n / batchSize);
          const rec = recorder();
          let active = 0;
          let peak = 0;
          const outcome = await s.waitFor(
            runBatches(ids, batchSize, settings('continue'), rec.sink, rec.hooks(), {
              concurrency,
              onFailureStop: 'drain',
              evaluate(batchIds) {
                peak = Math.max(peak, ++active);
                const b = ids.indexOf(batchIds[0]) / batchSize;
                const result: BatchResult = failing[b] ? { error: `batch ${b} failed` } : rowsOf(batchIds);
                return s.schedule(Promise.resolve(result)).finally(() => active--);
              },
            }),
          );
          // Each batch b is ids[b*batchSize, (b+1)*batchSize) (the last one short), reported once.
          const seen = rec.calls.map((c) => ids.indexOf(c.ids[0]) / batchSize).sort((a, b) => a - b);
          expect(seen).toEqual(range(0, batches));
          for (const c of rec.calls) {
            const b = ids.indexOf(c.ids[0]) / batchSize;
            const expected = [...ids.subarray(b * batchSize, (b + 1) * batchSize)];
            expect(c).toEqual(failing[b] ? failed(expected, `batch ${b} failed`) : ok(expected));
          }
          const failedIds = rec.calls.filter((c) => c.kind === 'failed').reduce((sum, c) => sum + c.ids.length, 0);
          const firstFailure = rec.calls.find((c) => c.kind === 'failed');
          expect(outcome).toEqual({
            status: 'completed',
            evaluated: n - failedIds,
            failed: failedIds,
            firstError: firstFailure?.kind === 'failed' ? firstFailure.error : null,
            retried: 0,
            batchSize,
            batches,
          });
          expect(rec.progress).toEqual(rec.calls.map((_, k) => rec.calls.slice(0, k + 1).reduce((sum, c) => sum + c.ids.length, 0)));
          // Nothing finishes until the scheduler lets it, so the loop fills every slot it has.
          expect(peak).toBe(Math.min(concurrency, batches));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('on_batch_failure', () => {
  it.each(['continue', 'fail'] as const)('%s: a failed batch goes to sink.failed, the rest carry on, the first error is kept', async (policy) => {
    // ids 0..9 in batches of 3, one at a time: [0 1 2] [3 4 5] [6 7 8] [9]; batches 1 and 3 fail.
    const rec = recorder();
    const outcome = await runBatches(Int32Array.from(range(0, 10)), 3, settings(policy), rec.sink, rec.hooks(), {
      concurrency: 1,
      onFailureStop: 'drain',
      evaluate: async (ids) => (ids[0] === 3 ? { error: 'boom 1' } : ids[0] === 9 ? { error: 'boom 3' } : rowsOf(ids)),
    });
    expect(rec.calls).toEqual([ok([0, 1, 2]), failed([3, 4, 5], 'boom 1'), ok([6, 7, 8]), failed([9], 'boom 3')]);
    expect(rec.progress).toEqual([3, 6, 9, 10]);
    expect(outcome).toEqual({ status: 'completed', evaluated: 6, failed: 4, firstError: 'boom 1', retried: 0, batchSize: 3, batches: 4 });
  });

  it('stop with drain: no batch starts after the failure, those in flight are still recorded', async () => {
    // ids 0..11 in batches of 2 (6 batches), three in flight.
    const { started, counts, evaluation } = controlled(3, 'drain');
    const rec = recorder();
    const run = runBatches(Int32Array.from(range(0, 12)), 2, settings('stop'), rec.sink, rec.hooks(), evaluation);
    await flush();
    expect(started.map((p) => p.ids)).toEqual([[0, 1], [2, 3], [4, 5]]);
    started[1].settle(rowsOf([2, 3]));
    await flush();
    expect(started.map((p) => p.ids[0])).toEqual([0, 2, 4, 6]);
    started[2].settle({ error: 'bad' });
    await flush();
    expect(started).toHaveLength(4);
    started[3].settle({ error: 'later' });
    started[0].settle(rowsOf([0, 1]));
    const outcome = await run;
    expect(rec.calls).toEqual([ok([2, 3]), failed([4, 5], 'bad'), failed([6, 7], 'later'), ok([0, 1])]);
    expect(started.some((p) => p.signal.aborted)).toBe(false);
    expect(counts.peak).toBe(3);
    expect(outcome).toEqual({ status: 'failed', evaluated: 4, failed: 4, firstError: 'bad', retried: 0, batchSize: 2, batches: 6 });
  });

  it('stop with abandon: the batches in flight are aborted and nothing after the failure reaches the sink', async () => {
    // ids 0..9 in batches of 2 (5 batches), all in flight at once as on the queue.
    const { started, evaluation } = controlled(Infinity, 'abandon');
    const rec = recorder();
    const run = runBatches(Int32Array.from(range(0, 10)), 2, settings('stop'), rec.sink, rec.hooks(), evaluation);
    await flush();
    expect(started.map((p) => p.ids[0])).toEqual([0, 2, 4, 6, 8]);
    started[3].settle(rowsOf([6, 7]));
    await flush();
    // Batch 4's result is already on its way when batch 1's failure stops the run.
    started[1].settle({ error: 'bad' });
    started[4].settle(rowsOf([8, 9]));
    const outcome = await run;
    expect(started[0].signal.aborted && started[2].signal.aborted).toBe(true);
    expect(rec.calls).toEqual([ok([6, 7]), failed([2, 3], 'bad')]);
    expect(rec.progress).toEqual([2, 4]);
    expect(outcome).toEqual({ status: 'failed', evaluated: 2, failed: 2, firstError: 'bad', retried: 0, batchSize: 2, batches: 5 });
  });
});

describe('retries and the sink', () => {
  it('counts every retry the evaluation reports', async () => {
    // Batch [0 1] succeeds at once, [2 3] on its third attempt, [4 5] fails after one retry.
    const rec = recorder();
    const retries = new Map([[0, 0], [2, 2], [4, 1]]);
    const outcome = await runBatches(Int32Array.from(range(0, 6)), 2, settings('continue'), rec.sink, rec.hooks(), {
      concurrency: 2,
      onFailureStop: 'drain',
      async evaluate(ids, _signal, onRetry) {
        for (let r = 0; r < retries.get(ids[0])!; r++) onRetry();
        return ids[0] === 4 ? { error: 'still failing' } : rowsOf(ids);
      },
    });
    expect(outcome).toEqual({ status: 'completed', evaluated: 4, failed: 2, firstError: 'still failing', retried: 3, batchSize: 2, batches: 3 });
  });

  it('a sink that throws aborts the batches in flight, starts no more and rethrows', async () => {
    const { started, evaluation } = controlled(2, 'drain');
    const broken = new Error('disk full');
    const sink: BatchSink = {
      ok: () => {
        throw broken;
      },
      failed: () => {},
    };
    const run = runBatches(Int32Array.from(range(0, 6)), 2, settings('continue'), sink, {}, evaluation);
    await flush();
    started[0].settle(rowsOf([0, 1]));
    await expect(run).rejects.toBe(broken);
    expect(started).toHaveLength(2);
    expect(started[1].signal.aborted).toBe(true);
  });
});

describe('interrupt', () => {
  const GRACE_MS = 1_000;
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('keeps the batches that finish within the grace, then aborts the rest', async () => {
    // ids 0..9 in batches of 2 (5 batches), three in flight.
    const { started, evaluation } = controlled(3, 'drain');
    const rec = recorder();
    const interrupt = new AbortController();
    const run = runBatches(Int32Array.from(range(0, 10)), 2, settings('continue', GRACE_MS), rec.sink, rec.hooks(interrupt.signal), evaluation);
    await flush();
    started[0].settle(rowsOf([0, 1]));
    await flush();
    expect(started.map((p) => p.ids[0])).toEqual([0, 2, 4, 6]);
    interrupt.abort();
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    started[2].settle(rowsOf([4, 5]));
    await flush();
    expect(started).toHaveLength(4);
    expect(started[1].signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await run;
    expect(started[1].signal.aborted && started[3].signal.aborted).toBe(true);
    expect(rec.calls).toEqual([ok([0, 1]), ok([4, 5])]);
    expect(rec.progress).toEqual([2, 4]);
    expect(outcome).toEqual({ status: 'interrupted', evaluated: 4, failed: 0, firstError: null, retried: 0, batchSize: 2, batches: 5 });
  });

  it('stops waiting as soon as the batches in flight finish, leaving no grace timer behind', async () => {
    const { started, evaluation } = controlled(2, 'drain');
    const rec = recorder();
    const interrupt = new AbortController();
    const run = runBatches(Int32Array.from(range(0, 6)), 2, settings('continue', GRACE_MS), rec.sink, rec.hooks(interrupt.signal), evaluation);
    await flush();
    interrupt.abort();
    started[1].settle(rowsOf([2, 3]));
    started[0].settle(rowsOf([0, 1]));
    const outcome = await run;
    expect(vi.getTimerCount()).toBe(0);
    expect(rec.calls).toEqual([ok([2, 3]), ok([0, 1])]);
    expect(outcome).toEqual({ status: 'interrupted', evaluated: 4, failed: 0, firstError: null, retried: 0, batchSize: 2, batches: 3 });
  });

  it.each([1, Infinity])('an already aborted signal evaluates nothing (concurrency %s)', async (concurrency) => {
    const { started, evaluation } = controlled(concurrency, concurrency === Infinity ? 'abandon' : 'drain');
    const rec = recorder();
    const outcome = await runBatches(Int32Array.from(range(0, 5)), 2, settings('continue', GRACE_MS), rec.sink, rec.hooks(AbortSignal.abort()), evaluation);
    expect(started).toHaveLength(0);
    expect(rec.calls).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(outcome).toEqual({ status: 'interrupted', evaluated: 0, failed: 0, firstError: null, retried: 0, batchSize: 2, batches: 3 });
  });
});
