/** `sma_cross` on one ticker: reads `fast` and `slow` from each row, runs the kernel per row. */
import { ACC_SIZE, METRIC_COUNT } from '../../native-free-kernels/metrics.js';
import { smaCross } from '../../native-free-kernels/sma-cross.js';
import { UsageError } from '../errors.js';
import type { SimulationContext } from './context.js';
import type { BatchEvaluator } from './evaluator.js';
import { columnOf, type ParamLayout } from './param-layout.js';

export function createSmaCrossEvaluator(layout: ParamLayout, ctx: SimulationContext): BatchEvaluator {
  const { panel, settings } = ctx;
  const { prefixClose, prefixSimpleRet, prefixSimpleRet2, prefixSimpleDown2 } = ctx.derived;
  const rp = { ret: prefixSimpleRet, ret2: prefixSimpleRet2, down2: prefixSimpleDown2 };
  if (panel.tickers.length !== 1) {
    throw new UsageError(`sma_cross trades one series; the data has ${panel.tickers.length} tickers (${panel.tickers.join(', ')}): choose one`);
  }
  const d = layout.params.length;
  const cFast = columnOf(layout, 'fast');
  const cSlow = columnOf(layout, 'slow');
  const acc = new Float64Array(ACC_SIZE);
  const { open, close } = panel;
  const { start, end, fee, initialCapital, periodsPerYear } = settings;
  const run = (row: Float64Array, r: number, equity: Float64Array | null, F: Float64Array, fr: number) =>
    smaCross(open, close, prefixClose, rp, start, end, row[r * d + cFast]!, row[r * d + cSlow]!, fee, initialCapital, periodsPerYear, acc, equity, F, fr * METRIC_COUNT);
  return {
    layout,
    evaluate(X, rows, F) {
      for (let r = 0; r < rows; r++) run(X, r, null, F, r);
    },
    evaluateWithEquity(row, equity, F) {
      run(row, 0, equity, F, 0);
    },
  };
}
