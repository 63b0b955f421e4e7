/** Simulation settings from config, for a window of the panel. */
import type { StrategyOptimizationConfig } from '../config/strategy-optimization.js';
import type { SimulationSettings } from './context.js';

/**
 * @param feeBps overrides `simulation.fee_bps` when given (the `--fee-bps` option)
 */
export function settingsFromConfig(cfg: StrategyOptimizationConfig, start: number, end: number, feeBps?: number): SimulationSettings {
  const sim = cfg.simulation;
  return {
    initialCapital: sim.initial_capital,
    periodsPerYear: sim.periods_per_year,
    fee: (feeBps ?? sim.fee_bps) / 1e4,
    start,
    end,
  };
}
