/**
 * Forecast columns of the embedded default data (`runtime.default_data`: S&P 500 daily, 5,105 bars)
 * under the default `forecast_models`, computed cold (no cache) as a job computes them on a miss:
 * `computeForecastBlocksInPool` with the blocks split for its threads (`forecastBlocks`), thread
 * start-up included. 1 thread against 2, in alternating pairs so that both see the same load on a
 * shared machine; each figure is the median over the pairs, and the speed-up the ratio of the
 * medians. A run takes seconds, so the pairs are timed by hand rather than by tinybench.
 * Run alone: `npm run build && node --expose-gc dist/bench/run.js forecast`.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import { loadMarketData } from '../src/data/load.js';
import { alignPanel } from '../src/data/panel.js';
import { projectRoot } from '../src/paths.js';
import { computeForecastBlocksInPool } from '../src/pool/forecast-pool.js';
import { emptyForecastColumns, forecastBlocks, type ForecastColumns } from '../src/simulation/forecast-columns.js';
import type { SuiteResult } from './simulator.bench.js';

/** Alternating 1-thread / 2-thread runs behind each median. */
const PAIRS = 5;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const bitsOf = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export async function runForecastBench(): Promise<SuiteResult> {
  const cfg = loadConfig();
  const models = cfg.strategy.forecast_models;
  const panel = alignPanel(loadMarketData(cfg.runtime.runtime.default_data.map((f) => resolve(projectRoot(), f))));
  const K = panel.tickers.length;

  /** One cold computation on `threads` threads: seconds of wall and of CPU (all threads), and the columns. */
  async function run(threads: number): Promise<{ wall: number; cpu: number; cols: ForecastColumns }> {
    const cols = emptyForecastColumns(models, K, panel.T);
    const blocks = forecastBlocks(models, K, panel.T, threads);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await computeForecastBlocksInPool(panel, models, blocks, cols, () => {}, { threads });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { wall, cpu: (cpu.user + cpu.system) / 1e6, cols };
  }

  const loadBefore = loadavg()[0];
  const rows: { pair: number; threads: number; wall_s: number; cpu_s: number }[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const one = await run(1);
    const two = await run(2);
    // Show the subject works: 4 blocks on one thread and 8 on two give the same bits.
    const same = bitsOf(one.cols.mu).equals(bitsOf(two.cols.mu)) && bitsOf(one.cols.sigma).equals(bitsOf(two.cols.sigma));
    if (!same) throw new Error('forecast bench: the columns computed on 1 and 2 threads differ');
    if (p === 0) console.log(`${panel.tickers.join(',')}, ${panel.T} bars, models ${one.cols.models.join(', ')}: 2-thread columns equal the 1-thread columns bit for bit`);
    rows.push({ pair: p, threads: 1, wall_s: one.wall, cpu_s: one.cpu }, { pair: p, threads: 2, wall_s: two.wall, cpu_s: two.cpu });
  }
  console.table(rows);
  const oneS = median(rows.filter((r) => r.threads === 1).map((r) => r.wall_s));
  const twoS = median(rows.filter((r) => r.threads === 2).map((r) => r.wall_s));
  const twoCores = median(rows.filter((r) => r.threads === 2).map((r) => r.cpu_s / r.wall_s));
  const blocks = (threads: number) => forecastBlocks(models, K, panel.T, threads).length;
  return {
    figures: {
      forecast_columns_s_1_thread: oneS,
      forecast_columns_s_2_threads: twoS,
      forecast_speedup_2_threads: oneS / twoS,
      forecast_cores_busy_2_threads: twoCores,
    },
    notes: [
      `${K} ticker(s), ${panel.T} bars, default forecast_models; cold, thread start-up included; ${blocks(1)} blocks on 1 thread, ${blocks(2)} on 2; median of ${PAIRS} alternating pairs`,
      `1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after; cores busy = CPU time of the process / wall time of the 2-thread runs`,
    ],
  };
}
