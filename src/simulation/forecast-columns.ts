/**
 * Causal forecast columns: for every ticker of a panel and every configured model, `mu[t]` is the
 * model's forecast, made at the close of bar t, of the next-bar log return ln(C_{t+1} / C_t), and
 * `sigma[t]` the forecast's standard deviation. Only bars 0..t feed the value at t.
 *
 * Schedule (per model, from `forecast_models.<model>.refit`): the first forecast is at bar
 * t0 = min_history − 1 (NaN before); the model is refitted at t0, t0 + every, t0 + 2·every, ...
 * on the latest `window` values of its input series (`rolling`) or on all of them (`expanding`),
 * the range always ending with bar t. Between refits the last coefficients are applied to the
 * newest data. A fit that fails (too little or non-finite data, singular system) gives NaN until
 * the next refit.
 *
 * Models:
 * - sarimax: ARX on log returns (native-free-kernels/forecast/arx.ts) with the configured exogenous
 *   columns, each the value at bar t: log_volume_change = ln(V_t / V_{t−1}),
 *   range = (H_t − L_t) / C_t. sigma = the fit's residual std (ddof = number of coefficients).
 * - samossa: SSA with LRR forecasting (ssa.ts) per ticker on log returns or log closes (`series`;
 *   for log closes mu = forecast of ln C_{t+1} − ln C_t). At a refit bar the LRR runs on the
 *   reconstructed series (the end of the rank-r fit); at later bars on the latest observed values,
 *   since reconstructing again would need the newer data in the fit, i.e. a refit. sigma = RMS of
 *   the fit window's one-step LRR errors on observed values, the error the later forecasts make.
 * - mssa_rl: the same with one MSSA decomposition across all tickers of the panel (mssa.ts):
 *   a common LRR, per-ticker reconstruction, forecasts and sigma.
 * - garch: GARCH(1,1) on log returns (garch.ts). mu = the fitted constant mean; sigma =
 *   sqrt(h_{t+1}); between refits the variance recursion continues with the fitted parameters.
 *
 * The work comes in blocks (`ForecastBlock`: one model for one ticker, or for all of them for
 * mssa_rl), each writing only its own range of the columns, so blocks can run on several threads
 * and be cached one by one (src/pool/forecast-pool.ts, src/cache/forecast-cache.ts).
 */
import type { ExogName, ForecastModelsConfig, RefitConfig } from '../config/forecast-models.js';
import type { Panel } from '../data/types.js';
import { arxFit, arxPredict, createArxWorkspace, type ArxOrders } from '../../native-free-kernels/forecast/arx.js';
import { createGarchWorkspace, garchFilter, garchFit } from '../../native-free-kernels/forecast/garch.js';
import { createMssaWorkspace, mssaFit } from '../../native-free-kernels/forecast/mssa.js';
import { logReturns } from '../../native-free-kernels/stats/returns.js';
import { createSsaWorkspace, lrrForecast, lrrResidualRms, ssaFit, ssaReconstructTail } from '../../native-free-kernels/forecast/ssa.js';

export type ForecastModelName = keyof ForecastModelsConfig;

/** Order of the models in `ForecastColumns` (those present in the config, in this order). */
export const FORECAST_MODEL_ORDER = ['sarimax', 'samossa', 'mssa_rl', 'garch'] as const satisfies readonly ForecastModelName[];

/**
 * Forecasts of every configured model for every ticker, in `SharedArrayBuffer`s. Layout is
 * model-major, then ticker, then bar: the value of model `models[m]`, ticker k, bar t is at
 * (m·K + k)·T + t, the ticker-major layout of `Panel` repeated per model.
 */
export interface ForecastColumns {
  readonly models: readonly ForecastModelName[];
  readonly K: number;
  readonly T: number;
  /** Forecast of ln(C_{t+1} / C_t) made at bar t; NaN before min_history or after a failed fit. */
  readonly mu: Float64Array;
  /** Its standard deviation. */
  readonly sigma: Float64Array;
}

