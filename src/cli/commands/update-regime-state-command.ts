/** `pnlopt update-regime-state`, declared: its name, options and help. The action (update-regime-state.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DB_HELP, withCommonOptions } from '../options.js';
import type { UpdateRegimeStateOptions } from './update-regime-state.js';

export function registerUpdateRegimeState(program: Command): void {
  withCommonOptions(
    program
      .command('update-regime-state')
      .description(
        'classify each ticker from its last realized paper trades (trade_executions): exploration under regime_state.min_trades, else green / neutral / red by sharpe_N; writes regime_state.yml, which sizes the paper engine\'s trades',
      )
      .option('--db <path>', `${DB_HELP}; read only`)
      .option('--out <path>', 'where to write the state (default: regime_state.path of paper_trading_config.yml, relative to the package folder unless absolute; - for standard output)'),
  ).action(async (opts: UpdateRegimeStateOptions) => (await import('./update-regime-state.js')).updateRegimeStateAction(opts));
}
