/** `ts_ensemble`: a basket traded on a weighted mix of causal forecasts (docs/strategies.md), no fallback rule. */
import { Fallback } from '../../../native-free-kernels/portfolio/ts-portfolio.js';
import { ATR_WINDOW_PARAM, createTsEvaluator, createTsLive, ENSEMBLE_SLOTS, TS_CODE, tsReads } from '../ts-evaluator.js';
import type { FamilyModule } from './family.js';

export const tsEnsembleFamily: FamilyModule = {
  kernel: 'ts_ensemble',
  description: 'weighted forecast ensemble over a basket with sizing, execution and stops (docs/strategies.md)',
  code: ['./ts-ensemble', ...TS_CODE],
  reads: (models) => tsReads(ENSEMBLE_SLOTS, models),
  oneTicker: false,
  needsForecasts: true,
  atrWindowParam: ATR_WINDOW_PARAM,
  createEvaluator: (layout, ctx) => createTsEvaluator(layout, ctx, ENSEMBLE_SLOTS, { fallback: Fallback.none }),
  createLive: (layout, ctx) => createTsLive(layout, ctx, ENSEMBLE_SLOTS, { fallback: Fallback.none }),
};
