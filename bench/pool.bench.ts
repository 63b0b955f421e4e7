/**
 * Worker pool benchmark on `sma_cross` over data/sp500_daily_ohlcv_2000_2020.csv (5,105 bars):
 * - parallel efficiency = throughput with 2 workers / (2 x throughput with 1 worker), the same
 *   20,000 candidates and each pool's own automatic batch size, median over alternating pairs of
 *   runs (results go to a no-op sink: this times the pool, not the store); the tinybench table adds
 *   the in-thread evaluator, so that pool(1 worker) / in-thread time shows the whole cost of the pool;
 * - the pool's start-up cost (2 workers, until each has built its evaluator) and per-task overhead
 *   (round trip of an empty task);
 * - peak RSS of `pnlopt evaluate` on 1,000,000 candidates (CSV in, SQLite, CSV out), run in a child
 *   process that reports its own `process.resourceUsage().maxRSS`.
 * Run alone: `npm run build && node dist/bench/pool.bench.js`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench, type Task } from 'tinybench';
import { METRIC_COUNT } from '../native-free-kernels/portfolio/metrics.js';
import { runEvaluate } from '../src/cli/commands/evaluate.js';
import { loadConfig } from '../src/config/load.js';
import { chooseBatchSize, measureCandidateMs } from '../src/pool/batch-size.js';
import { EvaluationPool, workerFile, type BatchSink } from '../src/pool/coordinator.js';
import { poolSettings } from '../src/pool/settings.js';
import { createRng } from '../src/rng.js';
import { createEvaluator } from '../src/simulation/evaluator.js';
import { SP500, sp500SmaCross } from './sp500-sma.js';
import type { ParamLayout } from '../src/config/param-layout.js';

const SEED = 20261126;
const THROUGHPUT_CANDIDATES = 20_000;
const RSS_CANDIDATES = 1_000_000;
/** Empty round trips behind the reported per-task overhead (more than a run's calibration uses, for a steadier figure). */
const OVERHEAD_PROBES = 500;
/** Alternating 1-worker / 2-worker runs behind the parallel efficiency. */
const EFFICIENCY_PAIRS = 7;

/** `n` random valid sma_cross candidates over the configured ranges (fast < slow by rejection). */
function population(layout: ParamLayout, n: number): Float64Array {
  const rand = createRng(SEED, 'pool-bench');
  const d = layout.params.length;
  const [fastSpec, slowSpec] = [layout.params[layout.column.get('fast')!].spec, layout.params[layout.column.get('slow')!].spec];
  if (fastSpec.type !== 'int' || slowSpec.type !== 'int') throw new Error('pool bench: sma_cross fast and slow must be int parameters');
  const X = new Float64Array(n * d).fill(NaN);
  for (let i = 0; i < n; ) {
    const fast = fastSpec.low + Math.floor(rand() * (fastSpec.high - fastSpec.low + 1));
    const slow = slowSpec.low + Math.floor(rand() * (slowSpec.high - slowSpec.low + 1));
    if (!(fast < slow)) continue;
    X[i * d + layout.column.get('fast')!] = fast;
    X[i * d + layout.column.get('slow')!] = slow;
    i++;
  }
  return X;
}

/** Median ms per iteration: the machine is shared, and the median shrugs off a disturbed iteration. */
function medianMs(task: Task | undefined): number {
  const result = task?.result;
  if (result === undefined || result.state !== 'completed') throw new Error(`pool bench: task ${task?.name ?? '?'} did not complete (${result?.state ?? 'missing'})`);
  return result.latency.p50;
}

