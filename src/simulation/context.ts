/**
 * What every candidate of a batch shares: the aligned market data, columns derived from it once
 * (prefix sums of closes), and the simulation settings. Built once per worker and reused for every
 * batch; all arrays live in SharedArrayBuffers, so building it in a worker copies nothing.
 */
import { prefixSums } from '../../native-free-kernels/prefix-sum.js';
import { sharedFloat64 } from '../data/shared.js';
import type { Panel } from '../data/types.js';

export interface SimulationSettings {
  readonly initialCapital: number;
  readonly periodsPerYear: number;
  /** Fee per side as a fraction of traded notional. */
  readonly fee: number;
  /** Traded window [start, end) in bars of the panel calendar. */
  readonly start: number;
  readonly end: number;
}

export interface SimulationContext {
  readonly panel: Panel;
  /** Prefix sums of each ticker's closes, ticker k at offset k * (T + 1). */
  readonly prefixClose: Float64Array;
  readonly settings: SimulationSettings;
}

/** Derive the shared columns for `panel` (O(K T), once). */
export function derivedColumns(panel: Panel): { prefixClose: Float64Array } {
  const { T } = panel;
  const prefixClose = sharedFloat64(panel.tickers.length * (T + 1));
  for (let k = 0; k < panel.tickers.length; k++) {
    prefixSums(panel.close.subarray(k * T, (k + 1) * T), prefixClose.subarray(k * (T + 1), (k + 1) * (T + 1)), T);
  }
  return { prefixClose };
}

export function createContext(panel: Panel, settings: SimulationSettings, derived = derivedColumns(panel)): SimulationContext {
  if (!(settings.start >= 0 && settings.start < settings.end && settings.end <= panel.T)) {
    throw new RangeError(`window [${settings.start}, ${settings.end}) does not fit ${panel.T} bars`);
  }
  return { panel, prefixClose: derived.prefixClose, settings };
}
