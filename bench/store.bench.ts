/**
 * Candidate storage: what storing a candidate costs (`RunStore.writeEvaluated`: the batch's ids,
 * parameter rows and metric rows as one row of typed BLOBs, into a WAL file like a run's, through
 * the jobs' `WriteQueue` under the configured flush policy), and reading a run back as
 * `pnlopt export` CSV and as a resume's typed rows. 100,000 sma_cross candidates in batches of
 * BATCH, about what the pool's batch sizing gives sma_cross on the default data.
 * Run alone: `npm run build && node --expose-gc dist/bench/run.js store`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { METRIC_COUNT } from '../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../src/config/load.js';
import { paramLayout } from '../src/config/param-layout.js';
import { exportRunCsv } from '../src/jobs/export.js';
import { StoredRows } from '../src/jobs/family-evaluation.js';
import { WriteQueue } from '../src/jobs/run-lifecycle.js';
import { createRng } from '../src/rng.js';
import { DatabaseManager } from '../src/store/database.js';
import { RunStore } from '../src/store/run-store.js';
import { median } from './median.js';
import type { SuiteResult } from './simulator.bench.js';

const N = 100_000;
const BATCH = 100;
const REPEATS = 3;

export async function runStoreBench(): Promise<SuiteResult> {
  const cfg = loadConfig();
  const layout = paramLayout(cfg, 'sma_cross', []);
  const d = layout.params.length;
  const rand = createRng(1, 'store-bench');
  const X = Float64Array.from({ length: N * d }, (_, k) => (k % d === 0 ? 2 + Math.floor(rand() * 50) : 60 + Math.floor(rand() * 200)));
  const F = Float64Array.from({ length: N * METRIC_COUNT }, () => rand() - 0.5);
  const writeUs: number[] = [];
  const exportMs: number[] = [];
  const resumeMs: number[] = [];
  for (let rep = 0; rep < REPEATS; rep++) {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-store-bench-'));
    const dbm = new DatabaseManager(join(dir, 'b.db'));
    const store = new RunStore(dbm);
    const runId = store.createRun({ command: 'bench', family: 'sma_cross', optimizer: null, seed: null, configHash: cfg.hash, dataHash: 'bench', codeVersion: 'bench', sampler: null, dataWindow: null, budget: N });
    const { flush_interval_s: flushS, flush_rows: rows } = cfg.runtime.runtime;
    const writes = new WriteQueue(store, { intervalMs: flushS * 1000, rows });
    let t0 = performance.now();
    for (let b = 0; b < N; b += BATCH) {
      const ids = Int32Array.from({ length: BATCH }, (_, i) => b + i);
      const rowsF = F.subarray(b * METRIC_COUNT, (b + BATCH) * METRIC_COUNT);
      writes.push(() => store.writeEvaluated(runId, layout, X, ids, rowsF), BATCH);
    }
    writes.flush();
    writeUs.push(((performance.now() - t0) * 1000) / N);
    t0 = performance.now();
    exportRunCsv(store, store.run(runId)!, () => undefined);
    exportMs.push(performance.now() - t0);
    t0 = performance.now();
    StoredRows.read(store, runId);
    resumeMs.push(performance.now() - t0);
    dbm.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const figures = {
    store_us_per_candidate: median(writeUs),
    store_export_csv_100k_ms: median(exportMs),
    store_resume_read_100k_ms: median(resumeMs),
  };
  console.log(figures);
  return { figures, notes: [`store: ${N} sma_cross candidates in batches of ${BATCH}, flushed every ${cfg.runtime.runtime.flush_rows} rows or ${cfg.runtime.runtime.flush_interval_s} s, into a WAL file under the system temp folder; median of ${REPEATS}`] };
}
