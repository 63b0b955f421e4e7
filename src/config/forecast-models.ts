/**
 * The `forecast_models` block of `config/strategy_optimization_config.yml`: which causal forecast
 * columns to compute (src/simulation/forecast-columns.ts) and each model's orders, history and
 * refit schedule. A model whose block is absent is not computed. Shapes and bounds only; the
 * numbers live in the YAML.
 */
import { z } from 'zod';
import { int, num } from './schema-helpers.js';

/** Exogenous regressors the ARX model can use; each is the value at bar t, known at bar t. */
export const EXOG_NAMES = ['log_volume_change', 'range'] as const;
export type ExogName = (typeof EXOG_NAMES)[number];

const every = int(1, Infinity);

/**
 * When to refit: every `every` bars from the first forecast bar, on the latest `window` values of
 * the model's input series (`rolling`) or on all values so far (`expanding`).
 */
const Refit = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('rolling'), window: int(2, Infinity), every }),
  z.strictObject({ mode: z.literal('expanding'), every }),
]);
export type RefitConfig = z.infer<typeof Refit>;

/** Bars (t + 1 at bar t) before a model makes its first forecast. */
const minHistory = int(2, Infinity);

/** Input series of the SSA models: next-bar log returns directly, or log closes then differenced. */
const SsaSeries = z.enum(['log_return', 'log_close']);
export type SsaSeries = z.infer<typeof SsaSeries>;

/** Values of the input series that the first fit sees: returns start at bar 1, closes at bar 0. */
function firstFitLength(minHist: number, refit: RefitConfig, startsAtBar: number): number {
  const available = minHist - startsAtBar;
  return refit.mode === 'rolling' ? Math.min(refit.window, available) : available;
}

type Ctx = z.core.$RefinementCtx<unknown>;

function needHistory(ctx: Ctx, have: number, need: number, why: string): void {
  if (have < need) {
    ctx.addIssue({
      code: 'custom',
      path: ['min_history'],
      message: `the first fit sees ${have} values (min_history and refit.window) but ${why} needs at least ${need}`,
    });
  }
}

const Sarimax = z
  .strictObject({
    min_history: minHistory,
    refit: Refit,
    ar_order: int(0, Infinity),
    seasonal_period: int(2, Infinity),
    seasonal_order: int(0, Infinity),
    exog: z.array(z.enum(EXOG_NAMES)),
    /** λ added to the diagonal of the normal equations; keeps the fit defined on flat inputs. */
    ridge: num(0, Infinity),
  })
  .superRefine((m, ctx) => {
    if (new Set(m.exog).size !== m.exog.length) {
      ctx.addIssue({ code: 'custom', path: ['exog'], message: `expected distinct names, got ${JSON.stringify(m.exog)}` });
    }
    if (m.seasonal_order > 0 && m.seasonal_period <= m.ar_order) {
      ctx.addIssue({
        code: 'custom',
        path: ['seasonal_period'],
        message: `expected more than ar_order (${m.ar_order}) so seasonal lags do not repeat AR lags, got ${m.seasonal_period}`,
      });
    }
    const k = 1 + m.ar_order + m.seasonal_order + m.exog.length;
    const maxLag = Math.max(m.ar_order, m.seasonal_order * m.seasonal_period, 1);
    needHistory(ctx, firstFitLength(m.min_history, m.refit, 1), maxLag + k + 1, `${k} coefficients with max lag ${maxLag}`);
  });

const Ssa = z
  .strictObject({
    min_history: minHistory,
    refit: Refit,
    series: SsaSeries,
    /** SSA window length L (embedding dimension). */
    window_length: int(2, Infinity),
    /** Leading components r kept for the reconstruction and the LRR. */
    components: int(1, Infinity),
  })
  .superRefine((m, ctx) => {
    if (m.components >= m.window_length) {
      ctx.addIssue({
        code: 'custom',
        path: ['components'],
        message: `expected fewer than window_length (${m.window_length}) components, got ${m.components}`,
      });
    }
    const startsAt = m.series === 'log_return' ? 1 : 0;
    needHistory(ctx, firstFitLength(m.min_history, m.refit, startsAt), m.window_length, `window_length ${m.window_length}`);
  });

const Garch = z
  .strictObject({
    min_history: minHistory,
    refit: Refit,
    /** Iteration cap of the likelihood maximisation. */
    max_iter: int(1, Infinity),
    /** Convergence tolerance of the likelihood maximisation. */
    tol: num(0, Infinity, { exclusiveMin: true }),
  })
  .superRefine((m, ctx) => {
    // More returns than parameters (mu, omega, alpha, beta), or the fit is not identified.
    const params = 4;
    needHistory(ctx, firstFitLength(m.min_history, m.refit, 1), params + 1, `GARCH(1,1) with ${params} parameters`);
  });

export const ForecastModelsConfig = z
  .strictObject({
    sarimax: Sarimax.optional(),
    samossa: Ssa.optional(),
    /** Multichannel SSA across the panel's tickers. */
    mssa_rl: Ssa.optional(),
    garch: Garch.optional(),
  })
  .superRefine((c, ctx) => {
    if (Object.values(c).every((m) => m === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected at least one of sarimax, samossa, mssa_rl, garch' });
    }
  });
export type ForecastModelsConfig = z.infer<typeof ForecastModelsConfig>;
