/**
 * `pnlopt fit`: one model fitted once on one whole series, with its parameters, log-likelihood and
 * next-step forecast. The models are the forecast columns' kernels with their settings from the
 * `forecast_models` block of the strategy config (src/config/forecast-models.ts):
 *
 * - garch: GARCH(1,1), constant mean, Gaussian innovations (`forecast_models.garch`: max_iter, tol),
 *   maximised under omega, alpha, beta > 0 only, the variance recursion started from the sample
 *   variance of the residuals (`garchFitPositive`, the convention of the published benchmark), so
 *   that a non-stationary maximum is seen and refused rather than pressed against alpha + beta < 1.
 * - arx: the ARX of the `sarimax` column (ar_order, seasonal_order, seasonal_period, ridge) on the
 *   series alone: its exogenous columns are computed from OHLCV bars, which a `--column` series
 *   does not have, and one command fits one model whatever the input. Log-likelihood: conditional
 *   Gaussian, over the regression targets, at the ML variance SSR / rows.
 * - ssa: the SSA of the `samossa` column (window_length, components); the forecast is the LRR's on
 *   the rank-r reconstruction, as at a refit bar of the column. SSA has no likelihood.
 *
 * The series: the numeric column `--column` of any CSV with a header, as given; otherwise, from an
 * OHLCV file, log returns of close (or, for ssa with `samossa.series: log_close`, log closes) of its
 * one ticker or of `--ticker`. Unlike the columns' rolling refits, the fit reads the whole series;
 * it needs at least `min_history` rows (bars or column values), what the columns wait for before
 * their first forecast.
 *
 * Outcomes: a result; a failed fit (`FitFailure`: not converged, non-stationary, no LRR), which the
 * CLI reports with exit 1; or an `InputError` (too short or constant series, bad file) for exit 2.
 */
import type { ForecastModelsConfig } from '../config/forecast-models.js';
import { loadMarketData } from '../data/load.js';
import { readNumericColumn } from '../data/numeric-column.js';
import { InputError, UsageError } from '../errors.js';
import { displayPath } from '../paths.js';
import { arxCoefficientCount, arxFit, arxMaxLag, arxPredict, createArxWorkspace, type ArxOrders } from '../../native-free-kernels/forecast/arx.js';
import { BfgsStatus } from '../../native-free-kernels/forecast/bfgs.js';
import { createGarchWorkspace, garchConverged, garchFilter, garchFitPositive, GarchInit } from '../../native-free-kernels/forecast/garch.js';
import { createSsaWorkspace, lrrForecast, lrrResidualRms, ssaFit, ssaReconstructTail } from '../../native-free-kernels/forecast/ssa.js';
import { logReturns } from '../../native-free-kernels/stats/returns.js';

export const FIT_MODELS = ['garch', 'arx', 'ssa'] as const;
export type FitModel = (typeof FIT_MODELS)[number];

/** The `forecast_models` entry each model takes its settings from. */
export const FIT_MODEL_CONFIG = { garch: 'garch', arx: 'sarimax', ssa: 'samossa' } as const satisfies Record<FitModel, keyof ForecastModelsConfig>;

/** What the fitted series is. */
export type SeriesKind = 'column' | 'log_return' | 'log_close';

export interface FitSeries {
  /** The file as given on the command line, shown relative to the working directory when inside it. */
  readonly file: string;
  /** `--column`, or null for an OHLCV file. */
  readonly column: string | null;
  /** The ticker of an OHLCV file, or null for a column. */
  readonly ticker: string | null;
  readonly kind: SeriesKind;
  readonly values: Float64Array;
  /** Rows of the input (bars or column values): what `min_history` counts. */
  readonly rows: number;
}

export interface FitSource {
  readonly file: string;
  readonly column?: string;
  readonly ticker?: string;
}

/** Where the series came from, for messages: `FILE column NAME` or `FILE ticker T`. */
export function seriesLabel(s: Pick<FitSeries, 'file' | 'column' | 'ticker'>): string {
  return s.column !== null ? `${s.file} column ${JSON.stringify(s.column)}` : `${s.file} ticker ${s.ticker}`;
}

/**
 * The series `model` is fitted on (see the file header).
 * @throws InputError for an unreadable or invalid file, a missing column or ticker, or too few rows
 */
