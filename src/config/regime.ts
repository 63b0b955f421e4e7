/**
 * `config/regime_config.yml`: the thresholds that bucket market states into regimes, read by the
 * regime job (src/jobs/regime.ts). Shapes and bounds only; every value lives in the YAML.
 */
import { z } from 'zod';
import { fraction, int, num } from './schema-helpers.js';

/** The dimensions a regime key can be made of, in the order the job documents them. */
export const REGIME_DIMENSIONS = ['volatility', 'trend', 'drift', 'volume'] as const;
export type RegimeDimension = (typeof REGIME_DIMENSIONS)[number];

const bars = () => int(1, 1e6);

/** Low / normal / high against quantiles of the indicator's own trailing history. */
const levelShape = {
  /** Bars of history (the current one included) the quantiles are taken over. */
  history: int(2, 1e6),
  /** Indicator values the history needs before a label is given. */
  min_history: bars(),
  low_quantile: fraction(),
  high_quantile: fraction(),
};

function checkLevels(v: { history: number; min_history: number; low_quantile: number; high_quantile: number }, ctx: z.core.$RefinementCtx<unknown>): void {
  if (v.low_quantile > v.high_quantile) ctx.addIssue({ code: 'custom', path: ['high_quantile'], message: `expected >= low_quantile (${v.low_quantile}), got ${v.high_quantile}` });
  if (v.min_history > v.history) ctx.addIssue({ code: 'custom', path: ['min_history'], message: `expected <= history (${v.history}), got ${v.min_history}` });
}

export const RegimeConfig = z.strictObject({
  regimes: z.strictObject({
    /** Dimensions forming the regime key, in key order. */
    key: z
      .array(z.enum(REGIME_DIMENSIONS))
      .min(1)
      .refine((k) => new Set(k).size === k.length, { message: 'expected distinct dimensions' }),
    /** Bars a new regime must persist before the label switches to it. */
    min_duration: bars(),
    trend: z
      .strictObject({ lookback: bars(), bull_min_return: num(-1, 1), bear_max_return: num(-1, 1) })
      .refine((t) => t.bear_max_return < t.bull_min_return, { message: 'expected bear_max_return < bull_min_return', path: ['bear_max_return'] }),
    /** Realised volatility: sample std of the last `lookback` log returns; GARCH from forecast_models.garch. */
    volatility: z.strictObject({ lookback: int(2, 1e6), ...levelShape }).superRefine(checkLevels),
    drift: z.strictObject({
      /** Returns per window; two consecutive windows are compared. */
      window: int(2, 1e6),
      psi_bins: int(2, 1000),
      psi_eps: num(0, 1, { exclusiveMin: true }),
      psi_threshold: num(0, Infinity),
      vol_psi_threshold: num(0, Infinity),
      volatility_ratio_max: num(1, Infinity),
    }),
    /** Volume level: an EWMA of volume (alpha = 2 / (span + 1)) against its own history. */
    volume: z.strictObject({ span: bars(), ...levelShape }).superRefine(checkLevels),
  }),
});
export type RegimeConfig = z.infer<typeof RegimeConfig>;
