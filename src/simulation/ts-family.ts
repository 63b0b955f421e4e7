/**
 * `ts_ensemble` and `ts_with_fallback`: decode each parameter row into the kernel's numeric slots
 * (`TsParam`), pick the ATR column for the row's window, run `tsPortfolio`. Everything a row needs
 * is resolved once here, at creation: columns, choice-name -> code tables, scratch buffers.
 */
import { ACC_SIZE, METRIC_COUNT } from '../../native-free-kernels/metrics.js';
import { normalQuantile } from '../../native-free-kernels/normal.js';
import { createTsWorkspace, tsPortfolio, TsParam, type TsData, type TsSettings } from '../../native-free-kernels/ts-portfolio.js';
import type { NamedParam } from '../config/family-space.js';
import { UsageError } from '../errors.js';
import type { SimulationContext } from './context.js';
import type { BatchEvaluator } from './evaluator.js';
import { columnOf, type ParamLayout } from './param-layout.js';

type Slot = Exclude<keyof typeof TsParam, 'weights'>;

/** How a slot is read from a row: a numeric column times a scale, or a categorical column through a code table. */
type SlotSource = { param: string; scale?: number } | { param: string; codes: Readonly<Record<string, number>> };

const BPS = 1e-4;

function slotSources(periodsPerYear: number): Record<Exclude<Slot, 'fallback' | 'fallbackLookback' | 'fallbackEntryZ'>, SlotSource> {
  return {
    direction: { param: 'direction', codes: { long_only: 0, long_short: 1 } },
    noiseK: { param: 'noise_filter_k' },
    sizing: { param: 'sizing', codes: { fixed_fraction: 0, kelly: 1, vol_target: 2 } },
    fixedFraction: { param: 'fixed_fraction' },
    kellyCap: { param: 'kelly_cap' },
    kellyFraction: { param: 'kelly_fraction' },
    volTargetPerBar: { param: 'vol_target_annual', scale: 1 / Math.sqrt(periodsPerYear) },
    maxWeightTicker: { param: 'max_weight_per_ticker' },
    maxWeightClass: { param: 'max_weight_per_asset_class' },
    diversificationPenalty: { param: 'diversification_penalty' },
    orderType: { param: 'order_type', codes: { market: 0, limit: 1 } },
    limitOffset: { param: 'limit_offset_bps', scale: BPS },
    slippageModel: { param: 'slippage_model', codes: { fixed_bps: 0, vol_proportional: 1, sqrt_participation: 2 } },
    slippageFixed: { param: 'slippage_bps', scale: BPS },
    slippageVolMult: { param: 'slippage_vol_mult' },
    impactCoef: { param: 'impact_coef' },
    trailingStop: { param: 'trailing_stop', codes: { off: 0, on: 1 } },
    stopAtrMult: { param: 'trailing_stop_atr_mult' },
    takeProfit: { param: 'take_profit', codes: { off: 0, on: 1 } },
    takeProfitPct: { param: 'take_profit_pct' },
  };
}

const FALLBACK_SOURCES: Record<'fallback' | 'fallbackLookback' | 'fallbackEntryZ', SlotSource> = {
  fallback: { param: 'fallback_rule', codes: { momentum: 1, mean_reversion: 2 } },
  fallbackLookback: { param: 'fallback_lookback' },
  fallbackEntryZ: { param: 'fallback_entry_z' },
};

/** One compiled slot: read column `col`, then either scale or map the choice index through `codes`. */
interface CompiledSlot {
  slot: number;
  col: number;
  scale: number;
  codes: Float64Array | null;
}

