/**
 * `npm run bench`: runs every benchmark suite, then writes the figures by name to
 * bench/results.json and a readable account, with the command, to bench/RESULTS.md.
 * `node --expose-gc dist/bench/run.js SUITE...` runs only the named suites and writes nothing.
 * Figures are from one run on this machine; ratios compare variants measured in that same run.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';
import { writeFileAtomic } from '../src/write-atomic.js';
import { runForecastBench } from './forecast.bench.js';
import { format } from './format.js';
import { recordedMemory } from './memory.bench.js';
import { runNsga2Bench } from './nsga2.bench.js';
import { runOptimizeBench } from './optimize.bench.js';
import { runParetoBench } from './pareto.bench.js';
import { runPipelineBench } from './pipeline.bench.js';
import { runPoolBench } from './pool.bench.js';
import { runQueueBench } from './queue.bench.js';
import { runReportBench } from './report.bench.js';
import { runSimulatorBench, type SuiteResult } from './simulator.bench.js';
import { runStartupBench } from './startup.bench.js';
import { runStoreBench } from './store.bench.js';

const SUITES: readonly { name: string; run: () => Promise<SuiteResult> }[] = [
  { name: 'simulator', run: runSimulatorBench },
  { name: 'pareto', run: async () => ({ figures: await runParetoBench(), notes: [] }) },
  { name: 'nsga2', run: async () => ({ figures: await runNsga2Bench(), notes: [] }) },
  { name: 'pool', run: async () => ({ figures: await runPoolBench(), notes: [] }) },
  { name: 'queue', run: runQueueBench },
  { name: 'optimize', run: runOptimizeBench },
  { name: 'store', run: runStoreBench },
  { name: 'pipeline', run: runPipelineBench },
  { name: 'forecast', run: runForecastBench },
  { name: 'startup', run: async () => runStartupBench() },
  { name: 'report', run: runReportBench },
];

/** The issues' performance targets, checked against the figures of the run. */
const TARGETS: readonly { figure: string; op: '>=' | '<='; value: number; what: string }[] = [
  { figure: 'sma_cross_steps_per_s_2520x5', op: '>=', value: 400e6, what: 'sma_cross candidate-bar steps/s, one core (issue 12)' },
  { figure: 'sma_cross_steps_per_s_1m', op: '>=', value: 400e6, what: 'the same on 1,000,000 bars' },
  { figure: 'ts_ensemble_steps_per_s_2520x5', op: '>=', value: 60e6, what: 'ts_ensemble candidate-bar steps/s, one core (issue 12; issue 3 asked 3e7)' },
  { figure: 'ts_ensemble_steps_per_s_1m', op: '>=', value: 60e6, what: 'the same on 1,000,000 bars' },
  { figure: 'sma_cross_heap_growth_bytes_100k', op: '<=', value: 1 << 20, what: 'heap growth over 100,000 evaluations: flat (under 1 MiB)' },
  { figure: 'ts_ensemble_heap_growth_bytes_100k', op: '<=', value: 1 << 20, what: 'the same for ts_ensemble' },
  { figure: 'pool_parallel_efficiency_2_workers', op: '>=', value: 0.85, what: 'parallel efficiency, 2 workers (issue 4)' },
  { figure: 'pool_1m_peak_rss_mib', op: '<=', value: 1024, what: 'peak RSS evaluating 1,000,000 candidates, MiB (issue 4)' },
  { figure: 'pareto_100k_x4_ms', op: '<=', value: 1000, what: 'Pareto ranking of 100,000 x 4, ms (issue 5)' },
  { figure: 'pareto_1m_x2_ms', op: '<=', value: 2000, what: 'Pareto ranking of 1,000,000 x 2, ms (issue 5)' },
  { figure: 'nsga2_100k_sma_cross_wall_s', op: '<=', value: 60, what: 'NSGA-II search of 100,000 candidates, s (issue 5)' },
  { figure: 'nsga2_100k_ts_ensemble_wall_s', op: '<=', value: 60, what: 'the same with ts_ensemble' },
  { figure: 'store_us_per_candidate', op: '<=', value: 2, what: 'storing a candidate (parameters and metrics), µs (issue 12)' },
  { figure: 'pipeline_evaluate_100k_sma_cross_1w_share_outside_kernel', op: '<=', value: 0.2, what: 'share of wall time outside the simulator kernels, `pnlopt evaluate` of 100,000 sma_cross, 1 worker (issue 12)' },
  { figure: 'pipeline_evaluate_100k_sma_cross_2w_share_outside_kernel', op: '<=', value: 0.2, what: 'the same, 2 workers' },
  { figure: 'pipeline_optimize_100k_sma_cross_1w_share_outside_kernel', op: '<=', value: 0.2, what: 'the same, `pnlopt optimize` NSGA-II of 100,000 sma_cross, 1 worker' },
  { figure: 'pipeline_optimize_100k_sma_cross_2w_share_outside_kernel', op: '<=', value: 0.2, what: 'the same, 2 workers' },
  { figure: 'pipeline_optimize_20k_ts_ensemble_1w_share_outside_kernel', op: '<=', value: 0.2, what: 'the same, 20,000 ts_ensemble (a fifth of the target count), 1 worker' },
  { figure: 'pipeline_optimize_20k_ts_ensemble_2w_share_outside_kernel', op: '<=', value: 0.2, what: 'the same, 2 workers' },
  { figure: 'forecast_speedup_2_threads', op: '>=', value: 1.7, what: 'forecast columns of the default data, 2 threads against 1 (issue 12)' },
  { figure: 'cli_help_over_node_start', op: '<=', value: 3, what: '`pnlopt --help` over a bare `node -e 0`, whole process, medians (issue 12)' },
  { figure: 'pareto_100k_x4_whole_process_ms', op: '<=', value: 1000, what: '`pnlopt pareto` on 100,000 x 4, whole process, ms (issue 12)' },
  { figure: 'report_100k_browser_render_ms', op: '<=', value: 5000, what: 'report page of 100,000 candidates in headless Chromium, navigation to every chart rendered, ms (issue 15)' },
];

