/**
 * `npm run bench:memory [BUDGET...]`: peak RSS of `pnlopt optimize` at 1,000,000 and 10,000,000
 * candidates (or the budgets given) and of `pnlopt synth` (memory.bench.ts), printed and recorded
 * in bench/results.json and bench/RESULTS.md.
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';
import { format } from './format.js';
import { recordMemory, runMemoryBench } from './memory.bench.js';

const given = process.argv.slice(2).map(Number);
if (given.some((b) => !Number.isInteger(b) || b <= 1_000)) throw new Error(`bench:memory: budgets must be integers above 1000, got ${process.argv.slice(2).join(' ')}`);
const r = await runMemoryBench(given.length > 0 ? given : [1_000_000, 10_000_000]);
console.log(JSON.stringify(r.figures, null, 2));
const header =
  `Command: \`npm run bench:memory\` (node dist/bench/memory.js). Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
  `${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`;
recordMemory(join(projectRoot(), 'bench'), r, header, format);
