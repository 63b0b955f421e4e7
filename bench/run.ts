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
import { runNsga2Bench } from './nsga2.bench.js';
import { runOptimizeBench } from './optimize.bench.js';
import { runParetoBench } from './pareto.bench.js';
import { runPoolBench } from './pool.bench.js';
import { runSimulatorBench, type SuiteResult } from './simulator.bench.js';

const SUITES: readonly { name: string; run: () => Promise<SuiteResult> }[] = [
  { name: 'simulator', run: runSimulatorBench },
  { name: 'pareto', run: async () => ({ figures: await runParetoBench(), notes: [] }) },
  { name: 'nsga2', run: async () => ({ figures: await runNsga2Bench(), notes: [] }) },
  { name: 'pool', run: async () => ({ figures: await runPoolBench(), notes: [] }) },
  { name: 'optimize', run: runOptimizeBench },
];

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
  writeFileAtomic(join(dir, 'results.json'), JSON.stringify(figures, null, 2) + '\n');
  const header = `# Benchmark results\n\nCommand: \`npm run bench\` (node --expose-gc dist/bench/run.js). Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Shared and noisy: compare the ratios, which were measured within one run.\n`;
  writeFileAtomic(join(dir, 'RESULTS.md'), [header, ...sections].join('\n'));
}

function format(v: number): string {
  return Math.abs(v) >= 1e6 ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

await main();
