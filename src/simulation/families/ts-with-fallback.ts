/** `ts_with_fallback`: `ts_ensemble` plus a rule-based signal when the models are not confident (docs/strategies.md). */
import { Fallback } from '../../../native-free-kernels/portfolio/ts-portfolio.js';
import { ATR_WINDOW_PARAM, createTsEvaluator, createTsLive, ENSEMBLE_SLOTS, TS_CODE, tsReads, type SlotSource, type TsSlot } from '../ts-evaluator.js';
import type { FamilyModule } from './family.js';

/** The searchable rules: every code but `none`. */
const FALLBACK_RULES = { momentum: Fallback.momentum, mean_reversion: Fallback.mean_reversion } as const;

const SLOTS: Readonly<Partial<Record<TsSlot, SlotSource>>> = {
  ...ENSEMBLE_SLOTS,
  fallback: { param: 'fallback_rule', codes: FALLBACK_RULES },
  fallbackLookback: { param: 'fallback_lookback' },
  fallbackEntryZ: { param: 'fallback_entry_z' },
};

export const tsWithFallbackFamily: FamilyModule = {
  kernel: 'ts_with_fallback',
  description: 'ts_ensemble with a momentum or mean-reversion signal below the confidence guardrail (docs/strategies.md)',
  code: ['./ts-with-fallback', ...TS_CODE],
  reads: (models) => tsReads(SLOTS, models),
  oneTicker: false,
  needsForecasts: true,
  atrWindowParam: ATR_WINDOW_PARAM,
  createEvaluator: (layout, ctx) => createTsEvaluator(layout, ctx, SLOTS, {}),
  createLive: (layout, ctx) => createTsLive(layout, ctx, SLOTS, {}),
};