/** The configured models in `FORECAST_MODEL_ORDER`. */
export function configuredModels(cfg: ForecastModelsConfig): ForecastModelName[] {
  return FORECAST_MODEL_ORDER.filter((m) => cfg[m] !== undefined);
}

/** Views of one model's mu and sigma for ticker k (length T). */
export function forecastColumn(cols: ForecastColumns, model: ForecastModelName, k: number): { mu: Float64Array; sigma: Float64Array } {
  const { start, end } = blockRange(cols, { model, k0: k, k1: k + 1 });
  return { mu: cols.mu.subarray(start, end), sigma: cols.sigma.subarray(start, end) };
}

function sharedNaN(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * Float64Array.BYTES_PER_ELEMENT)).fill(NaN);
}

/** Refit bars are t0, t0 + every, ...; t0 = min_history − 1 is the first forecast bar. */
function isRefitBar(t: number, minHistory: number, refit: RefitConfig): boolean {
  return (t - (minHistory - 1)) % refit.every === 0;
}

/** First index of the fit range ending with bar t, for a series whose first value is at `firstValid`. */
function fitStart(t: number, firstValid: number, refit: RefitConfig): number {
  return refit.mode === 'rolling' ? Math.max(firstValid, t + 1 - refit.window) : firstValid;
}

/** Inputs every model reads, for the tickers k0..k0+K-1 of a block (ticker-major like the panel). */
interface Inputs {
  /** Panel index of the block's first ticker. */
  readonly k0: number;
  readonly K: number;
  readonly T: number;
  readonly logReturn: Float64Array;
  readonly logClose: Float64Array;
}

function prepareInputs(panel: Panel, k0: number, k1: number): Inputs {
  const K = k1 - k0;
  const T = panel.T;
  const close = panel.close.subarray(k0 * T, k1 * T);
  const logReturn = new Float64Array(K * T);
  const logClose = new Float64Array(K * T);
  for (let k = 0; k < K; k++) {
    logReturns(close.subarray(k * T, (k + 1) * T), logReturn.subarray(k * T, (k + 1) * T), T);
  }
  for (let i = 0; i < K * T; i++) logClose[i] = Math.log(close[i]);
  return { k0, K, T, logReturn, logClose };
}

/** Exogenous column `name` of ticker k at bar t (the value known at the close of t). */
function exogValue(panel: Panel, name: ExogName, i: number, t: number): number {
  switch (name) {
    case 'log_volume_change':
      // Undefined (NaN, so the fit skips or the forecast is missing) without trading on both bars:
      // a zero volume would make it infinite.
      return t === 0 || !(panel.volume[i] > 0 && panel.volume[i - 1] > 0) ? NaN : Math.log(panel.volume[i] / panel.volume[i - 1]);
    case 'range':
      return (panel.high[i] - panel.low[i]) / panel.close[i];
  }
}

function sarimaxColumns(
  panel: Panel,
  inp: Inputs,
  cfg: NonNullable<ForecastModelsConfig['sarimax']>,
  outMu: Float64Array,
  outSigma: Float64Array,
): void {
  const { K, T } = inp;
  const E = cfg.exog.length;
  const o: ArxOrders = { p: cfg.ar_order, P: cfg.seasonal_order, s: cfg.seasonal_period, E };
  const ws = createArxWorkspace(o);
  const coef = new Float64Array(ws.k);
  const X = new Float64Array(T * E);
  for (let k = 0; k < K; k++) {
    const y = inp.logReturn.subarray(k * T, (k + 1) * T);
    for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) X[t * E + e] = exogValue(panel, cfg.exog[e], (inp.k0 + k) * T + t, t);
    let std = NaN;
    for (let t = cfg.min_history - 1; t < T; t++) {
      if (isRefitBar(t, cfg.min_history, cfg.refit)) {
        std = arxFit(y, X, fitStart(t, 1, cfg.refit), t + 1, o, cfg.ridge, ws, coef);
      }
      // The forecast for bar t + 1 reads y up to t and X row t only.
      outMu[k * T + t] = arxPredict(y, X, t + 1, o, coef);
      outSigma[k * T + t] = std;
    }
  }
}

