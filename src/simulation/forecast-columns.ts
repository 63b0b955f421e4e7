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
 * The work comes in blocks (`ForecastBlock`: one model, one ticker or for mssa_rl all of them, and
 * a run of consecutive refit points), each writing only its own values, so blocks can run on
 * several threads and be cached one by one (src/pool/forecast-pool.ts, src/cache/forecast-cache.ts).
 * A block may start at any refit point because no fit reads an earlier fit's state: every value
 * from a refit bar until the next one depends only on the data and that refit (coefficients, sigma,
 * GARCH parameters and variance are all set afresh there, and the kernels start every fit from
 * fixed points). Splitting therefore gives the serial columns bit for bit.
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
  const [{ start, end }] = blockSegments(cols, { model, k0: k, k1: k + 1, from: 0, to: cols.T });
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

/** First bar of a model's input series: log returns start at bar 1, log closes (SSA `series`) at bar 0. */
function firstValidBar(model: ForecastModelName, cfg: ForecastModelsConfig): number {
  return (model === 'samossa' || model === 'mssa_rl') && cfg[model]!.series === 'log_close' ? 0 : 1;
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

/** Write bars [from, to) of every ticker of `inp`: `from` is 0 or a refit bar (in all four models' functions). */
function sarimaxColumns(
  panel: Panel,
  inp: Inputs,
  cfg: NonNullable<ForecastModelsConfig['sarimax']>,
  from: number,
  to: number,
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
    for (let t = 0; t < to; t++) for (let e = 0; e < E; e++) X[t * E + e] = exogValue(panel, cfg.exog[e], (inp.k0 + k) * T + t, t);
    let std = NaN;
    for (let t = Math.max(from, cfg.min_history - 1); t < to; t++) {
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
function ssaColumns(
  inp: Inputs,
  cfg: SsaModel,
  multichannel: boolean,
  firstValid: number,
  from: number,
  to: number,
  outMu: Float64Array,
  outSigma: Float64Array,
): void {
  const { K, T } = inp;
  const L = cfg.window_length;
  const r = cfg.components;
  const onCloses = cfg.series === 'log_close';
  const x = onCloses ? inp.logClose : inp.logReturn;
  const ws = multichannel ? createMssaWorkspace(L) : createSsaWorkspace(L);
  const coef = new Float64Array(L - 1);
  const tail = new Float64Array(L - 1);
  const sigma = new Float64Array(K);
  // Channels fitted together: each ticker alone for SSA, all K at once for MSSA.
  const groups = multichannel ? 1 : K;
  const perGroup = multichannel ? K : 1;
  for (let g = 0; g < groups; g++) {
    for (let t = Math.max(from, cfg.min_history - 1); t < to; t++) {
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
  from: number,
  to: number,
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
    for (let t = Math.max(from, cfg.min_history - 1); t < to; t++) {
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
 * One unit of forecast work, computed and cached on its own: model `model` for the tickers
 * k0..k1-1 over the bars [from, to). `from` is 0 or a refit bar, `to` the next block's `from` or T,
 * so a block holds whole runs of consecutive refit points (the first block also owns the NaN
 * warm-up). A per-ticker model has its blocks per ticker; mssa_rl fits all tickers together.
 */
export interface ForecastBlock {
  readonly model: ForecastModelName;
  readonly k0: number;
  readonly k1: number;
  readonly from: number;
  readonly to: number;
}

/**
 * Split one chain (a model on its tickers, T bars) into at most `runs` blocks' bar ranges of
 * consecutive refit points of about equal cost. A refit point costs the length of its fit window:
 * every fit is linear in it (ARX's normal equations, SSA's lag covariance, each GARCH likelihood
 * evaluation), and the bars between refits are cheap; so expanding windows get fewer late refits.
 */
function refitRuns(model: ForecastModelName, cfg: ForecastModelsConfig, T: number, runs: number): { from: number; to: number }[] {
  const m = cfg[model]!;
  const first = m.min_history - 1;
  const points = first < T ? Math.ceil((T - first) / m.refit.every) : 0;
  const n = Math.max(1, Math.min(runs, points));
  const firstValid = firstValidBar(model, cfg);
  // cost[j] = total window length of the refit points before j (integers: the comparisons are exact).
  const cost = new Float64Array(points + 1);
  for (let j = 0; j < points; j++) {
    const t = first + j * m.refit.every;
    cost[j + 1] = cost[j] + t + 1 - fitStart(t, firstValid, m.refit);
  }
  const bounds = [0];
  for (let i = 1; i < n; i++) {
    // The first refit point whose predecessors reach i/n of the cost, leaving each later run a point.
    let j = bounds[i - 1] + 1;
    while (j < points - (n - i) && cost[j] * n < i * cost[points]) j++;
    bounds.push(j);
  }
  bounds.push(points);
  const bar = (i: number) => (i === 0 ? 0 : i === n ? T : first + bounds[i] * m.refit.every);
  return Array.from({ length: n }, (_, i) => ({ from: bar(i), to: bar(i + 1) }));
}

/**
 * The blocks of every configured model for K tickers and T bars, in `FORECAST_MODEL_ORDER`, then
 * ticker, then bar order. Each model comes in at least `parts` blocks where it has that many refit
 * points: a chain (one ticker, or all of them for mssa_rl) is split into ceil(parts / chains) runs
 * of about equal cost, so that the costliest model alone can keep `parts` threads busy while
 * panels with as many tickers as threads keep one block per ticker. Any split gives the same values.
 * @param parts the threads that will compute the blocks (1: one block per chain)
 */
export function forecastBlocks(cfg: ForecastModelsConfig, K: number, T: number, parts = 1): ForecastBlock[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`forecastBlocks: parts must be a positive integer, got ${parts}`);
  return configuredModels(cfg).flatMap((model): ForecastBlock[] => {
    const chains = model === 'mssa_rl' ? [[0, K]] : Array.from({ length: K }, (_, k) => [k, k + 1]);
    const runs = refitRuns(model, cfg, T, Math.ceil(parts / chains.length));
    return chains.flatMap(([k0, k1]) => runs.map(({ from, to }) => ({ model, k0, k1, from, to })));
  });
}

/** Columns of every configured model for K tickers and T bars, NaN until computed, in `SharedArrayBuffer`s. */
export function emptyForecastColumns(cfg: ForecastModelsConfig, K: number, T: number): ForecastColumns {
  const models = configuredModels(cfg);
  return { models, K, T, mu: sharedNaN(models.length * K * T), sigma: sharedNaN(models.length * K * T) };
}

/**
 * Where a block's values sit in mu and sigma: one range [start, end) of the `ForecastColumns`
 * layout per ticker k0..k1-1, in ticker order.
 */
export function blockSegments(cols: ForecastColumns, block: ForecastBlock): { start: number; end: number }[] {
  const m = cols.models.indexOf(block.model);
  const { k0, k1, from, to } = block;
  if (m < 0 || k0 < 0 || k1 > cols.K || k0 >= k1 || from < 0 || to > cols.T || from >= to) {
    throw new RangeError(`no forecast column for model ${block.model}, tickers ${k0}..${k1 - 1}, bars ${from}..${to - 1}`);
  }
  return Array.from({ length: k1 - k0 }, (_, i) => ({ start: (m * cols.K + k0 + i) * cols.T + from, end: (m * cols.K + k0 + i) * cols.T + to }));
}

/**
 * Compute one block into `out`, writing only the block's own values (so blocks may run in
 * parallel on shared columns).
 * @param panel aligned market data (read only)
 * @param cfg the validated `forecast_models` block
 * @param block one of `forecastBlocks(cfg, K, T, ...)`
 * @param out columns for this panel and config (`emptyForecastColumns`)
 */
export function computeForecastBlock(panel: Panel, cfg: ForecastModelsConfig, block: ForecastBlock, out: ForecastColumns): void {
  const { model, k0, k1, from, to } = block;
  // The block's tickers are adjacent: views of their whole rows, of which the models write [from, to).
  const start = blockSegments(out, block)[0].start - from;
  const end = start + (k1 - k0) * out.T;
  const inp = prepareInputs(panel, k0, k1);
  const mu = out.mu.subarray(start, end);
  const sigma = out.sigma.subarray(start, end);
  switch (model) {
    case 'sarimax':
      return sarimaxColumns(panel, inp, cfg.sarimax!, from, to, mu, sigma);
    case 'samossa':
      return ssaColumns(inp, cfg.samossa!, false, firstValidBar(model, cfg), from, to, mu, sigma);
    case 'mssa_rl':
      return ssaColumns(inp, cfg.mssa_rl!, true, firstValidBar(model, cfg), from, to, mu, sigma);
    case 'garch':
      return garchColumns(inp, cfg.garch!, from, to, mu, sigma);
  }
}

/**
 * Compute the forecast columns of every model in `cfg` for every ticker of `panel` in this thread,
 * one block per chain: the serial reference of the blocks computed on threads.
 * @param panel aligned market data (read only)
 * @param cfg the validated `forecast_models` block
 * @returns shared mu and sigma columns, layout in `ForecastColumns`
 */
export function computeForecastColumns(panel: Panel, cfg: ForecastModelsConfig): ForecastColumns {
  const out = emptyForecastColumns(cfg, panel.tickers.length, panel.T);
  for (const block of forecastBlocks(cfg, panel.tickers.length, panel.T)) computeForecastBlock(panel, cfg, block, out);
  return out;
}
