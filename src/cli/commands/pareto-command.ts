/** `pnlopt pareto`, declared: its name, options and help. The action (pareto.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import type { ParetoOptions } from './pareto.js';

export function registerPareto(program: Command): void {
  program
    .command('pareto')
    .description('rank the rows of a metrics CSV into Pareto fronts and write rank,crowding per row')
    .requiredOption('--in <file>', 'CSV with a header row')
    .option('--minimize <columns>', 'comma-separated columns to minimise (quote a name with a comma as in CSV)')
    .option('--maximize <columns>', 'comma-separated columns to maximise (quote a name with a comma as in CSV)')
    .requiredOption('--out <file>', 'CSV to write: rank,crowding per input row, in input order (- for standard output)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: ParetoOptions) => (await import('./pareto.js')).paretoAction(opts));
}
