/**
 * What every candidate of a batch shares: the aligned market data, columns derived from it once,
 * the forecast columns (time-series families), and batch-wide settings and guardrails. Built once
 * per data set and window; every array lives in a SharedArrayBuffer, so structured-cloning a
 * context into a worker shares the memory instead of copying it.
 */
import { atr } from '../../native-free-kernels/stats/atr.js';
import { localPrefixLength, localPrefixSums, localReturnPrefixes, prefixSums } from '../../native-free-kernels/stats/prefix-sum.js';
import { logReturns } from '../../native-free-kernels/stats/returns.js';
import { sharedFloat64 } from '../data/shared.js';
import type { Panel } from '../data/types.js';
import type { ForecastColumns } from './forecast-columns.js';

export interface SimulationSettings {
  readonly initialCapital: number;
  readonly periodsPerYear: number;
  /** Fee per side as a fraction of traded notional. */
  readonly fee: number;
  /** Traded window [start, end) in bars of the panel calendar. */
  readonly start: number;
  readonly end: number;
  readonly maxGrossExposure: number;
  /** Read-only guardrails (signal_routing.time_series). */
  readonly minExpectedReturn: number;
  readonly confidenceThreshold: number;
  readonly capitalAtRiskPerTrade: number;
  /** Risk model of a position without a stop: adverse move k (in sigmas) over h bars, sigma from L log returns. */
  readonly noStopAdverseMoveSd: number;
  readonly noStopHorizonBars: number;
  readonly noStopVolLookback: number;
  /** Log returns in the correlations of the correlated-exposure penalty (diversification.correlation_lookback). */
  readonly correlationLookback: number;
  /** The risk-parity sizing rule's covariance and solver (diversification.risk_parity). */
  readonly riskParity: RiskParitySettings;
}

export interface RiskParitySettings {
  /** Log returns in the covariance. */
  readonly covLookback: number;
  /** Weight of the covariance's diagonal in the shrunk matrix, in [0, 1]. */
  readonly shrinkage: number;
  /** Solver sweeps allowed, and the relative spread of risk contributions at which it stops. */
  readonly maxIterations: number;
  readonly tolerance: number;
}

/** Columns derived from the panel once; per ticker k, prefix columns start at k * (T + 1). */
export interface DerivedColumns {
  readonly prefixClose: Float64Array;
  /** Block-local prefix sums of the closes and what rounding each entry dropped (`localPrefixSums`; ticker k from k * localPrefixLength(T)). */
  readonly localPrefixClose: Float64Array;
  readonly localPrefixCloseLo: Float64Array;
  /** Log returns r_t = ln(C_t / C_{t-1}) (r_0 = 0), ticker-major (K * T). */
  readonly logRet: Float64Array;
  /** Block-local prefix sums (`localPrefixSums`, ticker k from k * localPrefixLength(T)) of squared closes, log returns and their squares. */
  readonly localPrefixClose2: Float64Array;
  readonly localPrefixLogRet: Float64Array;
  readonly localPrefixLogRet2: Float64Array;
  /** Block-local prefix sums of simple returns C_t / C_{t-1} - 1, their squares and squared negative parts (`localReturnPrefixes`). */
  readonly localPrefixSimpleRet: Float64Array;
  readonly localPrefixSimpleRet2: Float64Array;
  readonly localPrefixSimpleDown2: Float64Array;
  /** Asset class index per ticker, and the number of classes. */
  readonly assetClass: Int32Array;
  readonly classes: number;
}

/** Wilder ATR of every ticker for each window in [low, low + count), window-major then ticker-major. */
export interface AtrColumns {
  readonly low: number;
  readonly count: number;
  readonly columns: Float64Array;
}

export interface SimulationContext {
  readonly panel: Panel;
  readonly derived: DerivedColumns;
  readonly forecasts: ForecastColumns | null;
  /** ATR columns for the windows a family's stops may use; null when it has no ATR window. */
  readonly atr: AtrColumns | null;
  readonly settings: SimulationSettings;
}

export interface DerivedOptions {
  /** Asset class name of each ticker. */
  assetClassOf: (ticker: string) => string;
}

