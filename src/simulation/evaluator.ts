/** The dispatch layer: a family's layout -> its registered module's batch evaluator (no switch on names). */
import type { ParamLayout } from '../config/param-layout.js';
import { UsageError } from '../errors.js';
import type { SimulationContext } from './context.js';
import { familyModule, type BatchEvaluator } from './families/index.js';

export type { BatchEvaluator } from './families/index.js';

export function createEvaluator(layout: ParamLayout, ctx: SimulationContext): BatchEvaluator {
  const m = familyModule(layout);
  const { tickers } = ctx.panel;
  if (m.oneTicker && tickers.length !== 1) {
    throw new UsageError(`${layout.family} trades one series; the data has ${tickers.length} tickers (${tickers.join(', ')}): choose one`);
  }
  return m.createEvaluator(layout, ctx);
}
