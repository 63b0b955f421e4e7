/**
 * The whole pipeline, as a user runs it (issue 12, items 3 and 6): `pnlopt evaluate` and `pnlopt
 * optimize` (NSGA-II) as child processes on the default data (`runtime.default_data`), with 1 and
 * 2 workers, timed from spawn to exit, each with its own temporary --db, outputs and forecast cache
 * under one temporary folder. For each, the share of the wall time spent outside the simulator
 * kernels: 1 - (T_k / workers) / wall, where T_k is the in-thread time of the family evaluator the
 * pool worker runs, on the configurations the process simulated.
 * Run alone: `npm run build && node --expose-gc dist/bench/run.js pipeline`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { METRIC_COUNT } from '../native-free-kernels/portfolio/metrics.js';
import { loadConfig, type PnloptConfig } from '../src/config/load.js';
import { decodeRow, encodeNamedValues, paramLayout, type ParamLayout } from '../src/config/param-layout.js';
import { readCandidatesCsv } from '../src/data/candidates-csv.js';
import { csvField, forEachCsvRecordInFile } from '../src/data/csv.js';
import { loadMarketData } from '../src/data/load.js';
import { alignPanel } from '../src/data/panel.js';
import type { MarketData, Panel } from '../src/data/types.js';
import { buildContext } from '../src/jobs/context.js';
import { evaluationWindows, tradedWindow, type BarWindow } from '../src/jobs/windows.js';
import { projectRoot } from '../src/paths.js';
import { feasibleRegion } from '../src/search/constraints.js';
import { decodePoints } from '../src/search/encoding.js';
import { createEvaluator } from '../src/simulation/evaluator.js';
import type { SuiteResult } from './simulator.bench.js';

const SEED = 20261126;
const WORKERS = [1, 2] as const;
const EVALUATE_CANDIDATES = 100_000;
/**
 * NSGA-II jobs. ts_ensemble at a fifth of the target's 100,000: at 100,000 its 1-worker run and its
 * in-thread pass take about a minute each. Its start-up, a fixed cost, weighs five times more in the share.
 */
const OPTIMIZE_JOBS = [
  { family: 'sma_cross', budget: 100_000 },
  { family: 'ts_ensemble', budget: 20_000 },
] as const;
/** NSGA-II population, as bench/optimize.bench.ts: 100,000 candidates are 200 generations. */
const POPULATION = 500;
/** Rows evaluated before the kernel is timed, so that the timed pass runs optimized code. */
const WARMUP_ROWS = 2000;

/** What every measurement shares: the data, the config the children run with, the folder. */
interface PipelineEnv {
  readonly dir: string;
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  readonly panel: Panel;
  /** Options every child gets after its own: JSON out, no progress, the forecast cache in `dir`. */
  readonly common: readonly string[];
}

/** `pnlopt ARGS` in a child process in `cwd`: its stdout and the wall time from spawn to exit. */
async function pnlopt(args: readonly string[], cwd: string): Promise<{ stdout: string; wallS: number }> {
  // The children read no $PNLOPT_* setting: they run exactly on the options given, as the in-thread side does.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PNLOPT_')));
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'pnlopt.js'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const wallS = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`pipeline bench: pnlopt ${args.join(' ')} exited with ${code}`);
  return { stdout, wallS };
}

/**
 * In-thread wall and CPU seconds of the family evaluator the pool worker runs, on the n rows of X
 * over `window`. CPU well under wall means other processes had the core: the figures of the run are then suspect.
 */
async function kernelSeconds(layout: ParamLayout, env: PipelineEnv, window: BarWindow, X: Float64Array, n: number): Promise<{ wallS: number; cpuS: number }> {
  const ev = createEvaluator(layout, await buildContext(env.cfg, layout, env.panel, env.data.hash, window));
  const F = new Float64Array(n * METRIC_COUNT);
  ev.evaluate(X, Math.min(n, WARMUP_ROWS), F);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  ev.evaluate(X, n, F);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wallS, cpuS: (cpu.user + cpu.system) / 1e6 };
}

/** The kernel figures of one job and the share of each run's wall time outside the kernels. */
function kernelFigures(key: string, kernel: { wallS: number; cpuS: number }, figures: Record<string, number>): void {
  figures[`${key}_kernel_s`] = kernel.wallS;
  figures[`${key}_kernel_cpu_s`] = kernel.cpuS;
  for (const w of WORKERS) figures[`${key}_${w}w_share_outside_kernel`] = 1 - kernel.wallS / w / figures[`${key}_${w}w_wall_s`];
}

/**
 * A candidates file from `pnlopt sample` unit points (header x0..x{d-1}): each point projected
 * into the family's constraints as the search projects its points (src/search/constraints.ts),
 * then decoded into parameter values.
 */