function targetsTable(figures: Record<string, number>): string {
  const rows = TARGETS.filter((t) => t.figure in figures).map((t) => {
    const v = figures[t.figure];
    const met = t.op === '>=' ? v >= t.value : v <= t.value;
    return `| ${t.what} | \`${t.figure}\` | ${t.op} ${format(t.value)} | ${format(v)} | ${met ? 'met' : 'NOT met'} |`;
  });
  return `## Targets\n\n| target | figure | wanted | measured | |\n|---|---|---:|---:|---|\n${rows.join('\n')}\n`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const figures: Record<string, number> = {};
  const sections: string[] = [];
  for (const suite of SUITES) {
    if (only.length > 0 && !only.includes(suite.name)) continue;
    console.log(`\n## ${suite.name}`);
    const r = await suite.run();
    Object.assign(figures, r.figures);
    sections.push(`## ${suite.name}\n\n| figure | value |\n|---|---:|\n${Object.entries(r.figures).map(([k, v]) => `| ${k} | ${format(v)} |`).join('\n')}\n${r.notes.map((n) => `\n- ${n}`).join('')}\n`);
  }
  console.log(JSON.stringify(figures, null, 2));
  // Only a full run rewrites the record: a partial one would drop the other suites' figures.
  if (only.length > 0) return;
  const dir = join(projectRoot(), 'bench');
  // `npm run bench:memory` records its own figures (its runs take minutes); a full run keeps them.
  const memory = recordedMemory(dir);
  writeFileAtomic(join(dir, 'results.json'), JSON.stringify({ ...figures, ...memory.figures }, null, 2) + '\n');
  const header = `# Benchmark results\n\nCommand: \`npm run bench\` (node --expose-gc dist/bench/run.js). Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Shared and noisy: compare the ratios, which were measured within one run.\n`;
  writeFileAtomic(join(dir, 'RESULTS.md'), [header, targetsTable(figures), ...sections, memory.section].join('\n'));
}

await main();
