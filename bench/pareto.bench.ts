/**
 * Pareto ranking benchmark: nonDominatedSort on 100,000 × 4 and 1,000,000 × 2 uniform random
 * objectives, and on 10,000 × 4 against the naive O(M N^2) reference (the ratio is reported).
 * Run alone: `npx tsc -p tsconfig.json --outDir /tmp/build && node /tmp/build/bench/pareto.bench.js`.
 */
import { pathToFileURL } from 'node:url';
import { Bench, type Task } from 'tinybench';
import { createParetoWorkspace, nonDominatedSort } from '../native-free-kernels/pareto/pareto.js';
import { createRng } from '../src/rng.js';
import { nonDominatedSortNaive } from '../tests/reference/pareto.js';

interface Case {
  readonly n: number;
  readonly m: number;
  readonly F: Float64Array;
  readonly rank: Int32Array;
}

function makeCase(n: number, m: number, seed: number): Case {
  const rand = createRng(seed, 'pareto-bench');
  const F = new Float64Array(n * m);
  for (let i = 0; i < F.length; i++) F[i] = rand();
  return { n, m, F, rank: new Int32Array(n) };
}

function meanMs(task: Task | undefined): number {
  const result = task?.result;
  if (result === undefined || result.state !== 'completed') {
    throw new Error(`pareto bench: task ${task?.name ?? '?'} did not complete (${result?.state ?? 'missing'})`);
  }
  return result.latency.mean;
}

/** Run the suite, print a sample result and the table, and return the named figures. */
export async function runParetoBench(): Promise<Record<string, number>> {
  const big4 = makeCase(100_000, 4, 1);
  const big2 = makeCase(1_000_000, 2, 2);
  const small4 = makeCase(10_000, 4, 3);
  const ws = createParetoWorkspace(1_000_000, 4);

  const fronts = nonDominatedSort(small4.F, small4.n, small4.m, small4.rank, ws);
  const naiveRank = new Int32Array(small4.n);
  const naiveFronts = nonDominatedSortNaive(small4.F, small4.n, small4.m, naiveRank);
  const agree = small4.rank.every((r, i) => r === naiveRank[i]);
  console.log(`10k × 4: ${fronts} fronts (naive ${naiveFronts}), ranks agree with naive: ${agree}`);

  const bench = new Bench({ name: 'pareto', time: 0, iterations: 3, warmupIterations: 1, warmupTime: 0 });
  bench
    .add('nonDominatedSort 100k × 4', () => {
      nonDominatedSort(big4.F, big4.n, big4.m, big4.rank, ws);
    })
    .add('nonDominatedSort 1M × 2', () => {
      nonDominatedSort(big2.F, big2.n, big2.m, big2.rank, ws);
    })
    .add('nonDominatedSort 10k × 4', () => {
      nonDominatedSort(small4.F, small4.n, small4.m, small4.rank, ws);
    })
    .add('naive reference 10k × 4', () => {
      nonDominatedSortNaive(small4.F, small4.n, small4.m, naiveRank);
    });
  await bench.run();
  console.table(bench.table());

  const fast10k = meanMs(bench.getTask('nonDominatedSort 10k × 4'));
  const naive10k = meanMs(bench.getTask('naive reference 10k × 4'));
  return {
    pareto_100k_x4_ms: meanMs(bench.getTask('nonDominatedSort 100k × 4')),
    pareto_1m_x2_ms: meanMs(bench.getTask('nonDominatedSort 1M × 2')),
    pareto_10k_x4_ms: fast10k,
    pareto_naive_10k_x4_ms: naive10k,
    pareto_naive_over_fast_10k_x4: naive10k / fast10k,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runParetoBench(), null, 2));
}
