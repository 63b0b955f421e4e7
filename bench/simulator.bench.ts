/**
 * Simulator throughput: candidate-bar steps per second on one core for `sma_cross` and
 * `ts_ensemble` (`ts_with_fallback` too on the basket), on 2,520 daily bars x 5 tickers and on a
 * 1,000,000-bar series; for `sma_cross`, the ratio to straightforward implementations measured in
 * the same run (object-per-bar JS, and the same loop in C compiled with gcc -O3 when gcc is
 * present); heap growth across 100,000 candidate evaluations.
 *
 * A step is one candidate on one bar of one ticker; every candidate trades the whole basket, so the
 * figure counts K tickers per bar. Data and candidates are built before timing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { METRIC_COUNT, Metric } from '../native-free-kernels/portfolio/metrics.js';
import { loadConfig, type PnloptConfig } from '../src/config/load.js';
import { alignPanel } from '../src/data/panel.js';
import { generateSynthetic } from '../src/data/synth.js';
import type { Panel } from '../src/data/types.js';
import { projectRoot } from '../src/paths.js';
import { createRng } from '../src/rng.js';
import { decodePoints } from '../src/search/encoding.js';
import { buildContext } from '../src/jobs/context.js';
import { createEvaluator, type BatchEvaluator } from '../src/simulation/evaluator.js';
import { BASKET_IN, paramLayout, type ParamLayout } from '../src/config/param-layout.js';
import { barsFrom, smaCrossObjects } from './naive/sma-cross-objects.js';

const SEED = 20261126;
const BENCH_TIME_MS = 1500;

export interface SuiteResult {
  figures: Record<string, number>;
  notes: string[];
}

/** Random valid candidates of a family (fast < slow enforced by rejection for sma_cross). */
function candidates(layout: ParamLayout, n: number, seed: string): Float64Array {
  const d = layout.params.length;
  const rand = createRng(SEED, seed);
  const X = new Float64Array(n * d);
  const U = new Float64Array(d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; ) {
    for (let j = 0; j < d; j++) U[j] = rand();
    decodePoints(layout, U, 1, row);
    const f = layout.column.get('fast');
    const s = layout.column.get('slow');
    if (f !== undefined && s !== undefined && !(row[f] < row[s])) continue;
    if (layout.basket !== null) row.fill(BASKET_IN, layout.basket.first, layout.basket.first + layout.basket.tickers.length);
    X.set(row, i * d);
    i++;
  }
  return X;
}

/** Mean ms per call of `fn`, timed by tinybench. */
async function timeIt(name: string, fn: () => void): Promise<number> {
  const bench = new Bench({ time: BENCH_TIME_MS, warmupTime: 300 });
  bench.add(name, fn);
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw new Error(`benchmark ${name} did not complete: ${r.state}`);
  console.table(bench.table());
  return r.period;
}

function onePanel(panel: Panel, k: number): Panel {
  const T = panel.T;
  const sl = (a: Float64Array) => a.subarray(k * T, (k + 1) * T);
  return { tickers: [panel.tickers[k]], T, time: panel.time, open: sl(panel.open), high: sl(panel.high), low: sl(panel.low), close: sl(panel.close), volume: sl(panel.volume) };
}

async function evaluatorFor(cfg: PnloptConfig, family: string, panel: Panel, hash: string): Promise<BatchEvaluator> {
  const layout = paramLayout(cfg, family, panel.tickers);
  const ctx = await buildContext(cfg, layout, panel, hash, { start: 0, end: panel.T });
  return createEvaluator(layout, ctx);
}