function candidatesCsv(layout: ParamLayout, samplePath: string, n: number): string {
  const d = layout.params.length;
  const U = new Float64Array(n * d);
  let i = 0;
  forEachCsvRecordInFile(samplePath, samplePath, (r) => {
    if (r.row === 1 || r.start === r.end) return;
    for (let j = 0; j < d; j++) U[i * d + j] = Number(r.fields[j]);
    i++;
  });
  if (i !== n) throw new Error(`pipeline bench: ${samplePath} holds ${i} points, not ${n}`);
  const region = feasibleRegion(layout);
  if (region !== null) for (let k = 0; k < n; k++) region.project(U, k * d);
  const X = new Float64Array(n * d);
  decodePoints(layout, U, n, X);
  const names = layout.params.map((p) => p.name);
  const lines = [names.map(csvField).join(',')];
  for (let k = 0; k < n; k++) {
    const v = decodeRow(layout, X, k * d);
    lines.push(names.map((name) => (name in v ? csvField(String(v[name])) : '')).join(','));
  }
  return lines.join('\n') + '\n';
}

/** The distinct parameter rows of a `pnlopt export` CSV, first occurrence of each: the configurations the run simulated (a repeat takes the memo's row). */
function distinctRows(layout: ParamLayout, exportPath: string): { X: Float64Array; n: number } {
  let columns: number[] = [];
  const seen = new Set<string>();
  const rows: Float64Array[] = [];
  forEachCsvRecordInFile(exportPath, exportPath, (r) => {
    if (r.start === r.end) return;
    const fields = r.fields.slice(0, r.count);
    if (r.row === 1) {
      columns = layout.params.map((p) => fields.indexOf(p.name));
      if (columns.includes(-1)) throw new Error(`pipeline bench: ${exportPath} lacks a parameter column of ${layout.family}`);
      return;
    }
    const cells = columns.map((c) => fields[c]);
    const key = cells.join(',');
    if (seen.has(key)) return;
    seen.add(key);
    const { row, problems } = encodeNamedValues(layout, new Map(layout.params.flatMap((p, j) => (cells[j] === '' ? [] : [[p.name, cells[j]] as const]))));
    if (problems.length > 0) throw new Error(`pipeline bench: ${exportPath} line ${r.row}: ${problems.join('; ')}`);
    rows.push(row);
  });
  const d = layout.params.length;
  const X = new Float64Array(rows.length * d);
  rows.forEach((row, i) => X.set(row, i * d));
  return { X, n: rows.length };
}

/** `pnlopt evaluate` on EVALUATE_CANDIDATES sma_cross candidates made with `pnlopt sample`. */
async function evaluateJob(env: PipelineEnv): Promise<SuiteResult> {
  const family = 'sma_cross';
  const layout = paramLayout(env.cfg, family, env.panel.tickers);
  const n = EVALUATE_CANDIDATES;
  const unit = join(env.dir, 'unit.csv');
  await pnlopt(['sample', '--sampler', 'random', '--n', String(n), '--dims', String(layout.params.length), '--seed', String(SEED), '--out', unit], env.dir);
  const candidates = join(env.dir, 'candidates.csv');
  writeFileSync(candidates, candidatesCsv(layout, unit, n));
  const window = tradedWindow(env.cfg, env.panel.time);
  const bars = (window.end - window.start) * env.panel.tickers.length;
  const key = `pipeline_evaluate_${n / 1000}k_${family}`;
  const figures: Record<string, number> = {};
  for (const w of WORKERS) {
    const args = ['evaluate', '--strategy', family, '--candidates', candidates, '--out', join(env.dir, `evaluate-${w}.csv`), '--db', join(env.dir, `evaluate-${w}.db`), '--workers', String(w)];
    const { stdout, wallS } = await pnlopt([...args, ...env.common], env.dir);
    const s = JSON.parse(stdout) as { status: string; evaluated: number; window: BarWindow };
    if (s.status !== 'completed' || s.evaluated !== n || s.window.start !== window.start || s.window.end !== window.end) {
      throw new Error(`pipeline bench: evaluate with ${w} workers: ${stdout.slice(0, 500)}`);
    }
    figures[`${key}_${w}w_wall_s`] = wallS;
    figures[`${key}_${w}w_candidates_per_s`] = n / wallS;
    figures[`${key}_${w}w_candidate_bars_per_s`] = (n * bars) / wallS;
  }
  const { X } = readCandidatesCsv(candidates, layout);
  kernelFigures(key, await kernelSeconds(layout, env, window, X, n), figures);
  return {
    figures,
    notes: [
      `evaluate: ${n} ${family} candidates from \`pnlopt sample --sampler random --seed ${SEED}\` (points breaking fast < slow projected as the search does), ${bars} candidate-bars each (${window.dates.join(' .. ')}); whole process: start-up, CSV in, pool, SQLite, CSV out; the kernel time is the in-thread evaluator on all ${n}`,
    ],
  };
}

