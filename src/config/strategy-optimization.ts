/**
 * `config/strategy_optimization_config.yml`: the simulator's settings, the forecast models, shared
 * parameter groups and the strategy families with their search spaces.
 */
import { z } from 'zod';
import { DATE_FLAGS, parseIsoDate } from './dates.js';
import { OptimizerSettings } from './optimizer-settings.js';
import { ForecastModelsConfig } from './forecast-models.js';
import { int, name, num, showValue } from './schema-helpers.js';
import { ParamSpace } from './search-space.js';

export { DATE_FLAGS, parseIsoDate } from './dates.js';

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
  /**
   * The safe configuration served when no cached optimum can be (`pnlopt best`): every active
   * parameter by name, inside the family's space (checked when it is served).
   */
  baseline: z.record(name(), z.union([z.number(), z.string()])).optional(),
  /** Whether the family searches its basket: an on/off dimension per loaded ticker (`basket`), when more than one is loaded. */
  basket: z.boolean().default(false),
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

const dateError = (iss: { input?: unknown }) => `expected a date YYYY-MM-DD or null, got ${showValue(iss.input)}`;
/** A date key of `evaluation:`; null stands for the data's own bound. */
const OptionalDate = z
  .string({ error: dateError })
  .refine((s) => parseIsoDate(s) !== undefined, { error: dateError })
  .nullable()
  .default(null);

export const EvaluationSettings = z
  .strictObject({
    /** Share of the evaluation window kept back as the later hold-out (forward) period, when `holdout_start` is null. */
    hold_out_fraction: num(0, 1, { exclusiveMin: true }),
    /** Bars before the evaluation window's start used only to warm up indicators and models. */
    warmup_bars: int(0, 1e9),
    /** First date of the evaluation window; null: the first bar after the warm-up (optimize), the first bar (evaluate, backtest). */
    start: OptionalDate,
    /** Last date of the evaluation window (inclusive); null: the last bar. */
    end: OptionalDate,
    /** First date of the hold-out window; null: the last `hold_out_fraction` of the evaluation window. */
    holdout_start: OptionalDate,
  })
  .superRefine((e, ctx) => {
    // Only what the dates alone decide; windows.ts checks them against the data.
    const after = (key: 'end' | 'holdout_start', earlier: string, strict: boolean) =>
      ctx.addIssue({
        code: 'custom',
        path: [key],
        input: e[key],
        message: `expected a date ${strict ? 'after' : 'on or after'} evaluation.start (${earlier}), got ${e[key]} (${DATE_FLAGS[key]} and ${DATE_FLAGS.start} set these keys)`,
      });
    if (e.start !== null && e.end !== null && e.end < e.start) after('end', e.start, false);
    if (e.start !== null && e.holdout_start !== null && e.holdout_start <= e.start) after('holdout_start', e.start, true);
    if (e.end !== null && e.holdout_start !== null && e.holdout_start > e.end) {
      ctx.addIssue({
        code: 'custom',
        path: ['holdout_start'],
        input: e.holdout_start,
        message: `expected a date on or before evaluation.end (${e.end}), got ${e.holdout_start} (${DATE_FLAGS.holdout_start} and ${DATE_FLAGS.end} set these keys)`,
      });
    }
  });

export const StrategyOptimizationConfig = z.strictObject({
  simulation: SimulationSettings,
  evaluation: EvaluationSettings,
  forecast_models: ForecastModelsConfig,
  optimizer: OptimizerSettings,
  /** Ticker -> asset class, for per-asset-class caps; tickers not listed use `default_asset_class`. */
  asset_classes: z.strictObject({ default_asset_class: name(), tickers: z.record(z.string(), name()) }),
  diversification: z.strictObject({
    correlation_lookback: int(2, 1e6),
    /** The risk-parity sizing rule: covariance window, shrinkage to its diagonal, solver sweeps and tolerance. */
    risk_parity: z.strictObject({
      cov_lookback: int(2, 1e6),
      shrinkage: num(0, 1),
      max_iterations: int(1, 1e6),
      tolerance: num(0, 1, { exclusiveMin: true }),
    }),
  }),
  /** Basket choice: how many tickers a candidate trades, in all and per asset class. */
  basket: z
    .strictObject({
      min_size: int(1, 1e6),
      /** null: every loaded ticker. */
      max_size: int(1, 1e6).nullable(),
      max_per_asset_class: z.record(name(), int(1, 1e6)),
    })
    .superRefine((b, ctx) => {
      if (b.max_size !== null && b.max_size < b.min_size) {
        ctx.addIssue({ code: 'custom', path: ['max_size'], input: b.max_size, message: `expected null or at least min_size (${b.min_size}), got ${b.max_size}` });
      }
    }),
  param_groups: z.record(name(), ParamSpace),
  families: z.record(name(), Family),
  /** The strategy cache's lifecycle: when a cached optimum is stale, and the recent window it must still pass on. */
  cache: z.strictObject({
    max_age_days: num(0, Infinity, { exclusiveMin: true }),
    max_data_lag_bars: int(0, 1e9),
    recent_bars: int(2, 1e9),
  }),
});
export type StrategyOptimizationConfig = z.infer<typeof StrategyOptimizationConfig>;