/** sma_cross: kernel vs object-per-bar JS vs C, on each panel shape. */
async function smaCrossSuite(cfg: PnloptConfig, basket: Panel, basketHash: string, long: Panel, longHash: string, out: SuiteResult): Promise<void> {
  const layout = paramLayout(cfg, 'sma_cross', basket.tickers);
  const n = 200;
  const X = candidates(layout, n, 'sma');
  const F = new Float64Array(n * METRIC_COUNT);
  const perTicker = await Promise.all(basket.tickers.map((_, k) => evaluatorFor(cfg, 'sma_cross', onePanel(basket, k), basketHash + k)));
  const ms = await timeIt('sma_cross kernel, 200 candidates x 2520 bars x 5 tickers', () => {
    for (const ev of perTicker) ev.evaluate(X, n, F);
  });
  const steps = n * basket.T * basket.tickers.length;
  out.figures.sma_cross_steps_per_s_2520x5 = steps / (ms / 1000);

  // The object-per-bar version on the same candidates and fee.
  const fee = cfg.strategy.simulation.fee_bps / 1e4;
  const ppy = cfg.strategy.simulation.periods_per_year;
  const d = layout.params.length;
  const fi = layout.column.get('fast')!;
  const si = layout.column.get('slow')!;
  const bars = basket.tickers.map((_, k) => barsFrom(onePanel(basket, k).open, onePanel(basket, k).close));
  const naiveN = 40;
  const naiveMs = await timeIt('sma_cross object-per-bar, 40 candidates x 2520 bars x 5 tickers', () => {
    for (const b of bars) for (let i = 0; i < naiveN; i++) smaCrossObjects(b, X[i * d + fi], X[i * d + si], fee, ppy);
  });
  const naiveRate = (naiveN * basket.T * basket.tickers.length) / (naiveMs / 1000);
  out.figures.sma_cross_object_per_bar_steps_per_s_2520x5 = naiveRate;
  out.figures.sma_cross_kernel_over_object_per_bar = out.figures.sma_cross_steps_per_s_2520x5 / naiveRate;
  // Show that the two agree (candidate 0 on ticker 0).
  perTicker[0].evaluate(X, 1, F);
  const naive = smaCrossObjects(bars[0], X[fi], X[si], fee, ppy);
  out.notes.push(
    `sma_cross candidate 0 on ${basket.tickers[0]}: kernel total_return ${F[Metric.total_return]}, sharpe ${F[Metric.sharpe]}; object-per-bar ${naive.totalReturn}, ${naive.sharpe}`,
  );

  const longEv = await evaluatorFor(cfg, 'sma_cross', long, longHash);
  const nLong = 10;
  const longMs = await timeIt('sma_cross kernel, 10 candidates x 1,000,000 bars', () => longEv.evaluate(X, nLong, F));
  out.figures.sma_cross_steps_per_s_1m = (nLong * long.T) / (longMs / 1000);

  const c = nativeSmaCross(long, 20);
  if (c === null) out.notes.push('gcc not found: the C comparison was skipped');
  else {
    out.figures.sma_cross_c_gcc_O3_steps_per_s_1m = c;
    out.figures.sma_cross_kernel_over_c_1m = out.figures.sma_cross_steps_per_s_1m / c;
    out.notes.push('the C loop marks equity and return statistics on every bar; the TS kernel skips that work on flat stretches, where it is provably zero');
  }
}

