/**
 * Start-up of the CLI, whole process (issue 12, item 4): `pnlopt --help` against a bare
 * `node -e 0`, and `pnlopt pareto` on 100,000 x 4 uniform random objectives (the distribution of
 * the pareto suite's `pareto_100k_x4_ms`), from node's start to the ranks written. Each run is a
 * child process timed by wall clock; the three commands alternate, so that all see the same load
 * on a shared machine, and each figure is a median.
 * Run alone: `npm run build && node --expose-gc dist/bench/run.js startup`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../src/paths.js';
import { createRng } from '../src/rng.js';
import { createRankingWorkspace, rankAndCrowd } from '../src/search/ranking.js';
import { median } from './median.js';
import type { SuiteResult } from './simulator.bench.js';

/** Runs of each command behind each median. */
const RUNS = 7;
const PARETO_ROWS = 100_000;
const PARETO_OBJECTIVES = 4;

/** Wall time of the child process `node ...args`, in ms; a failed run stops the bench. */
function wallMs(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`startup bench: node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** n x m uniform random objectives, row-major. */
function objectives(n: number, m: number): Float64Array {
  const rand = createRng(1, 'startup-bench');
  const F = new Float64Array(n * m);
  for (let i = 0; i < F.length; i++) F[i] = rand();
  return F;
}

/** F as CSV with columns x0..x{m-1}, as `pnlopt sample` writes points (String: read back as the same doubles). */
function objectivesCsv(F: Float64Array, n: number, m: number): string {
  const lines = new Array<string>(n + 1);
  lines[0] = Array.from({ length: m }, (_, j) => `x${j}`).join(',');
  for (let i = 0; i < n; i++) lines[i + 1] = Array.from(F.subarray(i * m, (i + 1) * m), String).join(',');
  return lines.join('\n') + '\n';
}

export function runStartupBench(): SuiteResult {
  const bin = join(projectRoot(), 'bin', 'pnlopt.js');
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-bench-startup-'));
  try {
    const input = join(dir, 'objectives.csv');
    const F = objectives(PARETO_ROWS, PARETO_OBJECTIVES);
    writeFileSync(input, objectivesCsv(F, PARETO_ROWS, PARETO_OBJECTIVES));
    const columns = Array.from({ length: PARETO_OBJECTIVES }, (_, j) => `x${j}`).join(',');
    const pareto = [bin, 'pareto', '--in', input, '--minimize', columns, '--out', join(dir, 'ranks.csv')];
    const loadBefore = loadavg()[0];
    const node: number[] = [];
    const help: number[] = [];
    const whole: number[] = [];
    const ranking: number[] = [];
    const ws = createRankingWorkspace(PARETO_ROWS, PARETO_OBJECTIVES);
    const outRank = new Int32Array(PARETO_ROWS);
    const outCrowd = new Float64Array(PARETO_ROWS);
    const feasible = new Float64Array(PARETO_ROWS);
    for (let i = 0; i < RUNS; i++) {
      node.push(wallMs(['-e', '0']));
      help.push(wallMs([bin, '--help']));
      whole.push(wallMs(pareto));
      // What the command's ranking costs in a warm process: the floor of the whole-process figure.
      const t0 = performance.now();
      rankAndCrowd(F, feasible, PARETO_ROWS, PARETO_OBJECTIVES, outRank, outCrowd, ws);
      ranking.push(performance.now() - t0);
    }
    const figures = {
      node_start_ms: median(node),
      cli_help_ms: median(help),
      cli_help_over_node_start: median(help) / median(node),
      pareto_100k_x4_whole_process_ms: median(whole),
      pareto_100k_x4_rank_and_crowd_ms: median(ranking),
    };
    console.log(figures);
    return {
      figures,
      notes: [
        `medians of ${RUNS} alternating runs of \`node -e 0\`, \`node bin/pnlopt.js --help\` and \`node bin/pnlopt.js pareto --in <${PARETO_ROWS} x ${PARETO_OBJECTIVES} CSV> --minimize ${columns} --out <file>\`, each a child process timed by wall clock`,
        '`pareto_100k_x4_rank_and_crowd_ms`: the ranking and crowding the command runs (`rankAndCrowd`), in this process on the same objectives; the rest of the whole-process figure is node, imports, reading the CSV and writing the ranks',
        `1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
