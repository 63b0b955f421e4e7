/** `pnlopt export`, declared: its name, options and help. The action (export.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DB_HELP } from '../options.js';
import type { ExportOptions } from './export.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write every stored candidate of a run as CSV: id, family, parameters, metrics, feasibility, violation, front rank, crowding')
    .argument('<run-id>', 'the run (pnlopt runs lists them)')
    .requiredOption('--out <file>', 'CSV to write, or - for standard output')
    .option('--db <path>', DB_HELP)
    .option('--config-dir <dir>', 'folder with the YAML config files (default: the package config/)')
    .action(async (runId: string, opts: ExportOptions) => (await import('./export.js')).exportAction(runId, opts));
}
