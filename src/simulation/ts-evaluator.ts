/**
 * The evaluator shared by the time-series families (families/ts-ensemble.ts,
 * families/ts-with-fallback.ts): decode each parameter row into the kernel's numeric slots
 * (`TsParam`; a forecast model switched off, `use_<model>: off`, weighs 0; a ticker left out of the
 * basket, `basket_<TICKER>: off`, gets flag 0), pick the ATR column for
 * the row's window, run `tsPortfolio`. Everything a row needs is resolved once here, at creation:
 * columns, choice-name -> code tables, scratch buffers.
 */
import { ACC_SIZE } from '../../native-free-kernels/portfolio/metrics.js';
import { normalQuantile } from '../../native-free-kernels/stats/normal.js';
import {
  basketSlot, createTsWorkspace, Direction, fillNoStopDistance, OrderType, SlippageModel, Sizing, Switch, tsDecision, tsPortfolio, TsParam, tsSelect, tsSlippage,
  type TsData, type TsSettings, type TsWorkspace,
} from '../../native-free-kernels/portfolio/ts-portfolio.js';
import type { NamedParam } from '../config/family-space.js';
import { BASKET_IN, columnOf, familyConfigError, type ParamLayout } from '../config/param-layout.js';
import type { SimulationContext, SimulationSettings } from './context.js';
import { rowEvaluator, type BatchEvaluator, type LiveStrategy } from './families/family.js';

export type TsSlot = Exclude<keyof typeof TsParam, 'weights'>;

/**
 * How a slot is read from a row: a numeric column times a scale (from the batch settings), or a
 * categorical column through the kernel's code table.
 */
export type SlotSource =
  | { readonly param: string; readonly scale?: (s: SimulationSettings) => number }
  | { readonly param: string; readonly codes: Readonly<Record<string, number>> };

const BPS = 1e-4;

/** The slots every time-series family reads. */
export const ENSEMBLE_SLOTS: Readonly<Partial<Record<TsSlot, SlotSource>>> = {
  direction: { param: 'direction', codes: Direction },
  noiseK: { param: 'noise_filter_k' },
  sizing: { param: 'sizing', codes: Sizing },
  fixedFraction: { param: 'fixed_fraction' },
  kellyCap: { param: 'kelly_cap' },
  kellyFraction: { param: 'kelly_fraction' },
  volTargetPerBar: { param: 'vol_target_annual', scale: (s) => 1 / Math.sqrt(s.periodsPerYear) },
  maxWeightTicker: { param: 'max_weight_per_ticker' },
  maxWeightClass: { param: 'max_weight_per_asset_class' },
  diversificationPenalty: { param: 'diversification_penalty' },
  riskParityGross: { param: 'risk_parity_gross' },
  orderType: { param: 'order_type', codes: OrderType },
  limitOffset: { param: 'limit_offset_bps', scale: () => BPS },
  slippageModel: { param: 'slippage_model', codes: SlippageModel },
  slippageFixed: { param: 'slippage_bps', scale: () => BPS },
  slippageVolMult: { param: 'slippage_vol_mult' },
  impactCoef: { param: 'impact_coef' },
  trailingStop: { param: 'trailing_stop', codes: Switch },
  stopAtrMult: { param: 'trailing_stop_atr_mult' },
  takeProfit: { param: 'take_profit', codes: Switch },
  takeProfitPct: { param: 'take_profit_pct' },
};

/** The int parameter choosing the ATR window of the trailing stop. */
export const ATR_WINDOW_PARAM = 'atr_window';

/** Weight parameter of a forecast model's column in the ensemble. */
export const weightParam = (model: string): string => `w_${model}`;

/** On/off parameter of a forecast model's inclusion in the ensemble (`Switch` choices). */
export const useParam = (model: string): string => `use_${model}`;

/** Every parameter a family with these slots reads: its slots, an inclusion switch and a weight per forecast model, the ATR window. */
export function tsReads(slots: Readonly<Partial<Record<TsSlot, SlotSource>>>, forecastModels: readonly string[]): string[] {
  return [...Object.values(slots).map((src) => src.param), ...forecastModels.flatMap((m) => [useParam(m), weightParam(m)]), ATR_WINDOW_PARAM];
}

