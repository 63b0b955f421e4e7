/** `pnlopt backtest`: one candidate on one data set; prints its metrics, optionally its equity curve. */
import type { Command } from 'commander';
import { METRIC_COUNT } from '../../../native-free-kernels/portfolio/metrics.js';
import { alignPanel } from '../../data/panel.js';
import { formatTime } from '../../data/validate.js';
import { UsageError } from '../../errors.js';
import { metricRecord } from '../../report/metrics.js';
import { metricTable } from '../table.js';
import { buildContext } from '../../jobs/context.js';
import { createEvaluator } from '../../simulation/evaluator.js';
import { decodeRow, encodeNamedValues, paramLayout, parseAssignments } from '../../config/param-layout.js';
import { writeFileAtomic } from '../../write-atomic.js';
import { loadData } from '../data-args.js';
import { configFrom, numArg, printResult, withCommonOptions, type CommonOptions } from '../options.js';

interface BacktestOptions extends CommonOptions {
  data?: string[];
  strategy: string;
  params: string;
  feeBps?: number;
  tickers?: string[];
  equity?: string;
}

export function registerBacktest(program: Command): void {
  withCommonOptions(
    program
      .command('backtest')
      .description('backtest one parameter set of a strategy family and print its metrics')
      .option('--data <files...>', 'OHLCV files, or db:PATH for an ingested store (default: the embedded data set)')
      .requiredOption('--strategy <name>', 'strategy family (see config/strategy_optimization_config.yml families)')
      .requiredOption('--params <k=v,...>', 'parameter values, e.g. fast=10,slow=50')
      .option('--fee-bps <n>', 'fee per side in basis points (default: simulation.fee_bps)', numArg(0))
      .option('--tickers <names...>', 'tickers to trade (default: all in the data)')
      .option('--equity <file>', 'write the equity curve (date,equity) as CSV'),
  ).action(async (opts: BacktestOptions) => {
    const cfg = configFrom(opts);
    const layout = paramLayout(cfg, opts.strategy);
    const { row, problems } = encodeNamedValues(layout, parseAssignments(opts.params));
    if (problems.length > 0) throw new UsageError(`--params: ${problems.join('; ')}`);
    const data = loadData(cfg, opts.data);
    const panel = alignPanel(data, opts.tickers);
    const ctx = await buildContext(cfg, layout, panel, data.hash, { start: 0, end: panel.T, feeBps: opts.feeBps });
    const F = new Float64Array(METRIC_COUNT);
    const equity = new Float64Array(panel.T);
    createEvaluator(layout, ctx).evaluateWithEquity(row, equity, F);
    if (opts.equity !== undefined) {
      const lines = ['date,equity'];
      for (let t = 0; t < panel.T; t++) lines.push(`${formatTime(panel.time[t])},${equity[t]}`);
      writeFileAtomic(opts.equity, lines.join('\n') + '\n');
    }
    const metrics = metricRecord(F);
    printResult(
      opts,
      { strategy: opts.strategy, params: decodeRow(layout, row), data_hash: data.hash, bars: panel.T, tickers: panel.tickers, metrics },
      () => `${opts.strategy} on ${panel.tickers.join(', ')} (${panel.T} bars)\n${metricTable(metrics)}`,
    );
  });
}
