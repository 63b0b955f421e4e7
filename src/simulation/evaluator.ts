/** The dispatch layer: a family's layout -> its registered module's batch evaluator (no switch on names). */
import type { ParamLayout } from '../config/param-layout.js';
import type { SimulationContext } from './context.js';
import { familyModule, type BatchEvaluator } from './families/index.js';

export type { BatchEvaluator } from './families/index.js';

export function createEvaluator(layout: ParamLayout, ctx: SimulationContext): BatchEvaluator {
  return familyModule(layout).createEvaluator(layout, ctx);
}
