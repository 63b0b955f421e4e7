/**
 * Forecast columns: no look-ahead (perturbing every bar after t leaves every value at or before t
 * bit-identical, around refit boundaries of every model), determinism, the NaN warm-up, the
 * layout, the wiring checked against the kernels' references at chosen bars, and the split into
 * blocks (runs of refit points) that gives the serial columns bit for bit in any order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arxCoefficientCount, arxFit, arxPredict, createArxWorkspace } from '../../native-free-kernels/forecast/arx.js';
import { createGarchWorkspace, garchFilter, garchFit } from '../../native-free-kernels/forecast/garch.js';
import { logReturns as logReturnsKernel } from '../../native-free-kernels/stats/returns.js';
import { createSsaWorkspace, lrrForecast, ssaFit, ssaReconstructTail } from '../../native-free-kernels/forecast/ssa.js';
import { ForecastModelsConfig } from '../../src/config/forecast-models.js';
import type { Panel } from '../../src/data/types.js';
import { createRng } from '../../src/rng.js';
import {
  blockSegments,
  computeForecastBlock,
  computeForecastColumns,
  emptyForecastColumns,
  forecastBlocks,
  type ForecastColumns,
  forecastColumn,
} from '../../src/simulation/forecast-columns.js';
import { refArxFit, refArxPredict } from '../reference/arx.js';
import { refMssa } from '../reference/mssa.js';

const shared = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));

/** K tickers of T bars: random-walk closes with clustered volatility, consistent OHLC, volumes. */
function synthPanel(seed: number, K: number, T: number): Panel {
  const rng = createRng(seed, 'forecast-columns-panel');
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const [time, open, high, low, close, volume] = Array.from({ length: 6 }, () => shared(K * T));
  for (let k = 0; k < K; k++) {
    let c = 100 * (k + 1);
    let h = 1e-4;
    for (let t = 0; t < T; t++) {
      const i = k * T + t;
      const ret = 0.0003 + Math.sqrt(h) * normal();
      h = 2e-6 + 0.08 * ret * ret + 0.9 * h;
      const o = c;
      c = o * Math.exp(ret);
      time[i] = 86_400_000 * t;
      open[i] = o;
      close[i] = c;
      high[i] = Math.max(o, c) * (1 + 0.004 * rng());
      low[i] = Math.min(o, c) * (1 - 0.004 * rng());
      volume[i] = 1e6 * Math.exp(0.3 * normal());
    }
  }
  return { tickers: Array.from({ length: K }, (_, k) => `T${k}`), T, time, open, high, low, close, volume };
}

const cfg = ForecastModelsConfig.parse({
  sarimax: {
    min_history: 70,
    refit: { mode: 'rolling', window: 60, every: 10 },
    ar_order: 2,
    seasonal_period: 5,
    seasonal_order: 1,
    exog: ['log_volume_change', 'range'],
    ridge: 1e-10,
  },
  samossa: { min_history: 60, refit: { mode: 'expanding', every: 7 }, series: 'log_close', window_length: 10, components: 3 },
  mssa_rl: { min_history: 80, refit: { mode: 'rolling', window: 70, every: 9 }, series: 'log_return', window_length: 12, components: 4 },
  garch: { min_history: 90, refit: { mode: 'rolling', window: 80, every: 15 }, max_iter: 200, tol: 1e-7 },
});

const K = 2;
const T = 180;
const panel = synthPanel(1, K, T);
const base = computeForecastColumns(panel, cfg);