type SsaModel = NonNullable<ForecastModelsConfig['samossa']>;

/** Per-ticker SSA (K = 1 per fit) or panel-wide MSSA (all channels in one fit). */
function ssaColumns(inp: Inputs, cfg: SsaModel, multichannel: boolean, outMu: Float64Array, outSigma: Float64Array): void {
  const { K, T } = inp;
  const L = cfg.window_length;
  const r = cfg.components;
  const onCloses = cfg.series === 'log_close';
  const x = onCloses ? inp.logClose : inp.logReturn;
  const firstValid = onCloses ? 0 : 1;
  const ws = multichannel ? createMssaWorkspace(L) : createSsaWorkspace(L);
  const coef = new Float64Array(L - 1);
  const tail = new Float64Array(L - 1);
  const sigma = new Float64Array(K);
  // Channels fitted together: each ticker alone for SSA, all K at once for MSSA.
  const groups = multichannel ? 1 : K;
  const perGroup = multichannel ? K : 1;
  for (let g = 0; g < groups; g++) {
    for (let t = cfg.min_history - 1; t < T; t++) {
      // True only at a refit bar whose fit succeeded: then mu comes from the reconstruction.
      let fitted = false;
      if (isRefitBar(t, cfg.min_history, cfg.refit)) {
        const start = fitStart(t, firstValid, cfg.refit);
        const nu2 = multichannel ? mssaFit(x, K, T, start, t + 1, L, r, ws, coef) : ssaFit(x, g * T + start, g * T + t + 1, L, r, ws, coef);
        fitted = nu2 < 1;
        for (let c = 0; c < perGroup; c++) {
          const base = (g + c) * T;
          sigma[g + c] = lrrResidualRms(x, base + start, base + t + 1, coef, L);
          if (fitted) {
            ssaReconstructTail(x, base + start, base + t + 1, r, L - 1, ws, tail);
            outMu[base + t] = lrrForecast(tail, L - 2, coef, L) - (onCloses ? x[base + t] : 0);
          }
        }
      }
      for (let c = 0; c < perGroup; c++) {
        const i = (g + c) * T + t;
        if (!fitted) outMu[i] = lrrForecast(x, i, coef, L) - (onCloses ? x[i] : 0);
        outSigma[i] = sigma[g + c];
      }
    }
  }
}

/** True when r[start..end) is finite and not constant: `garchFit` needs a positive sample variance. */
function garchFittable(r: Float64Array, start: number, end: number): boolean {
  let varies = false;
  for (let t = start; t < end; t++) {
    if (!Number.isFinite(r[t])) return false;
    if (r[t] !== r[start]) varies = true;
  }
  return varies;
}

function garchColumns(
  inp: Inputs,
  cfg: NonNullable<ForecastModelsConfig['garch']>,
  outMu: Float64Array,
  outSigma: Float64Array,
): void {
  const { K, T } = inp;
  const ws = createGarchWorkspace();
  const params = new Float64Array(4); // [mu, omega, alpha, beta]
  const variance = new Float64Array(T);
  for (let k = 0; k < K; k++) {
    const r = inp.logReturn.subarray(k * T, (k + 1) * T);
    let h = NaN;
    for (let t = cfg.min_history - 1; t < T; t++) {
      if (isRefitBar(t, cfg.min_history, cfg.refit)) {
        const start = fitStart(t, 1, cfg.refit);
        const ok = garchFittable(r, start, t + 1) && Number.isFinite(garchFit(r, start, t + 1, cfg.max_iter, cfg.tol, ws, params));
        if (ok) h = garchFilter(r, start, t + 1, params, variance);
        else {
          params.fill(NaN);
          h = NaN;
        }
      } else {
        // h_{t+1} = omega + alpha·(r_t − mu)² + beta·h_t, params [mu, omega, alpha, beta].
        const e = r[t] - params[0];
        h = params[1] + params[2] * e * e + params[3] * h;
      }
      outMu[k * T + t] = params[0];
      outSigma[k * T + t] = Math.sqrt(h);
    }
  }
}

