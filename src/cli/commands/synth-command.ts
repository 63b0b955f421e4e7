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
      .requiredOption('--out <file>', 'output file (.csv, .arrow, .feather or .ipc; - for CSV on standard output)')
      .option(
        '--factor-loadings <list>',
        'one loading in [-1, 1] per ticker on one common factor, e.g. 0.9,0.9,0 (a pair correlated at 0.81 and an independent ticker); default: factor.loadings in config, null = the market model',
      ),
  ).action(async (opts: SynthOptions) => (await import('./synth.js')).synthAction(opts));
}