/** First index where a and b differ as bit patterns (NaN equals NaN), or -1. */
function firstBitDifference(a: Float64Array, b: Float64Array): number {
  const [ua, ub] = [new BigUint64Array(a.buffer, a.byteOffset, a.length), new BigUint64Array(b.buffer, b.byteOffset, b.length)];
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/** A copy of `p` whose bars after t are replaced by other random prices and volumes. */
function perturbAfter(p: Panel, t: number, seed: number): Panel {
  const rng = createRng(seed, 'perturb', t);
  const cols = { open: p.open.slice(), high: p.high.slice(), low: p.low.slice(), close: p.close.slice(), volume: p.volume.slice() };
  for (let k = 0; k < K; k++) {
    for (let u = t + 1; u < T; u++) {
      const i = k * T + u;
      const f = Math.exp(0.05 * (rng() - 0.5));
      cols.open[i] *= f;
      cols.close[i] *= Math.exp(0.05 * (rng() - 0.5));
      cols.high[i] = Math.max(cols.open[i], cols.close[i]) * (1 + 0.01 * rng());
      cols.low[i] = Math.min(cols.open[i], cols.close[i]) * (1 - 0.01 * rng());
      cols.volume[i] *= 0.5 + rng();
    }
  }
  return { ...p, ...cols };
}

/** Bars 0..t of every column of `a` and `b` (all models and tickers) agree bit for bit. */
function expectPrefixIdentical(a: ForecastColumns, b: ForecastColumns, t: number): void {
  for (const model of a.models) {
    for (let k = 0; k < K; k++) {
      const [x, y] = [forecastColumn(a, model, k), forecastColumn(b, model, k)];
      expect(firstBitDifference(x.mu.subarray(0, t + 1), y.mu.subarray(0, t + 1)), `${model} mu, ticker ${k}, t ${t}`).toBe(-1);
      expect(firstBitDifference(x.sigma.subarray(0, t + 1), y.sigma.subarray(0, t + 1)), `${model} sigma, ticker ${k}, t ${t}`).toBe(-1);
    }
  }
}

describe('computeForecastColumns: no look-ahead', () => {
  // Each model's first forecast bar (min_history − 1) and a later refit bar, with the bars just
  // before and after: sarimax 69, 79; samossa 59, 73; mssa_rl 79, 88; garch 89, 104.
  const boundaries = [69, 79, 59, 73, 88, 89, 104];
  const ts = [...new Set(boundaries.flatMap((b) => [b - 1, b, b + 1]))].sort((x, y) => x - y);

  it.each(ts)('perturbing every bar after t = %i changes nothing at or before t', (t) => {
    const perturbed = computeForecastColumns(perturbAfter(panel, t, 7), cfg);
    expectPrefixIdentical(base, perturbed, t);
    // The perturbation does reach the later forecasts, so the check above can fail.
    for (const model of base.models) {
      expect(firstBitDifference(forecastColumn(base, model, 0).mu, forecastColumn(perturbed, model, 0).mu), model).toBeGreaterThan(t);
    }
  });
});

describe('computeForecastColumns: shape and determinism', () => {
  it('is deterministic: a second run is bit-identical', () => {
    const again = computeForecastColumns(panel, cfg);
    expect(firstBitDifference(base.mu, again.mu)).toBe(-1);
    expect(firstBitDifference(base.sigma, again.sigma)).toBe(-1);
  });

  it('lays out models × tickers × bars in shared memory, NaN exactly before min_history', () => {
    expect(base.models).toEqual(['sarimax', 'samossa', 'mssa_rl', 'garch']);
    expect([base.K, base.T]).toEqual([K, T]);
    expect(base.mu.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(base.sigma.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(base.mu.length).toBe(4 * K * T);
    for (const model of base.models) {
      const first = cfg[model]!.min_history - 1;
      for (let k = 0; k < K; k++) {
        const { mu, sigma } = forecastColumn(base, model, k);
        for (let t = 0; t < T; t++) {
          expect(Number.isNaN(mu[t]), `${model} ${k} ${t}`).toBe(t < first);
          expect(Number.isFinite(sigma[t]) && sigma[t] > 0, `${model} ${k} ${t}`).toBe(t >= first);
        }
      }
    }
    // Model index 2 (mssa_rl), ticker 1, bar 100 sits at (2·K + 1)·T + 100.
    expect(forecastColumn(base, 'mssa_rl', 1).mu[100]).toBe(base.mu[(2 * K + 1) * T + 100]);
  });

  it('computes only the configured models', () => {
    const only = computeForecastColumns(panel, ForecastModelsConfig.parse({ garch: cfg.garch }));
    expect(only.models).toEqual(['garch']);
    expect(firstBitDifference(forecastColumn(only, 'garch', 1).sigma, forecastColumn(base, 'garch', 1).sigma)).toBe(-1);
  });
});

describe('computeForecastColumns: wiring against the references', () => {
  /** Log returns of ticker k by the same kernel the columns use, so bit-level comparisons hold. */
  const logReturns = (k: number) => {
    const out = new Float64Array(T);
    logReturnsKernel(panel.close.subarray(k * T, (k + 1) * T), out, T);
    return Array.from(out);
  };

  it('sarimax at a refit bar and after it equals the reference ARX on the rolling window', () => {
    // Refit at t = 89 on returns [89 + 1 − 60, 90) = [30, 90); exog row t = [ln(V_t/V_{t−1}), (H−L)/C].
    const k = 1;
    const y = logReturns(k);
    const X = Array.from({ length: T }, (_, t) => {
      const i = k * T + t;
      return [t === 0 ? NaN : Math.log(panel.volume[i] / panel.volume[i - 1]), (panel.high[i] - panel.low[i]) / panel.close[i]];
    });
    const o = { p: 2, P: 1, s: 5, E: 2 };
    const ref = refArxFit(y, X, 30, 90, o, 1e-10);
    const { mu, sigma } = forecastColumn(base, 'sarimax', k);
    for (const t of [89, 95]) {
      expect(Math.abs(mu[t] - refArxPredict(y, X, t + 1, o, ref.coef))).toBeLessThan(1e-10);
      expect(Math.abs(sigma[t] - ref.residualStd)).toBeLessThan(1e-9 * ref.residualStd);
    }
    // The kernel on the same range gives the same bits as the column (the column is a thin loop).
    const coef = new Float64Array(arxCoefficientCount(o));
    const yF = Float64Array.from(y);
    const XF = Float64Array.from(X.flat());
    expect(arxFit(yF, XF, 30, 90, o, 1e-10, createArxWorkspace(o), coef)).toBe(sigma[95]);
    expect(arxPredict(yF, XF, 96, o, coef)).toBe(mu[95]);
  });

  it('samossa forecasts from the reconstruction at a refit bar and from observed closes after it', () => {
    // Expanding refits at 59, 66, 73, ...: bars 66..72 use the fit on log closes [0, 67).
    const lc = Float64Array.from({ length: T }, (_, t) => Math.log(panel.close[t]));
    const ws = createSsaWorkspace(10);
    const coef = new Float64Array(9);
    ssaFit(lc, 0, 67, 10, 3, ws, coef);
    const tail = new Float64Array(9);
    ssaReconstructTail(lc, 0, 67, 3, 9, ws, tail);
    const { mu } = forecastColumn(base, 'samossa', 0);
    expect(mu[66]).toBe(lrrForecast(tail, 8, coef, 10) - lc[66]);
    expect(mu[71]).toBe(lrrForecast(lc, 71, coef, 10) - lc[71]);
  });

  it('mssa_rl at a refit bar forecasts each ticker from the reference MSSA reconstruction', () => {
    // Refit at t = 97 (= 79 + 2·9) on returns [97 + 1 − 70, 98) = [28, 98) of both tickers.
    const ref = refMssa(
      [0, 1].map((k) => logReturns(k).slice(28, 98)),
      12,
      4,
    );
    for (let k = 0; k < K; k++) expect(Math.abs(forecastColumn(base, 'mssa_rl', k).mu[97] - ref.forecasts[k])).toBeLessThan(1e-9);
  });

  it('garch keeps the fitted mean between refits and continues the variance recursion', () => {
    // Refits at 89, 104, ...: the one at 89 fits returns [89 + 1 − 80, 90) = [10, 90).
    const r = Float64Array.from(logReturns(0));
    const params = new Float64Array(4);
    garchFit(r, 10, 90, 200, 1e-7, createGarchWorkspace(), params);
    let h = garchFilter(r, 10, 90, params, new Float64Array(T));
    const { mu, sigma } = forecastColumn(base, 'garch', 0);
    expect([mu[89], sigma[89]]).toEqual([params[0], Math.sqrt(h)]);
    for (let t = 90; t < 104; t++) {
      // h_{t+1} = ω + α·(r_t − μ)² + β·h_t with [μ, ω, α, β] = params.
      h = params[1] + params[2] * (r[t] - params[0]) ** 2 + params[3] * h;
      expect([mu[t], sigma[t]]).toEqual([params[0], Math.sqrt(h)]);
    }
    expect(mu[104]).not.toBe(mu[89]);
  });
});

describe('zero volume', () => {
  it('never gives an infinite forecast: a bar that traded nothing leaves log_volume_change undefined', () => {
    const p = synthPanel(3, 1, T);
    // Volume 0 just after the first sarimax refit (bar 69) and later, between refits.
    for (const t of [70, 95, 96]) p.volume[t] = 0;
    const cols = computeForecastColumns(p, cfg);
    for (let i = 0; i < cols.mu.length; i++) {
      expect(Math.abs(cols.mu[i]) === Infinity, `mu[${i}]`).toBe(false);
      expect(Math.abs(cols.sigma[i]) === Infinity, `sigma[${i}]`).toBe(false);
    }
    const sarimax = forecastColumn(cols, 'sarimax', 0).mu;
    // The bars whose exogenous input is undefined have no sarimax forecast.
    expect(sarimax[70]).toBeNaN();
    expect(sarimax[71]).toBeNaN();
  });
});

describe('forecastBlocks: runs of refit points, bit-identical to the serial columns', () => {
  it('splits each chain into runs of about equal fit cost that start at refit bars', () => {
    // parts 4, K 2: ceil(4/2) = 2 runs per ticker for the per-ticker models, 4 for mssa_rl (one chain).
    // sarimax: refits 69, 79, ..., 179 (12), each on 60 returns: the second run starts at point 6
    //   (6·60·2 >= 720), bar 69 + 6·10 = 129.
    // samossa (expanding, log closes from bar 0): refits 59 + 7j, j < 18, on 60 + 7j closes, total
    //   2151; before point 12 lie 720 + 7·66 = 1182 >= 2151 / 2 (before 11: 1045 <): bar 59 + 84 = 143,
    //   so the late, longer fits get 6 points against 12.
    // mssa_rl: refits 79 + 9j, j < 12, 70 returns each: points 3, 6, 9 -> bars 106, 133, 160.
    // garch: refits 89 + 15j, j < 7, 80 returns each: point 4 (4·80·2 >= 560) -> bar 149.
    const runs = (b: number[]) => b.slice(0, -1).map((from, i) => [from, b[i + 1]]);
    const perTicker = (model: string, bounds: number[]) => [0, 1].flatMap((k) => runs(bounds).map(([from, to]) => ({ model, k0: k, k1: k + 1, from, to })));
    expect(forecastBlocks(cfg, K, T, 4)).toEqual([
      ...perTicker('sarimax', [0, 129, 180]),
      ...perTicker('samossa', [0, 143, 180]),
      ...runs([0, 106, 133, 160, 180]).map(([from, to]) => ({ model: 'mssa_rl', k0: 0, k1: 2, from, to })),
      ...perTicker('garch', [0, 149, 180]),
    ]);
    // One block per chain by default; as many tickers as parts: no split.
    expect(forecastBlocks(cfg, K, T).map((b) => [b.from, b.to])).toEqual(Array.from({ length: 7 }, () => [0, T]));
    expect(forecastBlocks(cfg, K, T, 2).filter((b) => b.model !== 'mssa_rl').every((b) => b.from === 0 && b.to === T)).toBe(true);
    // No refit point (T shorter than min_history): one block of NaN per chain, whatever the parts.
    expect(forecastBlocks(cfg, K, 50, 8).map((b) => [b.model, b.from, b.to])).toEqual([
      ...['sarimax', 'sarimax', 'samossa', 'samossa', 'mssa_rl', 'garch', 'garch'].map((m) => [m, 0, 50]),
    ]);
    expect(() => forecastBlocks(cfg, K, T, 0)).toThrow(/parts must be a positive integer/);
  });

  it('tiles the columns, each block writing only its own values, and any split in any order gives the serial bits', () => {
    // Up to 40 parts: 20 runs per ticker, one refit point per block for every model.
    const splitAndOrder = fc.integer({ min: 1, max: 40 }).chain((parts) => {
      const n = forecastBlocks(cfg, K, T, parts).length;
      const ids = Array.from({ length: n }, (_, i) => i);
      return fc.tuple(fc.constant(parts), fc.shuffledSubarray(ids, { minLength: n, maxLength: n }), fc.nat({ max: n - 1 }));
    });
    fc.assert(
      fc.property(splitAndOrder, ([parts, order, alone]) => {
        const blocks = forecastBlocks(cfg, K, T, parts);
        const owner = new Int32Array(base.mu.length).fill(-1);
        blocks.forEach((b, i) => {
          // A block starts at bar 0 or at a refit bar of its model.
          const m = cfg[b.model]!;
          expect(b.from === 0 || (b.from >= m.min_history - 1 && (b.from - (m.min_history - 1)) % m.refit.every === 0), JSON.stringify(b)).toBe(true);
          for (const { start, end } of blockSegments(base, b)) for (let j = start; j < end; j++) owner[j] = owner[j] === -1 ? i : -2;
        });
        // Every value has exactly one block (-1: none, -2: several).
        expect(owner.findIndex((o) => o < 0)).toBe(-1);

        const out = emptyForecastColumns(cfg, K, T);
        for (const i of order) computeForecastBlock(panel, cfg, blocks[i], out);
        expect(firstBitDifference(out.mu, base.mu)).toBe(-1);
        expect(firstBitDifference(out.sigma, base.sigma)).toBe(-1);

        // One block alone: its values are the serial ones, every other value is left NaN.
        const one = emptyForecastColumns(cfg, K, T);
        computeForecastBlock(panel, cfg, blocks[alone], one);
        const wrong = (a: Float64Array, ref: Float64Array) => a.findIndex((v, j) => !Object.is(v, owner[j] === alone ? ref[j] : NaN));
        expect(wrong(one.mu, base.mu)).toBe(-1);
        expect(wrong(one.sigma, base.sigma)).toBe(-1);
      }),
      { numRuns: 20, seed: 12 },
    );
  });
});
