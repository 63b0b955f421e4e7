/**
 * The dispatch layer: a family's kernel name -> a batch evaluator over a parameter matrix.
 * `evaluate(X, rows, F)` reads rows of X (row-major, one column per layout parameter) and writes
 * rows of F (row-major, METRIC_COUNT columns). Evaluators own their scratch buffers, allocated once
 * at creation; `evaluate` allocates nothing.
 */
import type { SimulationContext } from './context.js';
import type { ParamLayout } from './param-layout.js';
import { createSmaCrossEvaluator } from './sma-cross-family.js';
import { createTsEvaluator } from './ts-family.js';

export interface BatchEvaluator {
  readonly layout: ParamLayout;
  /** Evaluate `rows` candidates of X into F. */
  evaluate(X: Float64Array, rows: number, F: Float64Array): void;
  /** Evaluate one candidate, also writing its equity curve (E_t at each bar of the window) to `equity`. */
  evaluateWithEquity(row: Float64Array, equity: Float64Array, F: Float64Array): void;
}

export function createEvaluator(layout: ParamLayout, ctx: SimulationContext): BatchEvaluator {
  switch (layout.kernel) {
    case 'sma_cross':
      return createSmaCrossEvaluator(layout, ctx);
    case 'ts_ensemble':
    case 'ts_with_fallback':
      return createTsEvaluator(layout, ctx);
  }
}
