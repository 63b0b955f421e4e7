/** Every subcommand, registered in the order `pnlopt --help` lists them. */
import type { Command } from 'commander';
import { registerBacktest } from './backtest.js';
import { registerDemo } from './demo.js';
import { registerEvaluate } from './evaluate.js';
import { registerExport } from './export.js';
import { registerIngest } from './ingest.js';
import { registerMigrate } from './migrate.js';
import { registerOptimize } from './optimize.js';
import { registerPareto } from './pareto.js';
import { registerRuns } from './runs.js';
import { registerSample } from './sample.js';
import { registerShow } from './show.js';
import { registerSynth } from './synth.js';

/** What the commands are wired to, when not the defaults. */
export interface CliDeps {
  /** Worker module of the evaluation pools (default: the compiled pool worker). */
  readonly workerFile?: string;
}

export function registerCommands(program: Command, deps: CliDeps): void {
  registerDemo(program, deps);
  registerIngest(program);
  registerBacktest(program);
  registerEvaluate(program, deps);
  registerOptimize(program, deps);
  registerRuns(program);
  registerShow(program);
  registerExport(program);
  registerMigrate(program);
  registerSynth(program);
  registerSample(program);
  registerPareto(program);
}