/**
 * One unit of forecast work, computed and cached on its own: model `model` for the tickers k0..k1-1.
 * A per-ticker model has one block per ticker; mssa_rl fits all tickers together, so it is one block.
 */
export interface ForecastBlock {
  readonly model: ForecastModelName;
  readonly k0: number;
  readonly k1: number;
}

/** The blocks of every configured model for K tickers, in `FORECAST_MODEL_ORDER`, then ticker order. */
export function forecastBlocks(cfg: ForecastModelsConfig, K: number): ForecastBlock[] {
  return configuredModels(cfg).flatMap((model): ForecastBlock[] =>
    model === 'mssa_rl' ? [{ model, k0: 0, k1: K }] : Array.from({ length: K }, (_, k) => ({ model, k0: k, k1: k + 1 })),
  );
}

/** Columns of every configured model for K tickers and T bars, NaN until computed, in `SharedArrayBuffer`s. */
export function emptyForecastColumns(cfg: ForecastModelsConfig, K: number, T: number): ForecastColumns {
  const models = configuredModels(cfg);
  return { models, K, T, mu: sharedNaN(models.length * K * T), sigma: sharedNaN(models.length * K * T) };
}

/** Where a block's values sit in mu and sigma: [start, end) in the `ForecastColumns` layout. */
export function blockRange(cols: ForecastColumns, block: ForecastBlock): { start: number; end: number } {
  const m = cols.models.indexOf(block.model);
  if (m < 0 || block.k0 < 0 || block.k1 > cols.K || block.k0 >= block.k1) throw new RangeError(`no forecast column for model ${block.model}, tickers ${block.k0}..${block.k1 - 1}`);
  return { start: (m * cols.K + block.k0) * cols.T, end: (m * cols.K + block.k1) * cols.T };
}

/**
 * Compute one block into `out`, writing only the block's own range (so blocks may run in parallel
 * on shared columns).
 * @param panel aligned market data (read only)
 * @param cfg the validated `forecast_models` block
 * @param out columns for this panel and config (`emptyForecastColumns`)
 */
export function computeForecastBlock(panel: Panel, cfg: ForecastModelsConfig, block: ForecastBlock, out: ForecastColumns): void {
  const { start, end } = blockRange(out, block);
  const inp = prepareInputs(panel, block.k0, block.k1);
  const mu = out.mu.subarray(start, end);
  const sigma = out.sigma.subarray(start, end);
  switch (block.model) {
    case 'sarimax':
      return sarimaxColumns(panel, inp, cfg.sarimax!, mu, sigma);
    case 'samossa':
      return ssaColumns(inp, cfg.samossa!, false, mu, sigma);
    case 'mssa_rl':
      return ssaColumns(inp, cfg.mssa_rl!, true, mu, sigma);
    case 'garch':
      return garchColumns(inp, cfg.garch!, mu, sigma);
  }
}

/**
 * Compute the forecast columns of every model in `cfg` for every ticker of `panel`, block by block
 * in this thread.
 * @param panel aligned market data (read only)
 * @param cfg the validated `forecast_models` block
 * @returns shared mu and sigma columns, layout in `ForecastColumns`
 */
export function computeForecastColumns(panel: Panel, cfg: ForecastModelsConfig): ForecastColumns {
  const out = emptyForecastColumns(cfg, panel.tickers.length, panel.T);
  for (const block of forecastBlocks(cfg, panel.tickers.length)) computeForecastBlock(panel, cfg, block, out);
  return out;
}
