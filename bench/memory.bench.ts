/**
 * Peak RSS of whole `pnlopt optimize` runs as the budget grows (`npm run bench:memory`), and of
 * `pnlopt synth` as the bars grow: each is the built CLI in a child process that reports its own
 * peak RSS (`max-rss.ts`). Bytes per candidate = (peak at N - peak at BASE_BUDGET) / (N - BASE_BUDGET),
 * next to the estimate the budget check uses (`bytesPerCandidate`); bytes per bar likewise, next to
 * `SYNTH_BYTES_PER_BAR`. The runs search `sma_cross` with the random optimizer on the embedded data:
 * fast, and once its 29,304 configurations are exhausted every candidate is a repeat, the case
 * where the write queue used to stop flushing.
 *
 * The figures are kept apart from `npm run bench` (the 10,000,000 run takes minutes): they go into
 * bench/results.json and a marked section of bench/RESULTS.md, which a full `npm run bench` keeps.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import { SYNTH_BYTES_PER_BAR } from '../src/data/synth.js';
import { bytesPerCandidate } from '../src/jobs/memory-estimate.js';
import { projectRoot } from '../src/paths.js';
import { writeFileAtomic } from '../src/write-atomic.js';
import type { SuiteResult } from './simulator.bench.js';

/** The small run every other is compared with: the fixed cost (node, data, pool, store). */
const BASE_BUDGET = 1_000;
const SYNTH_BASE_BARS = 1_000;
const SYNTH_BARS = 2_000_000;
const MARK_START = '<!-- bench:memory start (npm run bench:memory) -->';
const MARK_END = '<!-- bench:memory end -->';