/** The code every ts family runs, relative to the families folder (`FamilyModule.code`). */
export const TS_CODE = [
  '../ts-evaluator',
  '../../../native-free-kernels/portfolio/ts-portfolio',
  '../../../native-free-kernels/portfolio/decision',
  '../../../native-free-kernels/portfolio/metrics',
  '../../../native-free-kernels/stats/prefix-sum',
  '../../../native-free-kernels/stats/correlation',
  '../../../native-free-kernels/stats/risk-parity',
  '../../../native-free-kernels/stats/normal',
] as const;

/** One compiled source: read column `col`, then either scale or map the choice index through `codes`. */
interface CompiledSource {
  col: number;
  scale: number;
  codes: Float64Array | null;
}

/** A compiled source and the kernel slot it fills. */
interface CompiledSlot extends CompiledSource {
  slot: number;
}

function compileSource(layout: ParamLayout, settings: SimulationSettings, src: SlotSource): CompiledSource {
  const col = columnOf(layout, src.param);
  if (!('codes' in src)) return { col, scale: src.scale?.(settings) ?? 1, codes: null };
  const p: NamedParam = layout.params[col];
  if (p.spec.type !== 'categorical') throw familyConfigError(layout, p.path, `kernel ${layout.kernel} reads ${src.param} as a categorical parameter`);
  const codes = new Float64Array(p.spec.choices.length);
  p.spec.choices.forEach((choice, j) => {
    const code = src.codes[String(choice)];
    if (code === undefined) {
      throw familyConfigError(layout, `${p.path}.choices`, `choice "${choice}" is not implemented by kernel ${layout.kernel}; choose from ${Object.keys(src.codes).join(', ')}`);
    }
    codes[j] = code;
  });
  return { col, scale: 1, codes };
}

/** What a ts family's evaluator and live strategy share: the kernel's data, settings, parameter slots, workspace and row decoder. */
interface TsSetup {
  readonly data: TsData;
  readonly s: TsSettings;
  readonly p: Float64Array;
  readonly ws: TsWorkspace;
  readonly decode: (X: Float64Array, r: number) => void;
}

/**
 * The evaluator of a time-series family.
 * @param slots where each slot the family searches comes from
 * @param fixed values of the slots the family does not search (e.g. no fallback rule)
 */
export function createTsEvaluator(
  layout: ParamLayout,
  ctx: SimulationContext,
  slots: Readonly<Partial<Record<TsSlot, SlotSource>>>,
  fixed: Readonly<Partial<Record<TsSlot, number>>>,
): BatchEvaluator {
  const { data, s, p, ws, decode } = tsSetup(layout, ctx, slots, fixed);
  return rowEvaluator(layout, ws, decode, (F, offset) => tsPortfolio(data, s, p, ws, F, offset));
}

/** The live strategy of a time-series family (`FamilyModule.createLive`): the kernel's decisions one ticker and close at a time. */
export function createTsLive(
  layout: ParamLayout,
  ctx: SimulationContext,
  slots: Readonly<Partial<Record<TsSlot, SlotSource>>>,
  fixed: Readonly<Partial<Record<TsSlot, number>>>,
): LiveStrategy {
  const { data, s, p, ws, decode } = tsSetup(layout, ctx, slots, fixed);
  return {
    layout,
    assetClass: data.assetClass,
    select(row) {
      decode(row, 0);
      tsSelect(data, s, p, ws);
    },
    decide: (k, t, out, blocked, book) => tsDecision(data, s, p, ws, k, t, blocked, book, out),
    stopDistance: (k, t) => (p[TsParam.trailingStop] === Switch.on ? p[TsParam.stopAtrMult] * ws.atr[k * data.T + t] : NaN),
    slippage: (k, t, notional, vol) => tsSlippage(data, p, k, t, notional, vol),
  };
}

