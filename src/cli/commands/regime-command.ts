/** `pnlopt regime`, declared: its name, options and help. The action (regime.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DATA_HELP, DB_HELP, withCommonOptions } from '../options.js';
import type { RegimeOptions } from './regime.js';

export function registerRegime(program: Command): void {
  withCommonOptions(
    program
      .command('regime')
      .description('label every bar of each ticker with its regime (config/regime_config.yml; causal, smoothed); print the current regime and the history as segments; record drift in split_drift_metrics')
      .option('--data <files...>', DATA_HELP)
      .option('--db <path>', `${DB_HELP}; receives the drift rows`),
  ).action(async (opts: RegimeOptions) => (await import('./regime.js')).regimeAction(opts));
}
