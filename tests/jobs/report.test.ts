/**
 * The report's model from the store and the equity curve, by hand: the Pareto columns of stored
 * candidates (a failed one left out), convergence per batch with the best primary objective and
 * the 2-D hypervolume, trials from a summary, and the paths the equity charts draw (drawdown, buy
 * and hold, stretches in the market).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_COUNT, Metric } from '../../native-free-kernels/portfolio/metrics.js';
import { configHash, loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { encodeNamedValues, paramLayout } from '../../src/config/param-layout.js';
import { alignPanel } from '../../src/data/panel.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { buildContext } from '../../src/jobs/context.js';
import { runOptimization } from '../../src/jobs/optimize.js';
import { completeReport, marketStretches, readStoredReport } from '../../src/jobs/report.js';
import { poolSettings } from '../../src/pool/settings.js';
import { createEvaluator } from '../../src/simulation/evaluator.js';
import { DatabaseManager } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { RunStore } from '../../src/store/run-store.js';
import { testConfig } from '../helpers/config.js';
import { configDirWith } from '../helpers/config-dir.js';

const DAY = 86_400_000;

/** A store with one lhs run of sma_cross: candidates 0..3 stored with (total_return, max_drawdown), 4 failed; ranked with 1 infeasible. */
function storeWithRun(summary: unknown): { store: RunStore; runId: string } {
  const dbm = new DatabaseManager(':memory:', MIGRATIONS, 'write');
  const store = new RunStore(dbm);
  const layout = paramLayout(testConfig(), 'sma_cross', []);
  const runId = store.createRun({
    command: 'optimize', family: 'sma_cross', optimizer: 'lhs', seed: '1', configHash: 'c', dataHash: 'd', codeVersion: 'v', budget: 5, dataWindow: {},
    sampler: { optimizer: 'lhs', settings: { objectives: [{ metric: 'total_return', direction: 'maximize' }, { metric: 'max_drawdown', direction: 'minimize' }], primary_objective: 'total_return', sampling: { batch_size: 2 } } },
  });
  const X = Float64Array.from([5, 20, 6, 30, 7, 40, 8, 50, 9, 60]);
  const F = new Float64Array(4 * METRIC_COUNT);
  [[0.1, 0.2], [0.3, 0.3], [0.2, 0.1], [0.05, 0.05]].forEach(([tr, dd], i) => {
    F[i * METRIC_COUNT + Metric.total_return] = tr;
    F[i * METRIC_COUNT + Metric.max_drawdown] = dd;
  });
  store.writeEvaluated(runId, layout, X, Int32Array.from([0, 1, 2, 3]), F);
  store.writeFailed(runId, layout, X, Int32Array.from([4]), 'boom');
  store.writeRanking(runId, Int32Array.from([1, 0, 0, 0, -1]), new Float64Array(5), Float64Array.from([0, 0.5, 0, 0, NaN]));
  store.finishRun(runId, 'completed', summary);
  return { store, runId };
}

describe('readStoredReport', () => {
  it('reads every candidate with metrics into columns, and the convergence per batch', () => {
    const { store, runId } = storeWithRun({ run_id: 'x', adopted: true, adoption_reason: 'ok', best: { candidate_id: 2, family: 'sma_cross', params: { fast: 7, slow: 40 } } });
    const { model, best } = readStoredReport(store, store.run(runId)!);
    const p = model.pareto!;
    expect(Array.from(p.ids)).toEqual([0, 1, 2, 3]);
    expect(Array.from(p.feasible)).toEqual([1, 0, 1, 1]);
    expect(Array.from(p.frontRank)).toEqual([1, 0, 0, 0]);
    expect(Array.from(p.params.find((c) => c.name === 'slow')!.values)).toEqual([20, 30, 40, 50]);
    expect(p.bestId).toBe(2);
    expect(p.adopted).toBe(true);
    expect(best).toEqual({ candidate_id: 2, family: 'sma_cross', params: { fast: 7, slow: 40 } });
    expect(model.run).toMatchObject({ stored: 5, adopted: true, best_id: 2, kind: 'optimize' });
    // Feasible candidates 0, 2, 3 as minimised (-total_return, max_drawdown): (-0.1, 0.2), (-0.2, 0.1), (-0.05, 0.05); reference (-0.05, 0.2).
    // Batch 1 (ids 0, 1): best total_return 0.1; front {0}, on the reference's y: area 0.
    // Batch 2 (ids 2, 3): best 0.2; 2 dominates 0, front {2, 3}: (-0.05 - -0.2) x (0.2 - 0.1) + 0 = 0.015.
    const c = model.convergence!;
    expect(c.step).toBe('batch of 2 candidates');
    expect(Array.from(c.evaluated)).toEqual([2, 4]);
    expect(c.best[0]).toBeCloseTo(0.1, 6);
    expect(c.best[1]).toBeCloseTo(0.2, 6);
    expect(c.hypervolume[0]).toBe(0);
    expect(c.hypervolume[1]).toBeCloseTo(0.015, 6);
    expect(model.trials).toBeNull();
    expect(model.paper).toEqual([]);
  });

  it('takes the trials of a summary that has them, and no best from one that has none', () => {
    const { store, runId } = storeWithRun({ run_id: 'x', best: null, trials: [{ trial: 0, score: 1.5, kind: 'explore' }, { trial: 1, score: 2, kind: 'exploit' }, { trial: 2, kind: 'bad' }] });
    const r = readStoredReport(store, store.run(runId)!);
    expect(r.model.trials).toEqual([{ trial: 0, score: 1.5, kind: 'explore' }, { trial: 1, score: 2, kind: 'exploit' }]);
    expect(r.best).toBeNull();
  });
});