export function loadFitSeries(model: FitModel, source: FitSource, cfg: ForecastModelsConfig): FitSeries {
  const settings = modelSettings(model, cfg);
  const file = displayPath(source.file);
  let series: FitSeries;
  if (source.column !== undefined) {
    if (source.ticker !== undefined) throw new UsageError('--ticker picks a ticker of an OHLCV file; with --column the series is the column as given');
    const values = readNumericColumn(source.file, source.column, '--data');
    series = { file, column: source.column, ticker: null, kind: 'column', values, rows: values.length };
  } else {
    const data = loadMarketData([source.file]);
    const names = data.series.map((s) => s.ticker);
    const picked = source.ticker !== undefined ? data.series.find((s) => s.ticker === source.ticker) : data.series.length === 1 ? data.series[0] : undefined;
    if (picked === undefined) {
      const why = source.ticker !== undefined ? `no ticker ${JSON.stringify(source.ticker)}` : `${names.length} tickers; pick one with --ticker`;
      throw new UsageError(`--data ${file}: ${why} (its tickers: ${names.join(', ')})`);
    }
    const kind: SeriesKind = model === 'ssa' && cfg.samossa?.series === 'log_close' ? 'log_close' : 'log_return';
    const n = picked.n;
    let values: Float64Array;
    if (kind === 'log_close') values = picked.close.map(Math.log);
    else {
      const r = new Float64Array(n);
      logReturns(picked.close, r, n);
      values = r.subarray(1); // r[0] is NaN: there is no return before the first close
    }
    series = { file, column: null, ticker: picked.ticker, kind, values, rows: n };
  }
  const need = settings.min_history;
  if (series.rows < need) {
    const what = series.column !== null ? 'values' : 'bars';
    throw new InputError(`${seriesLabel(series)}: ${series.rows} ${what}; a ${model} fit needs at least ${need} (forecast_models.${FIT_MODEL_CONFIG[model]}.min_history)`);
  }
  return series;
}

function modelSettings<M extends FitModel>(model: M, cfg: ForecastModelsConfig): NonNullable<ForecastModelsConfig[(typeof FIT_MODEL_CONFIG)[M]]> {
  const settings = cfg[FIT_MODEL_CONFIG[model]];
  if (settings === undefined) {
    throw new UsageError(`the config has no forecast_models.${FIT_MODEL_CONFIG[model]} block; fit --model ${model} takes its settings there`);
  }
  return settings as NonNullable<ForecastModelsConfig[(typeof FIT_MODEL_CONFIG)[M]]>;
}

/** What every result holds about its input. */
interface FitInput {
  readonly file: string;
  readonly column: string | null;
  readonly ticker: string | null;
  readonly series: SeriesKind;
  /** Values fitted. */
  readonly n: number;
}

export interface GarchFitResult extends FitInput {
  readonly model: 'garch';
  readonly mu: number;
  readonly omega: number;
  readonly alpha: number;
  readonly beta: number;
  readonly loglik: number;
  /** alpha + beta, < 1. */
  readonly persistence: number;
  /** Unconditional variance omega / (1 - persistence). */
  readonly unconditional_variance: number;
  /** h_{n+1}: the conditional variance of the next value, given the whole series. */
  readonly next_variance: number;
  /** The next value's mean forecast (mu). */
  readonly forecast: number;
}

export interface ArxFitResult extends FitInput {
  readonly model: 'arx';
  readonly ar_order: number;
  readonly seasonal_order: number;
  readonly seasonal_period: number;
  readonly ridge: number;
  readonly intercept: number;
  /** a_1..a_p. */
  readonly ar: number[];
  /** b_1..b_P (lags s, 2s, ..). */
  readonly seasonal: number[];
  /** Residual standard deviation sqrt(SSR / (rows − coefficients)). */
  readonly sigma: number;
  readonly loglik: number;
  readonly forecast: number;
}

export interface SsaFitResult extends FitInput {
  readonly model: 'ssa';
  readonly window_length: number;
  readonly components: number;
  /** ν², the LRR's verticality coefficient (< 1). */
  readonly nu2: number;
  /** LRR coefficients on the L − 1 latest values, oldest first. */
  readonly lrr: number[];
  /** RMS of the one-step LRR errors on the observed series. */
  readonly sigma: number;
  /** SSA is not a likelihood model. */
  readonly loglik: null;
  readonly forecast: number;
}

export type FitResult = GarchFitResult | ArxFitResult | SsaFitResult;

/** A fit that gave no usable result: why, in words, naming the series. */
export interface FitFailure {
  readonly model: FitModel;
  readonly reason: string;
}

export type FitOutcome = { readonly ok: true; readonly result: FitResult } | { readonly ok: false; readonly failure: FitFailure };

/** What `BfgsStatus` codes mean, for a failed fit's message. */
const BFGS_STATUS_TEXT: Readonly<Record<BfgsStatus, string>> = {
  [BfgsStatus.Converged]: 'converged',
  [BfgsStatus.Precision]: 'converged to the precision of the likelihood',
  [BfgsStatus.MaxIter]: 'did not converge within forecast_models.garch.max_iter iterations',
  [BfgsStatus.LineSearch]: 'stopped: no step along the search direction decreased the objective',
  [BfgsStatus.NonFinite]: 'the likelihood is not finite at the starting points',
};

