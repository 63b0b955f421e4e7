/**
 * `config/strategy_optimization_config.yml`: the simulator's settings, the forecast models, shared
 * parameter groups and the strategy families with their search spaces.
 */
import { z } from 'zod';
import { OptimizerSettings } from './optimizer-settings.js';
import { ForecastModelsConfig } from './forecast-models.js';
import { int, name, num } from './schema-helpers.js';
import { ParamSpace } from './search-space.js';

const PairConstraint = z.strictObject({
  lhs: name(),
  op: z.enum(['<', '<=', '>', '>=']),
  rhs: name(),
});
export type PairConstraint = z.infer<typeof PairConstraint>;

const Family = z.strictObject({
  description: z.string().optional(),
  /** A kernel of the family registry (src/simulation/families); checked against it when the config is used. */
  kernel: name(),
  /** Names of `param_groups` whose parameters this family also searches. */
  groups: z.array(name()).default([]),
  params: ParamSpace,
  /** Relations between two numeric parameters that every candidate must satisfy. */
  constraints: z.array(PairConstraint).default([]),
});
export type FamilyConfig = z.infer<typeof Family>;

export const SimulationSettings = z.strictObject({
  initial_capital: num(0, Infinity, { exclusiveMin: true }),
  periods_per_year: num(0, Infinity, { exclusiveMin: true }),
  /** Default fee per side in basis points of traded notional (market fact, not searched). */
  fee_bps: num(0, 10_000),
  /** Largest sum of |position weight| across a basket (1 = no leverage). */
  max_gross_exposure: num(0, Infinity, { exclusiveMin: true }),
});

export const EvaluationSettings = z.strictObject({
  /** Share of the evaluation window kept back as the later hold-out (forward) period. */
  hold_out_fraction: num(0, 1, { exclusiveMin: true }),
  /** Bars at the start of the window used only to warm up indicators and models. */
  warmup_bars: int(0, 1e9),
});

export const StrategyOptimizationConfig = z.strictObject({
  simulation: SimulationSettings,
  evaluation: EvaluationSettings,
  forecast_models: ForecastModelsConfig,
  optimizer: OptimizerSettings,
  /** Ticker -> asset class, for per-asset-class caps; tickers not listed use `default_asset_class`. */
  asset_classes: z.strictObject({ default_asset_class: name(), tickers: z.record(z.string(), name()) }),
  diversification: z.strictObject({ correlation_lookback: int(2, 1e6) }),
  param_groups: z.record(name(), ParamSpace),
  families: z.record(name(), Family),
});
export type StrategyOptimizationConfig = z.infer<typeof StrategyOptimizationConfig>;