/** Derive the shared columns for `panel` (O(K T), once per data set). */
export function derivedColumns(panel: Panel, opts: DerivedOptions): DerivedColumns {
  const { T } = panel;
  const K = panel.tickers.length;
  const prefixClose = sharedFloat64(K * (T + 1));
  const localPrefixClose = sharedFloat64(K * localPrefixLength(T));
  const localPrefixCloseLo = sharedFloat64(K * localPrefixLength(T));
  const localPrefixClose2 = sharedFloat64(K * localPrefixLength(T));
  const localPrefixLogRet = sharedFloat64(K * localPrefixLength(T));
  const localPrefixLogRet2 = sharedFloat64(K * localPrefixLength(T));
  const logRet = sharedFloat64(K * T);
  const localPrefixSimpleRet = sharedFloat64(K * localPrefixLength(T));
  const localPrefixSimpleRet2 = sharedFloat64(K * localPrefixLength(T));
  const localPrefixSimpleDown2 = sharedFloat64(K * localPrefixLength(T));
  const scratch = new Float64Array(T);
  for (let k = 0; k < K; k++) {
    const close = panel.close.subarray(k * T, (k + 1) * T);
    const pre = (a: Float64Array) => a.subarray(k * (T + 1), (k + 1) * (T + 1));
    prefixSums(close, pre(prefixClose), T);
    const local = (a: Float64Array) => a.subarray(k * localPrefixLength(T), (k + 1) * localPrefixLength(T));
    localPrefixSums(close, local(localPrefixClose), T, local(localPrefixCloseLo));
    for (let t = 0; t < T; t++) scratch[t] = close[t] * close[t];
    localPrefixSums(scratch, local(localPrefixClose2), T);
    localReturnPrefixes(close, local(localPrefixSimpleRet), local(localPrefixSimpleRet2), local(localPrefixSimpleDown2), scratch, T);
    const r = logRet.subarray(k * T, (k + 1) * T);
    logReturns(close, r, T);
    r[0] = 0;
    localPrefixSums(r, local(localPrefixLogRet), T);
    for (let t = 0; t < T; t++) scratch[t] = r[t] * r[t];
    localPrefixSums(scratch, local(localPrefixLogRet2), T);
  }
  const names = [...new Set(panel.tickers.map(opts.assetClassOf))];
  const assetClass = new Int32Array(new SharedArrayBuffer(K * Int32Array.BYTES_PER_ELEMENT));
  panel.tickers.forEach((tk, k) => (assetClass[k] = names.indexOf(opts.assetClassOf(tk))));
  return { prefixClose, localPrefixClose, localPrefixCloseLo, logRet, localPrefixClose2, localPrefixLogRet, localPrefixLogRet2, localPrefixSimpleRet, localPrefixSimpleRet2, localPrefixSimpleDown2, assetClass, classes: names.length };
}

/**
 * ATR columns for windows low..high (once per data set, shared memory: every worker reads the
 * same columns; K * T * count doubles). Windows longer than the series get no column: readers
 * treat a window outside [low, low + count) as an ATR that is never defined.
 */
export function atrColumns(panel: Panel, low: number, high: number): AtrColumns {
  const { T } = panel;
  const K = panel.tickers.length;
  const count = Math.max(0, Math.min(high, T) - low + 1);
  const columns = sharedFloat64(count * K * T);
  for (let j = 0; j < count; j++) {
    for (let k = 0; k < K; k++) {
      const sl = (a: Float64Array) => a.subarray(k * T, (k + 1) * T);
      atr(sl(panel.high), sl(panel.low), sl(panel.close), low + j, columns.subarray((j * K + k) * T, (j * K + k + 1) * T), T);
    }
  }
  return { low, count, columns };
}

export function createContext(
  panel: Panel,
  derived: DerivedColumns,
  forecasts: ForecastColumns | null,
  atr: AtrColumns | null,
  settings: SimulationSettings,
): SimulationContext {
  if (!(settings.start >= 0 && settings.start < settings.end && settings.end <= panel.T)) {
    throw new RangeError(`window [${settings.start}, ${settings.end}) does not fit ${panel.T} bars`);
  }
  return { panel, derived, forecasts, atr, settings };
}
