/**
 * The evaluation window split into a search window and a later hold-out (forward) window:
 * bars [warmup, T) are the evaluation window; its last `hold_out_fraction` is the hold-out. The
 * warm-up bars feed indicators and forecasts only. Candidates are ranked on the search window;
 * a configuration is adopted only if it also meets the success criteria on the hold-out.
 */
import type { PnloptConfig } from '../config/load.js';
import { displayPath } from '../paths.js';
import { UsageError } from '../errors.js';

export interface BarWindow {
  readonly start: number;
  readonly end: number;
}

export interface EvaluationWindows {
  readonly search: BarWindow;
  readonly holdout: BarWindow;
}

export function evaluationWindows(cfg: PnloptConfig, T: number): EvaluationWindows {
  const { hold_out_fraction, warmup_bars } = cfg.strategy.evaluation;
  const { min_bars } = cfg.quantSuccess.hold_out;
  const usable = T - warmup_bars;
  const holdoutBars = Math.floor(usable * hold_out_fraction);
  const split = T - holdoutBars;
  if (holdoutBars < min_bars || split - warmup_bars < 2) {
    const strategyFile = displayPath(cfg.files.strategy);
    throw new UsageError(
      `the data has ${T} bars: after ${strategyFile}: evaluation.warmup_bars (${warmup_bars}), evaluation.hold_out_fraction (${hold_out_fraction}) leaves ` +
        `${holdoutBars} hold-out bars and ${Math.max(0, split - warmup_bars)} search bars; ${displayPath(cfg.files.quantSuccess)}: hold_out.min_bars ` +
        `needs ${min_bars} hold-out bars: give more data`,
    );
  }
  return { search: { start: warmup_bars, end: split }, holdout: { start: split, end: T } };
}
