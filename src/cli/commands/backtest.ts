/**
 * `pnlopt backtest`: one candidate on one data set; prints the period, its metrics and buy and hold
 * over the same bars for comparison, optionally its equity curve.
 */
import type { Command } from 'commander';
import { METRIC_COUNT } from '../../../native-free-kernels/portfolio/metrics.js';
import { alignPanel } from '../../data/panel.js';
import type { Panel } from '../../data/types.js';
import { formatTime } from '../../data/validate.js';
import { UsageError } from '../../errors.js';
import { metricRecord } from '../../report/metrics.js';
import { fmt, metricTable, pct, wrapList } from '../table.js';
import { buildContext } from '../../jobs/context.js';
import { createEvaluator } from '../../simulation/evaluator.js';
import { decodeRow, encodeNamedValues, paramLayout, parseAssignments } from '../../config/param-layout.js';
import { checkOutputPath, writeOutput } from '../../output.js';
import { DATA_HELP, loadData } from '../data-args.js';
import { configFrom, numArg, printResult, withCommonOptions, type CommonOptions } from '../options.js';

interface BacktestOptions extends CommonOptions {
  data?: string[];
  strategy: string;
  params: string;
  feeBps?: number;
  tickers?: string[];
  equity?: string;
}

export interface BuyAndHold {
  readonly total_return: number;
  readonly max_drawdown: number;
}

/**
 * Buy and hold over bars [start, end) of the panel (docs/metrics.md): one unit of each ticker bought
 * at the window's first close and held to its last close, equal-weighted (the same capital in each
 * ticker, not rebalanced), no fees. B_t = mean_k C_{k,t} / C_{k,start}, so B_start = 1;
 * total_return = B_{end-1} - 1, max_drawdown = max_t (1 - B_t / max_{u<=t} B_u).
 */
export function buyAndHold(panel: Panel, start = 0, end = panel.T): BuyAndHold {
  const { T, close } = panel;
  const K = panel.tickers.length;
  let peak = 1;
  let worst = 0;
  let b = 1;
  for (let t = start; t < end; t++) {
    b = 0;
    for (let k = 0; k < K; k++) b += close[k * T + t] / close[k * T + start];
    b /= K;
    if (b > peak) peak = b;
    else worst = Math.max(worst, 1 - b / peak);
  }
  return { total_return: b - 1, max_drawdown: worst };
}

export function registerBacktest(program: Command): void {
  withCommonOptions(
    program
      .command('backtest')
      .description('backtest one parameter set of a strategy family and print its metrics next to buy and hold')
      .option('--data <files...>', DATA_HELP)
      .requiredOption('--strategy <name>', 'strategy family (see config/strategy_optimization_config.yml families)')
      .requiredOption('--params <k=v,...>', 'parameter values, e.g. fast=10,slow=50')
      .option('--fee-bps <n>', 'fee per side in basis points (default: simulation.fee_bps)', numArg(0))
      .option('--tickers <names...>', 'tickers to trade (default: all in the data)')
      .option('--equity <file>', 'write the equity curve (date,equity) as CSV (- for standard output)'),
  ).action(async (opts: BacktestOptions) => {
    const cfg = configFrom(opts);
    const layout = paramLayout(cfg, opts.strategy);
    const { row, problems } = encodeNamedValues(layout, parseAssignments(opts.params));
    if (problems.length > 0) throw new UsageError(`--params: ${problems.join('; ')}`);
    if (opts.equity !== undefined) checkOutputPath(opts.equity, '--equity');
    const data = loadData(cfg, opts.data, opts.quiet);
    const panel = alignPanel(data, opts.tickers);
    const ctx = await buildContext(cfg, layout, panel, data.hash, { start: 0, end: panel.T, feeBps: opts.feeBps });
    const F = new Float64Array(METRIC_COUNT);
    const equity = new Float64Array(panel.T);
    createEvaluator(layout, ctx).evaluateWithEquity(row, equity, F);
    if (opts.equity !== undefined) {
      const lines = ['date,equity'];
      for (let t = 0; t < panel.T; t++) lines.push(`${formatTime(panel.time[t])},${equity[t]}`);
      writeOutput(opts.equity, lines.join('\n') + '\n', '--equity');
    }
    const metrics = metricRecord(F);
    const params = decodeRow(layout, row);
    const period = { start: formatTime(panel.time[0]), end: formatTime(panel.time[panel.T - 1]), bars: panel.T };
    const hold = buyAndHold(panel);
    const result = { strategy: opts.strategy, params, data_hash: data.hash, bars: panel.T, tickers: panel.tickers, period, metrics, buy_and_hold: hold };
    const text = () =>
      [
        wrapList(`${opts.strategy} on `, panel.tickers),
        wrapList('params: ', Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`)),
        `period: ${period.start} .. ${period.end} (${period.bars} bars)`,
        metricTable(metrics),
        `buy and hold: total_return ${pct(hold.total_return, 4)}, max_drawdown ${pct(hold.max_drawdown, 4)} ` +
          `(${panel.tickers.length > 1 ? 'each ticker' : 'one unit'} held from the first close to the last${panel.tickers.length > 1 ? ', equal-weighted' : ''}, no fees)`,
      ].join('\n');
    printResult(opts, result, text, opts.equity);
  });
}