describe('equity paths', () => {
  it('stretches in the market: runs of bars whose equity moved', () => {
    // Initial 100. Equity moves at bars 1, 2 (102 - 100 = 2), stays at 3, moves at 4 (99 - 102 = -3), then stays.
    const time = Float64Array.from([0, 1, 2, 3, 4, 5], (d) => d * DAY);
    const trades = marketStretches(time, Float64Array.from([100, 101, 102, 102, 99, 99]), 100);
    expect(trades).toEqual([
      { ticker: null, entry: '1970-01-02', exit: '1970-01-03', bars: 2, pnl: 2, return: 102 / 100 - 1 },
      { ticker: null, entry: '1970-01-05', exit: '1970-01-05', bars: 1, pnl: -3, return: 99 / 102 - 1 },
    ]);
    // Still in the market at the last bar: the stretch ends there.
    expect(marketStretches(time.subarray(0, 2), Float64Array.from([100, 103]), 100)).toEqual([{ ticker: null, entry: '1970-01-02', exit: '1970-01-02', bars: 1, pnl: 3, return: 103 / 100 - 1 }]);
  });
});

describe('completeReport: the trade list', () => {
  it('lists the fills of every closed trade of a ts configuration: as many as the backtest counts, their pnl the equity they made', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-report-trades-'));
    try {
      const base = loadConfig({ dir: configDirWith('quant_success_config.yml', (d) => d.setIn(['hold_out', 'min_bars'], 60)) });
      const sections = { ...base, runtime: { ...base.runtime, runtime: { ...base.runtime.runtime, cache_dir: join(tmp, 'cache') } } };
      const cfg: PnloptConfig = { ...sections, hash: configHash(sections) };
      const data = generateSynthetic({ tickers: 2, bars: 700, seed: 9, config: cfg.synthetic });
      const dbm = new DatabaseManager(join(tmp, 'p.db'));
      const summary = await runOptimization({ cfg, data, families: ['ts_ensemble'], optimizer: 'random', budget: 24, maxSeconds: Infinity, seed: 3, pool: poolSettings(cfg, { workers: 1 }), outDir: join(tmp, 'run'), dbm });
      const store = new RunStore(dbm);
      const stored = readStoredReport(store, store.run(summary.run_id)!);
      // The best configuration may be infeasible here: report it on whatever the run has.
      const best = { candidate_id: 0, family: 'ts_ensemble', params: summary.best?.params ?? stored.best?.params ?? (summary.least_violating[0]!.params as Record<string, number | string>) };
      const model = await completeReport({ ...stored, best }, { cfg, data }, { regimes: false });
      expect(model.notes.filter((n) => !n.startsWith('Regimes not detected'))).toEqual([]);
      expect(model.tradesExact).toBe(true);
      const w = JSON.parse(store.run(summary.run_id)!.data_window_json!) as { search: { start: number }; holdout: { end: number } };
      const panel = alignPanel(data);
      const layout = paramLayout(cfg, 'ts_ensemble', panel.tickers);
      const ctx = await buildContext(cfg, layout, panel, data.hash, { start: w.search.start, end: w.holdout.end });
      const { row } = encodeNamedValues(layout, new Map(Object.entries(best.params).map(([k, v]) => [k, String(v)])));
      const equity = new Float64Array(panel.T);
      const F = new Float64Array(METRIC_COUNT);
      createEvaluator(layout, ctx).evaluateWithEquity(row, equity, F);
      expect(model.trades!.length).toBe(F[Metric.total_trades]);
      expect(model.trades!.length).toBeGreaterThan(0);
      for (const t of model.trades!) expect(panel.tickers).toContain(t.ticker);
      dbm.close();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
