/**
 * The time-series kernel gives every candidate the same metric row whatever else its evaluator ran
 * before it: one batch, one row at a time in reverse, a fresh evaluator per row, and the worker
 * pool with 1, 2 and 8 workers and several batch sizes all agree bit for bit, for both ts
 * families and for candidates with four, three and one active forecast models. Workers run the
 * compiled dist/ (npm test builds first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { paramLayout, type ParamLayout } from '../../src/config/param-layout.js';
import type { PnloptConfig } from '../../src/config/load.js';
import { alignPanel } from '../../src/data/panel.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { buildContext } from '../../src/jobs/context.js';
import { EvaluationPool, workerFile, type BatchSink, type PoolSettings } from '../../src/pool/coordinator.js';
import { createRng } from '../../src/rng.js';
import { decodePoints } from '../../src/search/encoding.js';
import type { SimulationContext } from '../../src/simulation/context.js';
import { createEvaluator } from '../../src/simulation/evaluator.js';
import { inThread, sameBits } from '../fixtures/pool/setup.js';
import { testConfig } from '../helpers/config.js';

const N = 48;
const FAMILIES = ['ts_ensemble', 'ts_with_fallback'] as const;
let cacheDir: string;
const cases = new Map<string, { layout: ParamLayout; ctx: SimulationContext; X: Float64Array; reference: Float64Array }>();

/** N seeded rows; every fourth has one model weight set to 0 (three active), the next one only one weight left. */
function population(layout: ParamLayout, seed: string): Float64Array {
  const d = layout.params.length;
  const rand = createRng(7, seed);
  const U = new Float64Array(N * d).map(() => rand());
  const X = new Float64Array(N * d);
  decodePoints(layout, U, N, X);
  const weights = layout.params.map((p, j) => (p.name.startsWith('w_') ? j : -1)).filter((j) => j >= 0);
  for (let r = 0; r < N; r++) {
    if (r % 4 === 1) X[r * d + weights[0]] = 0;
    if (r % 4 === 2) for (const j of weights.slice(1)) X[r * d + j] = 0;
  }
  return X;
}

function poolSettings(workers: number): PoolSettings {
  return {
    workers, workerFile: workerFile(), onBatchFailure: 'stop', maxRetries: 0, interruptGraceMs: 10_000, batchTimeoutMinMs: 60_000,
    batchTimeoutMultiple: 20, maxOverheadFraction: 0.05, calibrationRows: 16, calibrationMs: 5, overheadProbes: 3,
  };
}

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'pnlopt-ts-determinism-'));
  const base = testConfig();
  const cfg: PnloptConfig = { ...base, runtime: { ...base.runtime, runtime: { ...base.runtime.runtime, cache_dir: cacheDir } } };
  const data = generateSynthetic({ tickers: 3, bars: 500, seed: 11, config: cfg.synthetic });
  const panel = alignPanel(data);
  for (const family of FAMILIES) {
    const layout = paramLayout(cfg, family, panel.tickers);
    const ctx = await buildContext(cfg, layout, panel, data.hash, { start: 0, end: panel.T });
    const X = population(layout, family);
    cases.set(family, { layout, ctx, X, reference: inThread(layout, ctx, X) });
  }
}, 120_000);

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe.each(FAMILIES)('%s: the same rows whatever ran before', (family) => {
  it('trades in most candidates, so the rows test the portfolio and not only flat paths', () => {
    const { reference } = cases.get(family)!;
    let trading = 0;
    for (let r = 0; r < N; r++) if (reference[r * METRIC_COUNT + Metric.total_trades] > 0) trading++;
    expect(trading).toBeGreaterThan(N / 2);
  });

  it('gives the batch rows one row at a time in reverse, and from a fresh evaluator per row', () => {
    const { layout, ctx, X, reference } = cases.get(family)!;
    const d = layout.params.length;
    const reused = createEvaluator(layout, ctx);
    const F = new Float64Array(N * METRIC_COUNT);
    const fresh = new Float64Array(N * METRIC_COUNT);
    for (let r = N - 1; r >= 0; r--) {
      const row = X.subarray(r * d, (r + 1) * d);
      reused.evaluate(row, 1, F.subarray(r * METRIC_COUNT, (r + 1) * METRIC_COUNT));
      createEvaluator(layout, ctx).evaluate(row, 1, fresh.subarray(r * METRIC_COUNT, (r + 1) * METRIC_COUNT));
    }
    expect(sameBits(F, reference)).toBe(true);
    expect(sameBits(fresh, reference)).toBe(true);
  });

  it('gives the batch rows with 1, 2 and 8 workers and any batch size', async () => {
    const { layout, ctx, X, reference } = cases.get(family)!;
    const all = Int32Array.from({ length: N }, (_, i) => i);
    for (const [workers, batchSizes] of [[1, [1, 17]], [2, [7, N]], [8, [5]]] as const) {
      const pool = await EvaluationPool.start(layout, ctx, workers, workerFile());
      try {
        for (const batch of batchSizes) {
          const F = new Float64Array(N * METRIC_COUNT).fill(-1);
          const sink: BatchSink = {
            ok(ids, batchF) {
              ids.forEach((id, r) => F.set(batchF.subarray(r * METRIC_COUNT, (r + 1) * METRIC_COUNT), id * METRIC_COUNT));
            },
            failed(_ids, error) {
              throw new Error(error);
            },
          };
          const outcome = await pool.run(X, layout.params.length, all, batch, poolSettings(workers), sink);
          expect(outcome).toMatchObject({ status: 'completed', evaluated: N, failed: 0 });
          expect(sameBits(F, reference), `${workers} workers, batch ${batch}`).toBe(true);
        }
      } finally {
        await pool.close();
      }
    }
  }, 120_000);
});