/** What the bench reads of `pnlopt optimize --json`. */
interface OptimizeSummary {
  readonly run_id: string;
  readonly status: string;
  readonly evaluated: number;
  readonly simulated: number;
  readonly generations: number;
  readonly windows: { readonly search: BarWindow };
}

/** `pnlopt optimize --optimizer nsga2` of one family, after a warm-up run that fills the forecast cache. */
async function optimizeJob(env: PipelineEnv, family: string, budget: number): Promise<SuiteResult> {
  const layout = paramLayout(env.cfg, family, env.panel.tickers);
  const run = (label: string, runBudget: number, workers: number) =>
    pnlopt(
      ['optimize', '--family', family, '--optimizer', 'nsga2', '--budget', String(runBudget), '--seed', String(SEED), '--workers', String(workers),
        '--db', join(env.dir, `${label}.db`), '--out', join(env.dir, label), '--set', `strategy_optimization.optimizer.nsga2.population=${POPULATION}`, ...env.common],
      env.dir,
    );
  // One generation, untimed: it computes the family's forecast columns into the cache the timed runs read.
  const warm = await run(`optimize-${family}-warm`, POPULATION, WORKERS[WORKERS.length - 1]);
  const key = `pipeline_optimize_${budget / 1000}k_${family}`;
  const figures: Record<string, number> = {};
  const runs: OptimizeSummary[] = [];
  for (const w of WORKERS) {
    const { stdout, wallS } = await run(`optimize-${family}-${w}`, budget, w);
    const s = JSON.parse(stdout) as OptimizeSummary;
    // Results are the same for any worker count, so one run's configurations stand for both.
    if (s.status !== 'completed' || s.evaluated !== budget || s.simulated !== (runs[0] ?? s).simulated) {
      throw new Error(`pipeline bench: optimize ${family} with ${w} workers: ${stdout.slice(0, 500)}`);
    }
    runs.push(s);
    figures[`${key}_${w}w_wall_s`] = wallS;
    figures[`${key}_${w}w_candidates_per_s`] = budget / wallS;
  }
  const [one] = runs;
  const exported = join(env.dir, `optimize-${family}-export.csv`);
  await pnlopt(['export', one.run_id, '--db', join(env.dir, `optimize-${family}-${WORKERS[0]}.db`), '--out', exported], env.dir);
  const { X, n } = distinctRows(layout, exported);
  const window = evaluationWindows(env.cfg, env.panel.time).search;
  if (window.start !== one.windows.search.start || window.end !== one.windows.search.end) throw new Error(`pipeline bench: optimize ${family} searched another window`);
  figures[`${key}_simulated`] = one.simulated;
  kernelFigures(key, await kernelSeconds(layout, env, window, X, n), figures);
  return {
    figures,
    notes: [
      `optimize ${family}: NSGA-II, population ${POPULATION}, ${one.generations} generations, ${budget} candidates, ${one.simulated} simulated (the rest repeat a configuration); ` +
        `the kernel time is the in-thread evaluator on the ${n} distinct configurations of the 1-worker run, read back with \`pnlopt export\`; ` +
        `an untimed warm-up run of ${POPULATION} candidates (${warm.wallS.toFixed(1)} s) went first: it fills the forecast cache when the family has forecast columns`,
    ],
  };
}

export async function runPipelineBench(): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-bench-pipeline-'));
  const loadBefore = loadavg()[0];
  try {
    const base = loadConfig();
    const cacheDir = join(dir, 'cache');
    const cfg = { ...base, runtime: { ...base.runtime, runtime: { ...base.runtime.runtime, cache_dir: cacheDir } } };
    const files = cfg.runtime.runtime.default_data.map((f) => resolve(projectRoot(), f));
    const data = loadMarketData(files);
    const env: PipelineEnv = {
      dir, cfg, data, panel: alignPanel(data),
      common: ['--json', '-q', '--set', `runtime.runtime.cache_dir=${cacheDir}`, '--data', ...files],
    };
    const parts: SuiteResult[] = [];
    for (const job of [() => evaluateJob(env), ...OPTIMIZE_JOBS.map((j) => () => optimizeJob(env, j.family, j.budget))]) {
      const part = await job();
      console.log(part.notes.join('\n'));
      parts.push(part);
    }
    return {
      figures: Object.assign({}, ...parts.map((p) => p.figures)) as Record<string, number>,
      notes: [
        ...parts.flatMap((p) => p.notes),
        `whole process: \`node bin/pnlopt.js\` spawned, timed to its exit; share outside the kernels = 1 - (kernel time / workers) / wall time; one run of each on ${files.map((f) => basename(f)).join(', ')} (${env.panel.tickers.join(',')}, ${env.panel.T} bars)`,
        `1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after; a kernel's CPU time well under its wall time means the machine was shared while it ran`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
