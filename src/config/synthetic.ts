/**
 * Schema of config/synthetic_data_config.yml: the synthetic market generator's regimes, factor
 * structure, bar shape and volume. Bounds only; every value lives in the YAML file.
 */
import { z } from 'zod';

/** `{ min, max }` with min <= max, both within `bound`. */
function range(bound: z.ZodNumber) {
  return z
    .strictObject({ min: bound, max: bound })
    .refine((r) => r.min <= r.max, { message: 'min must be <= max', path: ['max'] });
}

const probability = z.number().min(0).max(1);
/** A ticker's loading b on the common factor: its shock is b f + sqrt(1 - b^2) e, so |b| <= 1. */
export const FactorLoading = z.number().min(-1).max(1);
/** Mean daily log return of a trend regime. */
const trendRegime = z.strictObject({ daily_drift: z.number().min(-0.05).max(0.05) });
/** Daily log-return standard deviation of a volatility regime. */
const volRegime = z.strictObject({ daily_vol: z.number().gt(0).max(0.2) });

export const SyntheticDataConfig = z.strictObject({
  /** First bar's date (YYYY-MM-DD); a weekend date starts on the next Monday. */
  start_date: z.iso.date(),
  /** Each ticker's first reference close, drawn uniformly from the range. */
  start_price: range(z.number().gt(0).max(1e6)),
  trend: z
    .strictObject({
      /** Probability the trend regime carries over to the next bar; otherwise it moves to one of the other two at random. */
      persistence: probability,
      bull: trendRegime,
      bear: trendRegime,
      sideways: trendRegime,
    })
    .refine((t) => t.bull.daily_drift > t.sideways.daily_drift && t.sideways.daily_drift > t.bear.daily_drift, {
      message: 'drifts must be ordered bull > sideways > bear',
    }),
  volatility: z
    .strictObject({
      /** Probability the volatility regime carries over to the next bar. */
      persistence: probability,
      low: volRegime,
      high: volRegime,
    })
    .refine((v) => v.high.daily_vol > v.low.daily_vol, { message: 'high.daily_vol must exceed low.daily_vol' }),
  market: z.strictObject({
    /** Return correlation of two tickers with beta 1 through the common market factor. */
    correlation: probability,
    /** Each ticker's loading on the market factor, drawn uniformly from the range. */
    beta: range(z.number().min(0).max(5)),
  }),
  factor: z.strictObject({
    /** One loading per ticker on one common factor, replacing the market model; null keeps the market model. */
    loadings: z.array(FactorLoading).min(1).nullable(),
  }),
  bar_shape: z.strictObject({
    /** Overnight gap (open vs previous close) standard deviation, as a multiple of the regime's daily vol. */
    gap_vol_ratio: z.number().min(0).max(2),
    /** Scale of the high above max(open, close) and the low below min(open, close), times the daily vol. */
    range_vol_ratio: z.number().min(0).max(5),
  }),
  volume: z.strictObject({
    /** Median volume in the low-volatility regime. */
    base: z.number().gt(0).max(1e12),
    /** Volume scales with (regime vol / low vol) ^ vol_elasticity. */
    vol_elasticity: z.number().min(0).max(5),
    /** Standard deviation of the log-normal noise on volume. */
    noise: z.number().min(0).max(2),
  }),
  /** The basket `pnlopt demo` synthesizes to show the correlated-exposure penalty and risk parity (src/jobs/basket-demo.ts). */
  demo_basket: z.strictObject({
    loadings: z.array(FactorLoading).min(2),
    bars: z.number().int().min(2).max(1e6),
    seed: z.number().int().min(0),
    /** The diversification_penalty and risk_parity_gross the demo trades the baseline with. */
    penalty: z.number().gt(0).max(100),
    risk_parity_gross: z.number().gt(0).max(10),
  }),
});
export type SyntheticDataConfig = z.infer<typeof SyntheticDataConfig>;
