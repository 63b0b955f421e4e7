/**
 * Search-loop overhead: NSGA-II on ZDT1 (30 variables, an evaluator that costs next to nothing),
 * so the time is the optimizer's own (selection, variation, ranking of the merged population,
 * bookkeeping), per generation and per candidate, for populations of 100 and 1000; plus random
 * search over the same budget as the floor of the loop itself. Compare with the evaluator's cost
 * per candidate (simulator bench): the search should be a small fraction of it.
 * Run alone: `npm run build && node dist/bench/nsga2.bench.js`.
 */
import { pathToFileURL } from 'node:url';
import { Bench, type Task } from 'tinybench';
import { loadConfig } from '../src/config/load.js';
import type { OptimizerSettings } from '../src/config/optimizer-settings.js';
import { runSearch, type EvaluateFn, type OptimizerKind } from '../src/search/optimize.js';

const DIMS = 30;

const zdt1: EvaluateFn = async (U, n) => {
  const F = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 1; j < DIMS; j++) s += U[i * DIMS + j];
    const g = 1 + (9 * s) / (DIMS - 1);
    F[2 * i] = U[i * DIMS];
    F[2 * i + 1] = g * (1 - Math.sqrt(U[i * DIMS] / g));
  }
  return { F, violation: new Float64Array(n) };
};

/** The configured optimizer settings, on the two ZDT objectives and with the given population. */
function settings(population: number): OptimizerSettings {
  const base = loadConfig().strategy.optimizer;
  return {
    ...base,
    objectives: [
      { metric: 'total_return', direction: 'minimize' },
      { metric: 'max_drawdown', direction: 'minimize' },
    ],
    primary_objective: 'total_return',
    sampling: { ...base.sampling, batch_size: population },
    nsga2: { ...base.nsga2, population },
  };
}

function run(optimizer: OptimizerKind, population: number, generations: number) {
  return runSearch({
    optimizer,
    spaces: [{ family: 'zdt1', strata: new Float64Array(DIMS) }],
    budget: { maxCandidates: population * (generations + 1), maxWallMs: Infinity },
    seed: 1,
    evaluate: zdt1,
    settings: settings(population),
  });
}

function meanMs(task: Task | undefined): number {
  const result = task?.result;
  if (result === undefined || result.state !== 'completed') {
    throw new Error(`nsga2 bench: task ${task?.name ?? '?'} did not complete (${result?.state ?? 'missing'})`);
  }
  return result.latency.mean;
}

/** Run the suite, print a sample result and the table, and return the named figures. */
export async function runNsga2Bench(): Promise<Record<string, number>> {
  const sample = await run('nsga2', 100, 50);
  console.log(`nsga2 pop 100 × 50 generations on ZDT1: ${sample.n} candidates, ${sample.rank.filter((r) => r === 0).length} on front 0`);

  const bench = new Bench({ name: 'nsga2', time: 0, iterations: 3, warmupIterations: 1, warmupTime: 0 });
  bench
    .add('nsga2 pop 100 × 50 gen', () => run('nsga2', 100, 50))
    .add('random pop 100 × 50 gen', () => run('random', 100, 50))
    .add('nsga2 pop 1000 × 10 gen', () => run('nsga2', 1000, 10))
    .add('random pop 1000 × 10 gen', () => run('random', 1000, 10));
  await bench.run();
  console.table(bench.table());

  const n100 = meanMs(bench.getTask('nsga2 pop 100 × 50 gen'));
  const n1000 = meanMs(bench.getTask('nsga2 pop 1000 × 10 gen'));
  return {
    nsga2_pop100_ms_per_generation: n100 / 51,
    nsga2_pop100_us_per_candidate: (1000 * n100) / (100 * 51),
    nsga2_pop1000_ms_per_generation: n1000 / 11,
    nsga2_pop1000_us_per_candidate: (1000 * n1000) / (1000 * 11),
    random_pop100_us_per_candidate: (1000 * meanMs(bench.getTask('random pop 100 × 50 gen'))) / (100 * 51),
    random_pop1000_us_per_candidate: (1000 * meanMs(bench.getTask('random pop 1000 × 10 gen'))) / (1000 * 11),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runNsga2Bench(), null, 2));
}
