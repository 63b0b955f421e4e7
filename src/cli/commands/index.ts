/**
 * Every subcommand, registered in the order `pnlopt --help` lists them. Each `<name>-command.ts`
 * declares its command (options, help) and imports its action module `<name>.ts` only when the
 * command runs: building the program, and `--help`, load none of the subcommands' dependencies.
 */
import type { Command } from 'commander';
import { registerAutoTrade } from './auto-trade-command.js';
import { registerBacktest } from './backtest-command.js';
import { registerBest } from './best-command.js';
import { registerCheckTriggers } from './check-triggers-command.js';
import { registerDemo } from './demo-command.js';
import { registerEtl } from './etl-command.js';
import { registerEvaluate } from './evaluate-command.js';
import { registerExport } from './export-command.js';
import { registerFit } from './fit-command.js';
import { registerHyperopt } from './hyperopt-command.js';
import { registerIngest } from './ingest-command.js';
import { registerMerge } from './merge-command.js';
import { registerMigrate } from './migrate-command.js';
import { registerOptimize } from './optimize-command.js';
import { registerPaper } from './paper-command.js';
import { registerPareto } from './pareto-command.js';
import { registerRealized } from './realized-command.js';
import { registerRegime } from './regime-command.js';
import { registerReport } from './report-command.js';
import { registerRun } from './run-command.js';
import { registerRuns } from './runs-command.js';
import { registerSample } from './sample-command.js';
import { registerServe } from './serve-command.js';
import { registerShow } from './show-command.js';
import { registerSynth } from './synth-command.js';
import { registerUpdateRegimeState } from './update-regime-state-command.js';
import { registerWorker } from './worker-command.js';

/** What the commands are wired to, when not the defaults. */
export interface CliDeps {
  /** Worker module of the evaluation pools (default: the compiled pool worker). */
  readonly workerFile?: string;
}

export function registerCommands(program: Command, deps: CliDeps): void {
  registerDemo(program, deps);
  registerRun(program, deps);
  registerEtl(program);
  registerIngest(program);
  registerBacktest(program);
  registerEvaluate(program, deps);
  registerOptimize(program, deps);
  registerWorker(program, deps);
  registerMerge(program, deps);
  registerRuns(program);
  registerShow(program);
  registerExport(program);
  registerReport(program);
  registerServe(program);
  registerMigrate(program);
  registerSynth(program);
  registerSample(program);
  registerPareto(program);
  registerFit(program);
  registerRegime(program);
  registerBest(program);
  registerCheckTriggers(program, deps);
  registerPaper(program);
  registerAutoTrade(program);
  registerHyperopt(program, deps);
  registerUpdateRegimeState(program);
  registerRealized(program);
}
