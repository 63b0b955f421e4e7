/** `pnlopt synth`, declared: its name, options and help. The action (synth.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { intArg, withCommonOptions } from '../options.js';
import type { SynthOptions } from './synth.js';

export function registerSynth(program: Command): void {
  withCommonOptions(
    program
      .command('synth')
      .description('write seeded synthetic OHLCV (bull/bear/sideways x high/low volatility regimes); .csv or .arrow by extension')
      .requiredOption('--tickers <n>', 'number of tickers', intArg(1))
      .requiredOption('--bars <n>', 'bars per ticker', intArg(2))
      .requiredOption('--seed <s>', 'random seed', intArg(0))
      .requiredOption('--out <file>', 'output file (.csv, .arrow, .feather or .ipc; - for CSV on standard output)'),
  ).action(async (opts: SynthOptions) => (await import('./synth.js')).synthAction(opts));
}
