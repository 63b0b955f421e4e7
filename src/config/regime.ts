/** `config/regime_config.yml`: thresholds that bucket market states into regimes. */
import { z } from 'zod';
import { fraction, int, num } from './schema-helpers.js';

export const RegimeConfig = z.strictObject({
  regimes: z.strictObject({
    trend: z.strictObject({ lookback: int(2, 1e6), bull_min_return: num(-1, 1), bear_max_return: num(-1, 1) }),
    volatility: z.strictObject({ lookback: int(2, 1e6), high_vol_quantile: fraction() }),
    drift: z.strictObject({ psi_bins: int(2, 1000), psi_eps: num(0, 1, { exclusiveMin: true }), psi_threshold: num(0, Infinity) }),
  }),
});
export type RegimeConfig = z.infer<typeof RegimeConfig>;
