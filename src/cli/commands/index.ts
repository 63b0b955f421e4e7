/** Every subcommand, registered in the order `pnlopt --help` lists them. */
import type { Command } from 'commander';
import { registerDemo } from './demo.js';
import { registerIngest } from './ingest.js';

export function registerCommands(program: Command): void {
  registerDemo(program);
  registerIngest(program);
}
