/**
 * `pnlopt fit`, the action (declared in fit-command.ts): fit one forecast model on one series and
 * print its parameters, log-likelihood and next-step forecast (src/jobs/fit.ts). A fit that fails
 * (not converged, non-stationary GARCH, no SSA recurrence) is said on stderr and exits 1 with
 * nothing on stdout; bad input exits 2.
 */
import { EXIT_FAILURE } from '../../errors.js';
import { FIT_MODEL_CONFIG, loadFitSeries, runFit, seriesLabel, type FitModel, type FitResult } from '../../jobs/fit.js';
import { escapeControl } from '../../terminal-text.js';
import { configFrom } from '../command-config.js';
import { printResult, type CommonOptions } from '../options.js';
import { fmt, renderTable, wrapWords, type Cell } from '../table.js';

export interface FitOptions extends CommonOptions {
  model: FitModel;
  data: string;
  column?: string;
  ticker?: string;
}

/** Run `pnlopt fit` (declared in fit-command.ts, which loads this module when the command runs). */
export function fitAction(opts: FitOptions): void {
  const forecastModels = configFrom(opts).strategy.forecast_models;
  const source = { file: opts.data, ...(opts.column !== undefined ? { column: opts.column } : {}), ...(opts.ticker !== undefined ? { ticker: opts.ticker } : {}) };
  const series = loadFitSeries(opts.model, source, forecastModels);
  const outcome = runFit(opts.model, series, forecastModels);
  if (!outcome.ok) {
    process.stderr.write(escapeControl(`pnlopt: ${outcome.failure.reason}; no result (exit ${EXIT_FAILURE})`, true) + '\n');
    process.exitCode = EXIT_FAILURE;
    return;
  }
  printResult(opts, outcome.result, () => fitText(outcome.result));
}

const SERIES_TEXT = { column: 'as given', log_return: 'log returns of close', log_close: 'log closes' } as const;

/** The result as a heading and a parameter table. */
function fitText(r: FitResult): string {
  const heading = `${r.model} on ${seriesLabel(r)} (${SERIES_TEXT[r.series]}, ${r.n} values; settings: forecast_models.${FIT_MODEL_CONFIG[r.model]})`;
  const rows: [string, Cell][] = (() => {
    switch (r.model) {
      case 'garch':
        return [
          ['mu', r.mu],
          ['omega', r.omega],
          ['alpha', r.alpha],
          ['beta', r.beta],
          ['persistence', r.persistence],
          ['unconditional_variance', r.unconditional_variance],
          ['loglik', r.loglik],
          ['next_variance', r.next_variance],
          ['forecast (mean)', r.forecast],
        ];
      case 'arx':
        return [
          ['orders', `p ${r.ar_order}, P ${r.seasonal_order}, s ${r.seasonal_period}`],
          ['intercept', r.intercept],
          ...r.ar.map((a, i): [string, Cell] => [`ar[${i + 1}]`, a]),
          ...r.seasonal.map((b, j): [string, Cell] => [`seasonal[${(j + 1) * r.seasonal_period}]`, b]),
          ['sigma', r.sigma],
          ['loglik', r.loglik],
          ['forecast', r.forecast],
        ];
      case 'ssa':
        return [
          ['window_length', r.window_length],
          ['components', r.components],
          ['nu2', r.nu2],
          ['sigma', r.sigma],
          ['loglik', 'n/a (SSA is not a likelihood model)'],
          ['forecast', r.forecast],
        ];
    }
  })();
  const table = renderTable(['parameter', 'value'], rows.map(([k, v]) => [k, typeof v === 'number' ? fmt(v) : v]), [false, true]);
  // The L − 1 recurrence coefficients would stretch the table: they follow it, wrapped.
  const lrr = r.model === 'ssa' ? [wrapWords('lrr coefficients, oldest lag first: ', r.lrr.map((c) => fmt(c, 4)).join(' '))] : [];
  return [escapeControl(heading), table, ...lrr].join('\n');
}