/** Compile bench/native/sma_cross.c with gcc -O3 and run it on the series; null without gcc. */
function nativeSmaCross(panel: Panel, candidatesCount: number): number | null {
  if (spawnSync('gcc', ['--version']).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-bench-'));
  const exe = join(dir, 'sma_cross');
  execFileSync('gcc', ['-O3', '-march=native', '-o', exe, join(projectRoot(), 'bench', 'native', 'sma_cross.c'), '-lm']);
  const header = new BigInt64Array([BigInt(panel.T)]);
  const input = Buffer.concat([Buffer.from(header.buffer), Buffer.from(panel.open.slice().buffer), Buffer.from(panel.close.slice().buffer)]);
  const text = execFileSync(exe, [String(candidatesCount)], { input }).toString();
  return Number(text.split(' ')[0]);
}

/** ts_ensemble on the basket and on the long series; ts_with_fallback on the basket. */
async function tsSuite(cfg: PnloptConfig, longCfg: PnloptConfig, basket: Panel, basketHash: string, long: Panel, longHash: string, out: SuiteResult): Promise<void> {
  const layout = paramLayout(cfg, 'ts_ensemble', basket.tickers);
  const n = 100;
  const X = candidates(layout, n, 'ts');
  const F = new Float64Array(n * METRIC_COUNT);
  let t0 = performance.now();
  const ev = await evaluatorFor(cfg, 'ts_ensemble', basket, basketHash);
  out.figures.ts_forecast_columns_s_2520x5 = (performance.now() - t0) / 1000;
  const ms = await timeIt('ts_ensemble kernel, 100 candidates x 2520 bars x 5 tickers', () => ev.evaluate(X, n, F));
  out.figures.ts_ensemble_steps_per_s_2520x5 = (n * basket.T * basket.tickers.length) / (ms / 1000);

  const fbLayout = paramLayout(cfg, 'ts_with_fallback', basket.tickers);
  const fbX = candidates(fbLayout, n, 'ts-fallback');
  const fbEv = await evaluatorFor(cfg, 'ts_with_fallback', basket, basketHash);
  const fbMs = await timeIt('ts_with_fallback kernel, 100 candidates x 2520 bars x 5 tickers', () => fbEv.evaluate(fbX, n, F));
  out.figures.ts_with_fallback_steps_per_s_2520x5 = (n * basket.T * basket.tickers.length) / (fbMs / 1000);

  t0 = performance.now();
  const longEv = await evaluatorFor(longCfg, 'ts_ensemble', long, longHash);
  out.figures.ts_forecast_columns_s_1m = (performance.now() - t0) / 1000;
  const nLong = 5;
  // One ticker: no basket columns, so rows of the long series' own layout.
  const longX = candidates(paramLayout(longCfg, 'ts_ensemble', long.tickers), nLong, 'ts');
  const longMs = await timeIt('ts_ensemble kernel, 5 candidates x 1,000,000 bars', () => longEv.evaluate(longX, nLong, F));
  out.figures.ts_ensemble_steps_per_s_1m = (nLong * long.T) / (longMs / 1000);
}

/** Heap after a full GC, in bytes (needs node --expose-gc; NaN without it). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return NaN;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap growth across 100,000 evaluations of each family, in batches of 1,000 into one reused F. */
async function heapSuite(cfg: PnloptConfig, basket: Panel, basketHash: string, out: SuiteResult): Promise<void> {
  for (const family of ['sma_cross', 'ts_ensemble'] as const) {
    const panel = onePanel(basket, 0);
    const layout = paramLayout(cfg, family, panel.tickers);
    const batch = 1000;
    const X = candidates(layout, batch, `heap-${family}`);
    const F = new Float64Array(batch * METRIC_COUNT);
    const ev = await evaluatorFor(cfg, family, panel, basketHash + '0');
    ev.evaluate(X, batch, F); // first batch: lazily built ATR columns and compiled code
    const before = heapAfterGc();
    for (let b = 0; b < 100; b++) ev.evaluate(X, batch, F);
    out.figures[`${family}_heap_growth_bytes_100k`] = heapAfterGc() - before;
  }
}

export async function runSimulatorBench(): Promise<SuiteResult> {
  // A fresh forecast cache, so the forecast-column figures time the computation, not a cache hit.
  const base = loadConfig();
  const cfg = { ...base, runtime: { ...base.runtime, runtime: { ...base.runtime.runtime, cache_dir: mkdtempSync(join(tmpdir(), 'pnlopt-bench-cache-')) } } };
  const out: SuiteResult = { figures: {}, notes: [] };
  const basketData = generateSynthetic({ tickers: 5, bars: 2520, seed: SEED, config: cfg.synthetic });
  const basket = alignPanel(basketData);
  const longData = generateSynthetic({ tickers: 1, bars: 1_000_000, seed: SEED, config: cfg.synthetic });
  const long = alignPanel(longData);
  // One million bars: refit the models every 2,520 bars instead of the configured schedule, so the
  // forecast columns take seconds; the candidate loop's cost does not depend on the refit schedule.
  const longCfg = withRefitEvery(cfg, 2520);
  await smaCrossSuite(cfg, basket, basketData.hash, long, longData.hash, out);
  await tsSuite(cfg, longCfg, basket, basketData.hash, long, longData.hash, out);
  out.notes.push('ts_ensemble on 1,000,000 bars: forecast models refitted every 2,520 bars (the configured schedule would spend minutes fitting; the candidate loop does not depend on it)');
  await heapSuite(cfg, basket, basketData.hash, out);
  return out;
}

function withRefitEvery(cfg: PnloptConfig, every: number): PnloptConfig {
  const fm = structuredClone(cfg.strategy.forecast_models);
  for (const m of Object.values(fm)) if (m !== undefined) m.refit.every = every;
  return { ...cfg, strategy: { ...cfg.strategy, forecast_models: fm } };
}