/** Fit `model` on `series` with its settings from `cfg` (see the file header). */
export function runFit(model: FitModel, series: FitSeries, cfg: ForecastModelsConfig): FitOutcome {
  const input: FitInput = { file: series.file, column: series.column, ticker: series.ticker, series: series.kind, n: series.values.length };
  switch (model) {
    case 'garch':
      return fitGarch(series, input, modelSettings('garch', cfg));
    case 'arx':
      return fitArx(series, input, modelSettings('arx', cfg));
    case 'ssa':
      return fitSsa(series, input, modelSettings('ssa', cfg));
  }
}

function failed(model: FitModel, series: FitSeries, why: string): FitOutcome {
  return { ok: false, failure: { model, reason: `${model} fit of ${seriesLabel(series)}: ${why}` } };
}

function fitGarch(series: FitSeries, input: FitInput, cfg: NonNullable<ForecastModelsConfig['garch']>): FitOutcome {
  const r = series.values;
  const n = r.length;
  if (r.every((v) => v === r[0])) throw new InputError(`${seriesLabel(series)}: the series is constant; GARCH needs a positive sample variance`);
  const ws = createGarchWorkspace();
  const params = new Float64Array(4);
  const loglik = garchFitPositive(r, 0, n, cfg.max_iter, cfg.tol, ws, params);
  const [mu, omega, alpha, beta] = params;
  if (!garchConverged(ws.status)) return failed('garch', series, `the likelihood maximisation ${BFGS_STATUS_TEXT[ws.status]}`);
  if (!Number.isFinite(loglik)) return failed('garch', series, `the log-likelihood at the maximum is ${loglik}`);
  const persistence = alpha + beta;
  if (!(persistence < 1)) {
    return failed('garch', series, `not stationary: alpha + beta = ${persistence} >= 1 (alpha ${alpha}, beta ${beta}); the variance has no finite long-run level`);
  }
  const nextVariance = garchFilter(r, 0, n, params, new Float64Array(n), GarchInit.Residual);
  const result: GarchFitResult = {
    model: 'garch',
    ...input,
    mu,
    omega,
    alpha,
    beta,
    loglik,
    persistence,
    unconditional_variance: omega / (1 - persistence),
    next_variance: nextVariance,
    forecast: mu,
  };
  return { ok: true, result };
}

function fitArx(series: FitSeries, input: FitInput, cfg: NonNullable<ForecastModelsConfig['sarimax']>): FitOutcome {
  const y = series.values;
  const n = y.length;
  const o: ArxOrders = { p: cfg.ar_order, P: cfg.seasonal_order, s: cfg.seasonal_period, E: 0 };
  const k = arxCoefficientCount(o);
  const rows = n - arxMaxLag(o);
  // min_history guarantees rows > k (config validation), so only a singular or non-finite system fails.
  const coef = new Float64Array(k);
  const noExog = new Float64Array(0);
  const sigma = arxFit(y, noExog, 0, n, o, cfg.ridge, createArxWorkspace(o), coef);
  if (!Number.isFinite(sigma)) return failed('arx', series, 'the normal equations are singular or not finite');
  // SSR = sigma²·(rows − k); the ML variance is SSR / rows.
  const mlVariance = (sigma * sigma * (rows - k)) / rows;
  const loglik = -0.5 * rows * (Math.log(2 * Math.PI) + Math.log(mlVariance) + 1);
  const result: ArxFitResult = {
    model: 'arx',
    ...input,
    ar_order: o.p,
    seasonal_order: o.P,
    seasonal_period: o.s,
    ridge: cfg.ridge,
    intercept: coef[0],
    ar: Array.from(coef.subarray(1, 1 + o.p)),
    seasonal: Array.from(coef.subarray(1 + o.p, 1 + o.p + o.P)),
    sigma,
    loglik,
    forecast: arxPredict(y, noExog, n, o, coef),
  };
  return { ok: true, result };
}

function fitSsa(series: FitSeries, input: FitInput, cfg: NonNullable<ForecastModelsConfig['samossa']>): FitOutcome {
  const x = series.values;
  const n = x.length;
  const L = cfg.window_length;
  const r = cfg.components;
  const ws = createSsaWorkspace(L);
  const coef = new Float64Array(L - 1);
  const nu2 = ssaFit(x, 0, n, L, r, ws, coef);
  if (!(nu2 < 1)) {
    return failed('ssa', series, Number.isNaN(nu2) ? 'the lag covariance is not finite' : `no linear recurrence exists: nu² = ${nu2} >= 1`);
  }
  const tail = new Float64Array(L - 1);
  ssaReconstructTail(x, 0, n, r, L - 1, ws, tail);
  const result: SsaFitResult = {
    model: 'ssa',
    ...input,
    window_length: L,
    components: r,
    nu2,
    lrr: Array.from(coef),
    sigma: lrrResidualRms(x, 0, n, coef, L),
    loglik: null,
    forecast: lrrForecast(tail, L - 2, coef, L),
  };
  return { ok: true, result };
}