function compileSlot(layout: ParamLayout, slot: number, src: SlotSource): CompiledSlot {
  const col = columnOf(layout, src.param);
  if (!('codes' in src)) return { slot, col, scale: src.scale ?? 1, codes: null };
  const p: NamedParam = layout.params[col]!;
  if (p.spec.type !== 'categorical') throw new UsageError(`family ${layout.family}: ${src.param} must be categorical (${p.path})`);
  const codes = new Float64Array(p.spec.choices.length);
  p.spec.choices.forEach((choice, j) => {
    const code = src.codes[String(choice)];
    if (code === undefined) {
      throw new UsageError(`family ${layout.family}: ${p.path} choice "${choice}" is not implemented; choose from ${Object.keys(src.codes).join(', ')}`);
    }
    codes[j] = code;
  });
  return { slot, col, scale: 1, codes };
}

export function createTsEvaluator(layout: ParamLayout, ctx: SimulationContext): BatchEvaluator {
  const { panel, derived, forecasts, settings } = ctx;
  if (forecasts === null) throw new Error(`family ${layout.family} needs forecast columns in its context`);
  const K = panel.tickers.length;
  const T = panel.T;
  const sources: Record<string, SlotSource> = { ...slotSources(settings.periodsPerYear) };
  if (layout.kernel === 'ts_with_fallback') Object.assign(sources, FALLBACK_SOURCES);
  const slots = Object.entries(sources).map(([name, src]) => compileSlot(layout, TsParam[name as Slot], src));
  const weightCols = forecasts.models.map((m) => columnOf(layout, `w_${m}`));
  const atrCol = columnOf(layout, 'atr_window');
  const data: TsData = {
    K, T, open: panel.open, high: panel.high, low: panel.low, close: panel.close, volume: panel.volume,
    M: forecasts.models.length, mu: forecasts.mu, sigma: forecasts.sigma,
    prefixClose: derived.prefixClose, prefixClose2: derived.prefixClose2, prefixRet: derived.prefixRet, prefixRet2: derived.prefixRet2,
    avgAbsCorr: derived.avgAbsCorr, assetClass: derived.assetClass, classes: derived.classes,
  };
  const s: TsSettings = {
    start: settings.start, end: settings.end, fee: settings.fee, initial: settings.initialCapital, periodsPerYear: settings.periodsPerYear,
    minExpectedReturn: settings.minExpectedReturn, zConfidence: normalQuantile(settings.confidenceThreshold),
    capitalAtRiskPerTrade: settings.capitalAtRiskPerTrade, maxGrossExposure: settings.maxGrossExposure,
  };
  const d = layout.params.length;
  const p = new Float64Array(TsParam.weights + forecasts.models.length);
  const ws = createTsWorkspace(K, T, forecasts.models.length, derived.classes, ACC_SIZE);
  // The ATR column of each allowed window: views of the shared columns, made here once, so a
  // candidate only picks one. Outside the range (or NaN: stops off) it gets an all-NaN column.
  const atr = ctx.atr;
  if (atr === null) throw new UsageError(`family ${layout.family}: atr_window must be an int parameter (${layout.params[atrCol]!.path})`);
  const atrViews = Array.from({ length: atr.count }, (_, j) => atr.columns.subarray(j * K * T, (j + 1) * K * T));
  const noAtr = new Float64Array(K * T).fill(NaN);
  const atrFor = (window: number): Float64Array => atrViews[window - atr.low] ?? noAtr;
  const decode = (X: Float64Array, r: number): Float64Array => {
    const base = r * d;
    if (layout.kernel === 'ts_ensemble') p[TsParam.fallback] = 0;
    for (const c of slots) {
      const v = X[base + c.col]!;
      p[c.slot] = c.codes !== null ? (v === v ? c.codes[v]! : NaN) : v * c.scale;
    }
    for (let m = 0; m < weightCols.length; m++) p[TsParam.weights + m] = X[base + weightCols[m]!]!;
    return atrFor(X[base + atrCol]!);
  };
  return {
    layout,
    evaluate(X, rows, F) {
      for (let r = 0; r < rows; r++) {
        const atrColumn = decode(X, r);
        tsPortfolio(data, s, p, atrColumn, ws, null, F, r * METRIC_COUNT);
      }
    },
    evaluateWithEquity(row, equity, F) {
      tsPortfolio(data, s, p, decode(row, 0), ws, equity, F, 0);
    },
  };
}
