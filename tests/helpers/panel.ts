/** Small in-memory panels for simulator tests. */
import { toShared } from '../../src/data/shared.js';
import type { Panel } from '../../src/data/types.js';
import { settingsFromConfig } from '../../src/simulation/build-context.js';
import { createContext, derivedColumns, type SimulationContext, type SimulationSettings } from '../../src/simulation/context.js';
import { testConfig } from './config.js';

/** A one-ticker panel from open/close (high/low bracket them, unit volume, daily timestamps). */
export function panelFromOpenClose(open: readonly number[], close: readonly number[], ticker = 'TEST'): Panel {
  const T = close.length;
  return {
    tickers: [ticker],
    T,
    time: toShared(Array.from({ length: T }, (_, t) => Date.UTC(2020, 0, 1) + t * 86_400_000)),
    open: toShared(open),
    high: toShared(open.map((o, t) => Math.max(o, close[t]))),
    low: toShared(open.map((o, t) => Math.min(o, close[t]))),
    close: toShared(close),
    volume: toShared(new Array<number>(T).fill(1)),
  };
}

/** A seeded geometric random walk of `T` bars (opens gap from the previous close). */
export function randomWalk(T: number, rand: () => number, vol = 0.02): { open: number[]; close: number[] } {
  const open: number[] = [];
  const close: number[] = [];
  let c = 100;
  for (let t = 0; t < T; t++) {
    const o = c * Math.exp(vol * 0.3 * (rand() - 0.5));
    c = o * Math.exp(vol * (rand() - 0.5) * 2);
    open.push(o);
    close.push(c);
  }
  return { open, close };
}

/** An sma_cross context on `panel` (no forecasts, no ATR), settings from config overridden by `over`. */
export function contextFor(panel: Panel, over: Partial<SimulationSettings> = {}): SimulationContext {
  const cfg = testConfig();
  const derived = derivedColumns(panel, { assetClassOf: () => 'equity' });
  return createContext(panel, derived, null, null, { ...settingsFromConfig(cfg, 0, panel.T), ...over });
}