interface ChildRun {
  readonly code: number | null;
  readonly peakBytes: number;
  readonly seconds: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built CLI with `args` in a child that reports its peak RSS. */
async function cli(args: readonly string[]): Promise<ChildRun> {
  const root = projectRoot();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', join(root, 'dist', 'bench', 'max-rss.js'), join(root, 'bin', 'pnlopt.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const kib = /pnlopt-max-rss-kib (\d+)/.exec(stderr)?.[1];
  if (code !== 0 || kib === undefined) throw new Error(`pnlopt ${args.join(' ')}: exit ${code}\n${stderr}`);
  return { code, peakBytes: Number(kib) * 1024, seconds: (performance.now() - t0) / 1000, stdout, stderr };
}

/** One optimize run of `budget` candidates in a fresh folder (deleted after). */
async function optimize(budget: number): Promise<ChildRun & { dbBytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-bench-mem-'));
  try {
    const db = join(dir, 'runs.db');
    const run = await cli(['optimize', '--family', 'sma_cross', '--optimizer', 'random', '--budget', String(budget), '--seed', '1', '--db', db, '--out', join(dir, 'run'), '--json', '-q']);
    const summary = JSON.parse(run.stdout) as { evaluated: number; simulated: number };
    if (summary.evaluated !== budget) throw new Error(`optimize --budget ${budget} evaluated ${summary.evaluated}`);
    console.log(`optimize --budget ${budget}: peak RSS ${(run.peakBytes / 2 ** 20).toFixed(0)} MiB, ${run.seconds.toFixed(1)} s, ${summary.simulated} simulated`);
    return { ...run, dbBytes: statSync(db).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One synth run of 1 ticker x `bars` as `ext` (deleted after). */
async function synth(bars: number, ext: 'csv' | 'arrow'): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-bench-mem-'));
  try {
    const out = join(dir, `s.${ext}`);
    const run = await cli(['synth', '--tickers', '1', '--bars', String(bars), '--seed', '1', '--out', out, '-q']);
    if (!existsSync(out)) throw new Error(`synth wrote no ${out}`);
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Peak RSS of optimize at each budget of `budgets`, and of synth at SYNTH_BARS bars.
 * @param budgets candidates per run, e.g. [1e6, 1e7]
 */
export async function runMemoryBench(budgets: readonly number[]): Promise<SuiteResult> {
  const cfg = loadConfig();
  const estimate = bytesPerCandidate(2, cfg.strategy.optimizer.objectives.length);
  const base = await optimize(BASE_BUDGET);
  const figures: Record<string, number> = { optimize_base_peak_rss_mib: base.peakBytes / 2 ** 20, optimize_estimated_bytes_per_candidate: estimate };
  for (const budget of budgets) {
    const run = await optimize(budget);
    const tag = budget % 1_000_000 === 0 ? `${budget / 1_000_000}m` : String(budget);
    figures[`optimize_${tag}_peak_rss_mib`] = run.peakBytes / 2 ** 20;
    figures[`optimize_${tag}_bytes_per_candidate`] = (run.peakBytes - base.peakBytes) / (budget - BASE_BUDGET);
    figures[`optimize_${tag}_wall_s`] = run.seconds;
    figures[`optimize_${tag}_db_mib`] = run.dbBytes / 2 ** 20;
  }
  for (const ext of ['csv', 'arrow'] as const) {
    const small = await synth(SYNTH_BASE_BARS, ext);
    const large = await synth(SYNTH_BARS, ext);
    figures[`synth_${ext}_bytes_per_bar`] = (large.peakBytes - small.peakBytes) / (SYNTH_BARS - SYNTH_BASE_BARS);
    figures[`synth_${ext}_estimated_bytes_per_bar`] = SYNTH_BYTES_PER_BAR[ext];
  }
  const notes = [
    `optimize: \`pnlopt optimize --family sma_cross --optimizer random --budget N --seed 1\` on the embedded data, default config, ${BASE_BUDGET} as the base run; peak RSS of the whole process (workers included) from process.resourceUsage().maxRSS`,
    `bytes per candidate are the growth over the base run; the budget check allows ${estimate} (\`bytesPerCandidate\`, src/jobs/memory-estimate.ts) against runtime.memory_fraction of RAM`,
    `synth: \`pnlopt synth --tickers 1 --bars ${SYNTH_BARS}\` to .csv and .arrow against ${SYNTH_BASE_BARS} bars; the synth check uses SYNTH_BYTES_PER_BAR (src/data/synth.ts)`,
    'wall times are of the whole run (SQLite writes of every candidate dominate) on a machine shared with other jobs: read them as orders of magnitude',
  ];
  return { figures, notes };
}

/** The figures and the RESULTS.md section `npm run bench:memory` recorded last, for a full `npm run bench` to keep. */
export function recordedMemory(dir: string): { figures: Record<string, number>; section: string } {
  const md = existsSync(join(dir, 'RESULTS.md')) ? readFileSync(join(dir, 'RESULTS.md'), 'utf8') : '';
  const start = md.indexOf(MARK_START);
  const end = md.indexOf(MARK_END);
  if (start < 0 || end < start) return { figures: {}, section: '' };
  const all = existsSync(join(dir, 'results.json')) ? (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, number>) : {};
  const section = md.slice(start, end + MARK_END.length);
  const figures = Object.fromEntries(Object.entries(all).filter(([k]) => section.includes(`| ${k} |`)));
  return { figures, section: section + '\n' };
}

/** Put this run's figures into bench/results.json and its section into bench/RESULTS.md, replacing the previous ones. */
export function recordMemory(dir: string, r: SuiteResult, header: string, format: (v: number) => string): void {
  const json = join(dir, 'results.json');
  const previous = recordedMemory(dir);
  const all = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Record<string, number>) : {};
  for (const k of Object.keys(previous.figures)) delete all[k];
  writeFileAtomic(json, JSON.stringify({ ...all, ...r.figures }, null, 2) + '\n');
  const rows = Object.entries(r.figures).map(([k, v]) => `| ${k} | ${format(v)} |`).join('\n');
  const section = `${MARK_START}\n## memory\n\n${header}\n\n| figure | value |\n|---|---:|\n${rows}\n${r.notes.map((n) => `\n- ${n}`).join('')}\n${MARK_END}\n`;
  const mdFile = join(dir, 'RESULTS.md');
  const md = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmark results\n';
  writeFileAtomic(mdFile, previous.section !== '' ? md.replace(previous.section.trimEnd(), section.trimEnd()) : `${md.trimEnd()}\n\n${section}`);
}
