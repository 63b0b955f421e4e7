/** `pnlopt fit`, declared: its name, options and help. The action (fit.ts) is loaded when the command runs. */
import { Option, type Command } from 'commander';
import type { FitModel } from '../../jobs/fit.js';
import { withCommonOptions } from '../options.js';
import type { FitOptions } from './fit.js';

/** The models `--model` takes, with their help; keyed by `FitModel` so that the two lists cannot drift apart. */
const MODEL_HELP = {
  garch: 'GARCH(1,1), constant mean, Gaussian (forecast_models.garch)',
  arx: 'seasonal autoregression (forecast_models.sarimax orders, no exogenous columns)',
  ssa: 'singular spectrum analysis with its recurrent forecast (forecast_models.samossa)',
} as const satisfies Record<FitModel, string>;

export function registerFit(program: Command): void {
  const models = Object.entries(MODEL_HELP).map(([name, help]) => `${name}: ${help}`).join('; ');
  withCommonOptions(
    program
      .command('fit')
      .description('fit a forecast model on one series; print its parameters, log-likelihood and next-step forecast (exit 1 when the fit fails or is non-stationary)')
      .addOption(new Option('--model <name>', models).choices(Object.keys(MODEL_HELP)).makeOptionMandatory())
      .requiredOption('--data <file>', 'a CSV with a header (with --column), else an OHLCV file (.csv, .arrow)')
      .option('--column <name>', 'fit this numeric column as given (e.g. returns), instead of log returns of close')
      .option('--ticker <name>', 'the ticker of a multi-ticker OHLCV file'),
  ).action(async (opts: FitOptions) => (await import('./fit.js')).fitAction(opts));
}
