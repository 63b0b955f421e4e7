/** Every subcommand, registered in the order `pnlopt --help` lists them. */
import type { Command } from 'commander';
import { registerBacktest } from './backtest.js';
import { registerDemo } from './demo.js';
import { registerEvaluate } from './evaluate.js';
import { registerIngest } from './ingest.js';
import { registerOptimize } from './optimize.js';
import { registerPareto } from './pareto.js';
import { registerSample } from './sample.js';
import { registerSynth } from './synth.js';

export function registerCommands(program: Command): void {
  registerDemo(program);
  registerIngest(program);
  registerBacktest(program);
  registerEvaluate(program);
  registerOptimize(program);
  registerSynth(program);
  registerSample(program);
  registerPareto(program);
}
