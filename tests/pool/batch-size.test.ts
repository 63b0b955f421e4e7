/** Batch sizing: the smallest batch within the overhead budget, capped at a worker's share; calibration sampling; the batch timeout. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { batchTimeoutMs, chooseBatchSize, measureCandidateMs } from '../../src/pool/batch-size.js';
import type { BatchEvaluator } from '../../src/simulation/evaluator.js';

describe('chooseBatchSize', () => {
  it('takes the smallest batch whose overhead is within the budget', () => {
    // overhead 0.1 ms / (0.05 x 0.001 ms per candidate) = 2000 candidates.
    expect(chooseBatchSize({ candidateMs: 0.001, taskOverheadMs: 0.1, maxOverheadFraction: 0.05, pending: 1e6, workers: 2 })).toBe(2000);
    // 0.1 / (0.05 x 0.3) = 6.67 -> 7.
    expect(chooseBatchSize({ candidateMs: 0.3, taskOverheadMs: 0.1, maxOverheadFraction: 0.05, pending: 1e6, workers: 2 })).toBe(7);
  });

  it('gives each worker work: never more than its share, never less than 1', () => {
    // The budget asks for 2000, but 1000 candidates over 4 workers is 250 each.
    expect(chooseBatchSize({ candidateMs: 0.001, taskOverheadMs: 0.1, maxOverheadFraction: 0.05, pending: 1000, workers: 4 })).toBe(250);
    expect(chooseBatchSize({ candidateMs: 50, taskOverheadMs: 0.1, maxOverheadFraction: 0.05, pending: 1000, workers: 4 })).toBe(1);
    expect(chooseBatchSize({ candidateMs: 0, taskOverheadMs: 0.1, maxOverheadFraction: 0.05, pending: 10, workers: 4 })).toBe(3);
  });

  it('keeps overhead / evaluation time within the budget whenever the share does not cap it (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-5, max: 100, noNaN: true }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 1e7 }),
        fc.integer({ min: 1, max: 64 }),
        (candidateMs, taskOverheadMs, maxOverheadFraction, pending, workers) => {
          const b = chooseBatchSize({ candidateMs, taskOverheadMs, maxOverheadFraction, pending, workers });
          expect(b).toBeGreaterThanOrEqual(1);
          expect(b).toBeLessThanOrEqual(Math.ceil(pending / workers));
          if (b < Math.ceil(pending / workers)) {
            expect(taskOverheadMs / (b * candidateMs)).toBeLessThanOrEqual(maxOverheadFraction * (1 + 1e-12));
            // and one fewer would break the budget: b is the smallest
            if (b > 1) expect(taskOverheadMs / ((b - 1) * candidateMs)).toBeGreaterThan(maxOverheadFraction * (1 - 1e-12));
          }
        },
      ),
    );
  });
});

describe('measureCandidateMs', () => {
  it('times rows spread evenly over the candidates, and returns a positive cost per candidate', () => {
    const d = 2;
    const X = Float64Array.from({ length: 100 * d }, (_, k) => Math.floor(k / d)); // row i holds (i, i)
    const ids = Int32Array.from({ length: 50 }, (_, i) => 2 * i); // candidates 0, 2, ..., 98
    const seen: number[][] = [];
    const evaluator: BatchEvaluator = {
      layout: undefined as never,
      evaluate(batch, rows, F) {
        expect(F.length).toBeGreaterThanOrEqual(rows * METRIC_COUNT);
        seen.push(Array.from({ length: rows }, (_, r) => batch[r * d]));
      },
      evaluateWithEquity() {},
    };
    const ms = measureCandidateMs(evaluator, X, d, ids, 5, 1);
    expect(ms).toBeGreaterThan(0);
    expect(Number.isFinite(ms)).toBe(true);
    // Five of fifty ids: positions 0, 10, 20, 30, 40 -> candidates 0, 20, 40, 60, 80; the same sample every pass.
    expect(seen[0]).toEqual([0, 20, 40, 60, 80]);
    expect(new Set(seen.map((s) => s.join()))).toEqual(new Set(['0,20,40,60,80']));
  });

  it('samples every candidate when there are fewer than the sample size', () => {
    const seen: number[] = [];
    const evaluator: BatchEvaluator = {
      layout: undefined as never,
      evaluate(_batch, rows) {
        seen.push(rows);
      },
      evaluateWithEquity() {},
    };
    measureCandidateMs(evaluator, new Float64Array(6), 2, Int32Array.from([0, 1, 2]), 64, 1);
    expect(new Set(seen)).toEqual(new Set([3]));
  });
});

describe('batchTimeoutMs', () => {
  const base = { candidateMs: 2, taskOverheadMs: 1, batchSize: 100, tasksPerWorker: 2, minMs: 60_000, multiple: 20 };

  it('is the multiple of the expected time of every task a worker holds, when that exceeds the minimum', () => {
    // 20 x 2 tasks x (1 ms + 100 x 2 ms) = 8040 ms: under the 60 s minimum.
    expect(batchTimeoutMs(base)).toBe(60_000);
    // 20 x 2 x (1 + 1000 x 2) = 80040 ms.
    expect(batchTimeoutMs({ ...base, batchSize: 1000 })).toBe(80_040);
  });

  it('is the minimum alone when the costs were not measured', () => {
    expect(batchTimeoutMs({ ...base, candidateMs: NaN, taskOverheadMs: NaN })).toBe(60_000);
  });
});