function tsSetup(
  layout: ParamLayout,
  ctx: SimulationContext,
  slots: Readonly<Partial<Record<TsSlot, SlotSource>>>,
  fixed: Readonly<Partial<Record<TsSlot, number>>>,
): TsSetup {
  const { panel, derived, forecasts, settings } = ctx;
  if (forecasts === null) throw new Error(`family ${layout.family} needs forecast columns in its context`);
  const K = panel.tickers.length;
  const T = panel.T;
  const compiled: CompiledSlot[] = Object.entries(slots).map(([name, src]) => ({ slot: TsParam[name as TsSlot], ...compileSource(layout, settings, src) }));
  const weightCols = forecasts.models.map((m) => columnOf(layout, weightParam(m)));
  // Each model's switch as a `Switch` code per choice index (a categorical: `codes` is never null).
  const useCodes = forecasts.models.map((m) => compileSource(layout, settings, { param: useParam(m), codes: Switch }));
  const atrCol = columnOf(layout, ATR_WINDOW_PARAM);
  const data: TsData = {
    K, T, open: panel.open, high: panel.high, low: panel.low, close: panel.close, volume: panel.volume,
    M: forecasts.models.length, mu: forecasts.mu, sigma: forecasts.sigma,
    logRet: derived.logRet, localPrefixClose: derived.localPrefixClose, localPrefixClose2: derived.localPrefixClose2,
    localPrefixLogRet: derived.localPrefixLogRet, localPrefixLogRet2: derived.localPrefixLogRet2,
    assetClass: derived.assetClass, classes: derived.classes, noStopDistance: new Float64Array(K * T),
  };
  const s: TsSettings = {
    start: settings.start, end: settings.end, fee: settings.fee, initial: settings.initialCapital, periodsPerYear: settings.periodsPerYear,
    minExpectedReturn: settings.minExpectedReturn, zConfidence: normalQuantile(settings.confidenceThreshold),
    capitalAtRiskPerTrade: settings.capitalAtRiskPerTrade, maxGrossExposure: settings.maxGrossExposure,
    noStopSigmaMult: settings.noStopAdverseMoveSd * Math.sqrt(settings.noStopHorizonBars), noStopVolLookback: settings.noStopVolLookback,
    correlationLookback: settings.correlationLookback, covLookback: settings.riskParity.covLookback, shrinkage: settings.riskParity.shrinkage,
    rpMaxIterations: settings.riskParity.maxIterations, rpTolerance: settings.riskParity.tolerance,
  };
  const d = layout.params.length;
  const M = forecasts.models.length;
  const p = new Float64Array(basketSlot(M, K));
  for (const [name, v] of Object.entries(fixed)) p[TsParam[name as TsSlot]] = v;
  // Without basket columns every ticker is in; with them (sorted by ticker), they must be this panel's.
  const basket = layout.basket;
  const basketCol = Int32Array.from(panel.tickers, (t) => (basket === null ? -1 : basket.first + basket.tickers.indexOf(t)));
  if (basket !== null && (basket.tickers.length !== K || basketCol.some((c) => c < basket.first))) {
    throw new Error(`family ${layout.family}: the layout's basket (${basket.tickers.join(', ')}) is not the panel's tickers (${panel.tickers.join(', ')})`);
  }
  for (let k = 0; k < K; k++) p[basketSlot(M, k)] = 1;
  const ws = createTsWorkspace(K, T, forecasts.models.length, derived.classes, ACC_SIZE);
  fillNoStopDistance(data, s, ws);
  // The ATR column of each allowed window: views of the shared columns, made here once, so a
  // candidate only picks one. Outside the range (or NaN: stops off) it gets an all-NaN column.
  const atr = ctx.atr;
  if (atr === null) throw familyConfigError(layout, layout.params[atrCol].path, `kernel ${layout.kernel} reads ${ATR_WINDOW_PARAM} as an int parameter`);
  const atrViews = Array.from({ length: atr.count }, (_, j) => atr.columns.subarray(j * K * T, (j + 1) * K * T));
  const noAtr = new Float64Array(K * T).fill(NaN);
  const decode = (X: Float64Array, r: number): void => {
    const base = r * d;
    for (const c of compiled) {
      const v = X[base + c.col];
      p[c.slot] = c.codes !== null ? (v === v ? c.codes[v] : NaN) : v * c.scale;
    }
    for (let m = 0; m < weightCols.length; m++) {
      const use = useCodes[m];
      const w = X[base + weightCols[m]];
      // An excluded model weighs 0, and so does a weight without a value (NaN: its `when` does not
      // hold): the kernel sees no NaN weight, and normalises over the models with weight > 0.
      p[TsParam.weights + m] = use.codes![X[base + use.col]] === Switch.on && w === w ? w : 0;
    }
    if (basket !== null) for (let k = 0; k < K; k++) p[basketSlot(M, k)] = X[base + basketCol[k]] === BASKET_IN ? 1 : 0;
    ws.atr = atrViews[X[base + atrCol] - atr.low] ?? noAtr;
  };
  return { data, s, p, ws, decode };
}