async function timed(fn: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Run the suite, print a sample result and the table, and return the named figures. */
export async function runPoolBench(): Promise<Record<string, number>> {
  const cfg = loadConfig();
  const { panel, layout, ctx } = await sp500SmaCross(cfg);
  const d = layout.params.length;
  const n = THROUGHPUT_CANDIDATES;
  const X = population(layout, n);
  const ids = Int32Array.from({ length: n }, (_, i) => i);
  const settings = poolSettings(cfg, {});
  const evaluator = createEvaluator(layout, ctx);
  const candidateMs = measureCandidateMs(evaluator, X, d, ids, settings.calibrationRows, settings.calibrationMs);

  const pools = { one: await EvaluationPool.start(layout, ctx, 1, workerFile()), two: await EvaluationPool.start(layout, ctx, 2, workerFile()) };
  try {
    const batch = async (pool: EvaluationPool) =>
      chooseBatchSize({ candidateMs, taskOverheadMs: await pool.measureTaskOverheadMs(settings.overheadProbes), maxOverheadFraction: settings.maxOverheadFraction, pending: n, workers: pool.workers });
    const batchOne = await batch(pools.one);
    const batchTwo = await batch(pools.two);

    // Show the subject works: the pool's F equals the in-thread F.
    const F = new Float64Array(n * METRIC_COUNT);
    const collect: BatchSink = {
      ok: (batchIds, batchF) => batchIds.forEach((id, r) => F.set(batchF.subarray(r * METRIC_COUNT, (r + 1) * METRIC_COUNT), id * METRIC_COUNT)),
      failed: (_ids, error) => {
        throw new Error(`pool bench: a batch failed: ${error}`);
      },
    };
    await pools.two.run(X, d, ids, batchTwo, settings, collect);
    const inThread = new Float64Array(n * METRIC_COUNT);
    evaluator.evaluate(X, n, inThread);
    const same = Buffer.from(F.buffer).equals(Buffer.from(inThread.buffer));
    console.log(`${n} candidates on ${panel.T} bars: pool (2 workers, batch ${batchTwo}) F equals the in-thread F bit for bit: ${same}`);
    if (!same) throw new Error('pool bench: the pool and the in-thread evaluator disagree');

    const discard: BatchSink = { ok: () => {}, failed: collect.failed };
    const bench = new Bench({ name: 'pool', time: 0, iterations: 5, warmupIterations: 1, warmupTime: 0 });
    bench
      .add('in-thread evaluator', () => evaluator.evaluate(X, n, inThread))
      .add('pool, 1 worker', async () => {
        await pools.one.run(X, d, ids, batchOne, settings, discard);
      })
      .add('pool, 2 workers', async () => {
        await pools.two.run(X, d, ids, batchTwo, settings, discard);
      })
      .add('start + close a 2-worker pool', async () => {
        await (await EvaluationPool.start(layout, ctx, 2, workerFile())).close();
      });
    await bench.run();
    console.table(bench.table());

    const oneMs = medianMs(bench.getTask('pool, 1 worker'));
    const twoMs = medianMs(bench.getTask('pool, 2 workers'));
    const inThreadMs = medianMs(bench.getTask('in-thread evaluator'));
    // The machine is shared: 1- and 2-worker runs alternate, so that both see the same load, and the
    // efficiency is the median over the pairs. CPU time / wall time of the 2-worker runs shows how
    // many cores the machine actually gave them.
    const ratios: number[] = [];
    const coresUsed: number[] = [];
    for (let k = 0; k < EFFICIENCY_PAIRS; k++) {
      const one = await timed(() => pools.one.run(X, d, ids, batchOne, settings, discard));
      const two = await timed(() => pools.two.run(X, d, ids, batchTwo, settings, discard));
      ratios.push(one.wallMs / (2 * two.wallMs));
      coresUsed.push(two.cpuMs / two.wallMs);
    }
    console.log(`parallel efficiency per pair: ${ratios.map((r) => r.toFixed(2)).join(' ')}; cores used by the 2-worker runs: ${coresUsed.map((c) => c.toFixed(2)).join(' ')}`);
    const overheadMs = await pools.two.measureTaskOverheadMs(OVERHEAD_PROBES);
    const rss = await peakRssChild(layout);
    return {
      pool_candidate_us: candidateMs * 1000,
      pool_batch_1_worker: batchOne,
      pool_batch_2_workers: batchTwo,
      pool_throughput_1_worker_per_s: (n * 1000) / oneMs,
      pool_throughput_2_workers_per_s: (n * 1000) / twoMs,
      pool_parallel_efficiency_2_workers: median(ratios),
      pool_2_workers_cores_used: median(coresUsed),
      pool_1_worker_over_in_thread_time: oneMs / inThreadMs,
      pool_startup_2_workers_ms: medianMs(bench.getTask('start + close a 2-worker pool')),
      pool_task_overhead_ms: overheadMs,
      pool_task_overhead_fraction_at_batch: overheadMs / (batchTwo * candidateMs),
      pool_1m_peak_rss_mib: rss.maxRssKb / 1024,
      pool_1m_evaluate_seconds: rss.seconds,
      pool_1m_evaluate_candidates_per_s: RSS_CANDIDATES / rss.seconds,
      pool_1m_db_mib: rss.dbBytes / 2 ** 20,
    };
  } finally {
    await pools.one.close();
    await pools.two.close();
  }
}

/** `pnlopt evaluate` on RSS_CANDIDATES candidates in a child process; returns its peak RSS. */
async function peakRssChild(layout: ParamLayout): Promise<{ maxRssKb: number; seconds: number; dbBytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-pool-bench-'));
  try {
    const X = population(layout, RSS_CANDIDATES);
    const d = layout.params.length;
    const fast = layout.column.get('fast')!;
    const slow = layout.column.get('slow')!;
    const lines = ['fast,slow'];
    for (let i = 0; i < RSS_CANDIDATES; i++) lines.push(`${X[i * d + fast]},${X[i * d + slow]}`);
    writeFileSync(join(dir, 'in.csv'), lines.join('\n') + '\n');
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--rss-child', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`pool bench: the RSS child exited with ${code}`);
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { maxRssKb: number; seconds: number };
    console.log(`pnlopt evaluate, ${RSS_CANDIDATES} candidates on ${SP500}: peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MiB, ${r.seconds.toFixed(1)} s`);
    return { ...r, dbBytes: statSync(join(dir, 'runs.db')).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In the child: evaluate dir/in.csv into dir/out.csv and dir/runs.db, print the peak RSS and the time (output included) as JSON. */
async function rssChild(dir: string): Promise<void> {
  const t0 = performance.now();
  const summary = await runEvaluate({ data: [SP500], strategy: 'sma_cross', candidates: join(dir, 'in.csv'), out: join(dir, 'out.csv'), db: join(dir, 'runs.db') });
  if (summary.status !== 'completed' || summary.evaluated !== RSS_CANDIDATES) throw new Error(`pool bench child: ${JSON.stringify(summary)}`);
  console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, seconds: (performance.now() - t0) / 1000 }));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--rss-child');
  if (at >= 0) await rssChild(process.argv[at + 1]);
  else console.log(JSON.stringify(await runPoolBench(), null, 2));
}
