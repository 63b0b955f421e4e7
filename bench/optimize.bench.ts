/**
 * An NSGA-II search of 100,000 `sma_cross` candidates on the embedded data, through the whole job
 * (worker pool, SQLite store, ranking, hold-out): wall time, candidates/s, and the share of the
 * time spent outside the simulator. The simulator's share is the in-thread cost of the distinct
 * configurations the job simulated, divided among the workers; the rest is the search, the pool's
 * messages and the store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { METRIC_COUNT } from '../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../src/config/load.js';
import { loadMarketData } from '../src/data/load.js';
import { alignPanel } from '../src/data/panel.js';
import { projectRoot } from '../src/paths.js';
import { defaultWorkers } from '../src/pool/coordinator.js';
import { poolSettings } from '../src/pool/settings.js';
import { runOptimization } from '../src/jobs/optimize.js';
import { evaluationWindows } from '../src/jobs/windows.js';
import { buildContext } from '../src/jobs/context.js';
import { createEvaluator } from '../src/simulation/evaluator.js';
import { encodeNamedValues, paramLayout } from '../src/config/param-layout.js';
import { DatabaseManager } from '../src/store/database.js';
import { RunStore } from '../src/store/run-store.js';
import type { SuiteResult } from './simulator.bench.js';

const BUDGET = 100_000;
/** Population of the bench's NSGA-II: the budget makes it 200 generations. */
const POPULATION = 500;

/** One family's NSGA-II job of BUDGET candidates and the figures about it. */
async function nsga2Job(family: string): Promise<SuiteResult> {
  const base = loadConfig();
  const cfg = { ...base, strategy: { ...base.strategy, optimizer: { ...base.strategy.optimizer, nsga2: { ...base.strategy.optimizer.nsga2, population: POPULATION } } } };
  const data = loadMarketData([join(projectRoot(), 'data', 'sp500_daily_ohlcv_2000_2020.csv')]);
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-bench-opt-'));
  const dbm = new DatabaseManager(join(dir, 'bench.db'));
  const workers = defaultWorkers();
  const panel = alignPanel(data);
  const layout = paramLayout(cfg, family, panel.tickers);
  // Forecast columns are computed (or loaded) before the clock starts: they are per data set, not per search.
  const ctx = await buildContext(cfg, layout, panel, data.hash, evaluationWindows(cfg, panel.time).search);
  const t0 = performance.now();
  const summary = await runOptimization({
    cfg, data, families: [family], optimizer: 'nsga2', budget: BUDGET, maxSeconds: Infinity, seed: 1,
    pool: poolSettings(cfg, { workers }), dbm, outDir: join(dir, 'run'),
  });
  const wall = (performance.now() - t0) / 1000;

  // The configurations the job simulated (a repeat takes its first row), again in this thread only:
  // the simulator's own cost.
  const d = layout.params.length;
  const rows = [...new Set([...new RunStore(dbm).results(summary.run_id)].map((r) => r.paramsJson))];
  const X = new Float64Array(rows.length * d).fill(NaN);
  rows.forEach((json, i) => {
    const p = JSON.parse(json) as Record<string, number | string>;
    const { row } = encodeNamedValues(layout, new Map(Object.entries(p).map(([k, v]) => [k, String(v)])));
    X.set(row, i * d);
  });
  const F = new Float64Array(rows.length * METRIC_COUNT);
  const ev = createEvaluator(layout, ctx);
  ev.evaluate(X, Math.min(rows.length, 2000), F); // warm up
  const s0 = performance.now();
  ev.evaluate(X, rows.length, F);
  const simulatorSeconds = (performance.now() - s0) / 1000;
  dbm.close();
  const key = `nsga2_100k_${family}`;
  return {
    figures: {
      [`${key}_wall_s`]: wall,
      [`${key}_candidates_per_s`]: summary.evaluated / wall,
      [`${key}_simulated`]: summary.simulated,
      [`${key}_simulator_cpu_s`]: simulatorSeconds,
      [`${key}_share_outside_simulator`]: 1 - simulatorSeconds / workers / wall,
    },
    notes: [
      `${family}: NSGA-II, population ${POPULATION}, ${summary.generations} generations, ${workers} workers, ${panel.T} daily bars (search window ${summary.windows.dates.search.join(' .. ')}); ${summary.simulated} of ${summary.evaluated} candidates simulated (the rest repeat a configuration); includes pool start, SQLite writes of every candidate, ranking and the hold-out`,
    ],
  };
}

export async function runOptimizeBench(): Promise<SuiteResult> {
  const parts = [await nsga2Job('sma_cross'), await nsga2Job('ts_ensemble')];
  return {
    figures: Object.assign({}, ...parts.map((p) => p.figures)) as Record<string, number>,
    notes: [...parts.flatMap((p) => p.notes), 'share outside the simulator = 1 - (in-thread simulator time of the simulated configurations / workers) / wall time'],
  };
}
