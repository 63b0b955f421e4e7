/**
 * Slow reference for the regime labels of src/jobs/regime.ts (kernels in
 * native-free-kernels/stats/regime-labels.ts), written from the definitions with plain arrays and
 * importing nothing from the code it checks. O(n · history) and O(n · window) per bar.
 *
 * Per bar t, each from bars 0..t only:
 * - volatility: mean of the mid-rank fractions of the GARCH sigma and of the realised vol (two-pass
 *   sample std of the last `lookback` returns) among their own finite values in the last `history`
 *   bars (undefined with fewer than `min_history`): < low_quantile low, > high_quantile high, else normal.
 * - trend: ln(C_t / C_{t-lookback}) >= bull_min_return bull, <= bear_max_return bear, else sideways.
 * - drift: windows E = returns t-2w+1..t-w, A = t-w+1..t; shift when PSI(E, A) > psi_threshold, or
 *   PSI(|E|, |A|) > vol_psi_threshold, or std(A)/std(E) is outside [1/ratio_max, ratio_max].
 * - volume: v̄_t = alpha·V_t + (1 - alpha)·v̄_{t-1} (v̄_0 = V_0, alpha = 2/(span+1)), ranked like the
 *   volatility indicators.
 * The key joins `dim=label` with '|' (volatility written `vol`); the smoothed key at t is the latest
 * key that held for `min_duration` consecutive bars ending at or before t (null before any).
 *
 * The GARCH sigma column is an input: it is the forecast column, tested in
 * tests/simulation/forecast-columns.test.ts.
 */
import { psi } from './psi.js';

type Dim = 'volatility' | 'trend' | 'drift' | 'volume';

export interface RefRegimeConfig {
  key: readonly Dim[];
  min_duration: number;
  trend: { lookback: number; bull_min_return: number; bear_max_return: number };
  volatility: { lookback: number; history: number; min_history: number; low_quantile: number; high_quantile: number };
  drift: { window: number; psi_bins: number; psi_eps: number; psi_threshold: number; vol_psi_threshold: number; volatility_ratio_max: number };
  volume: { span: number; history: number; min_history: number; low_quantile: number; high_quantile: number };
}

export interface RefSegment {
  start: number;
  end: number;
  regime: string;
  bars: number;
}

export interface RefDrift {
  splitTs: number;
  psi: number;
  volPsi: number;
  volatilityRatio: number;
}

const SHORT: Record<Dim, string> = { volatility: 'vol', trend: 'trend', drift: 'drift', volume: 'volume' };

function sampleStd(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

/** Mid-rank fraction of x[t] among the finite values of x[t-window+1..t], or NaN. */
function rankAt(x: number[], t: number, window: number, minCount: number): number {
  if (!Number.isFinite(x[t])) return NaN;
  const hist = x.slice(Math.max(0, t - window + 1), t + 1).filter(Number.isFinite);
  if (hist.length < minCount) return NaN;
  const less = hist.filter((v) => v < x[t]).length;
  const equal = hist.filter((v) => v === x[t]).length;
  return (less + 0.5 * equal) / hist.length;
}

function level(score: number, low: number, high: number): string | null {
  if (Number.isNaN(score)) return null;
  return score < low ? 'low' : score > high ? 'high' : 'normal';
}

/** Drift metrics of the two windows ending at bar t, or null when undefined. */
function driftAt(r: number[], t: number, w: number, bins: number, eps: number): Omit<RefDrift, 'splitTs'> | null {
  if (t < 2 * w) return null;
  const E = r.slice(t - 2 * w + 1, t - w + 1);
  const A = r.slice(t - w + 1, t + 1);
  if (![...E, ...A].every(Number.isFinite)) return null;
  const volatilityRatio = sampleStd(A) / sampleStd(E);
  if (Number.isNaN(volatilityRatio)) return null;
  return {
    psi: psi(Float64Array.from(E), Float64Array.from(A), bins, eps),
    volPsi: psi(Float64Array.from(E, Math.abs), Float64Array.from(A, Math.abs), bins, eps),
    volatilityRatio,
  };
}

/** Every bar's smoothed key (null before the first), the segments and the drift rows. */
export function refRegimes(
  time: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  garchSigma: ArrayLike<number>,
  cfg: RefRegimeConfig,
): { keys: (string | null)[]; segments: RefSegment[]; drift: RefDrift[] } {
  const n = close.length;
  const r = Array.from({ length: n }, (_, t) => (t === 0 ? NaN : Math.log(close[t] / close[t - 1])));
  const v = cfg.volatility;
  const realised = Array.from({ length: n }, (_, t) => {
    if (t < v.lookback - 1) return NaN;
    const win = r.slice(t - v.lookback + 1, t + 1);
    return win.every(Number.isFinite) ? sampleStd(win) : NaN;
  });
  const sigma = Array.from(garchSigma);
  const alpha = 2 / (cfg.volume.span + 1);
  const vbar: number[] = [];
  for (let t = 0; t < n; t++) vbar.push(t === 0 ? volume[0] : alpha * volume[t] + (1 - alpha) * vbar[t - 1]);
  const d = cfg.drift;

  const labelOf = (dim: Dim, t: number): string | null => {
    switch (dim) {
      case 'volatility':
        return level(0.5 * (rankAt(sigma, t, v.history, v.min_history) + rankAt(realised, t, v.history, v.min_history)), v.low_quantile, v.high_quantile);
      case 'trend': {
        if (t < cfg.trend.lookback) return null;
        const rho = Math.log(close[t] / close[t - cfg.trend.lookback]);
        if (!Number.isFinite(rho)) return null;
        return rho >= cfg.trend.bull_min_return ? 'bull' : rho <= cfg.trend.bear_max_return ? 'bear' : 'sideways';
      }
      case 'drift': {
        const m = driftAt(r, t, d.window, d.psi_bins, d.psi_eps);
        if (m === null) return null;
        const q = m.volatilityRatio;
        return m.psi > d.psi_threshold || m.volPsi > d.vol_psi_threshold || q > d.volatility_ratio_max || q < 1 / d.volatility_ratio_max ? 'shift' : 'stable';
      }
      case 'volume':
        return level(rankAt(vbar, t, cfg.volume.history, cfg.volume.min_history), cfg.volume.low_quantile, cfg.volume.high_quantile);
    }
  };

  const raw = Array.from({ length: n }, (_, t) => {
    const parts = cfg.key.map((dim) => {
      const label = labelOf(dim, t);
      return label === null ? null : `${SHORT[dim]}=${label}`;
    });
    return parts.includes(null) ? null : parts.join('|');
  });
  const keys: (string | null)[] = [];
  for (let t = 0; t < n; t++) {
    const held = t + 1 >= cfg.min_duration && raw[t] !== null && raw.slice(t - cfg.min_duration + 1, t + 1).every((k) => k === raw[t]);
    keys.push(held ? raw[t] : t > 0 ? keys[t - 1] : null);
  }

  const segments: RefSegment[] = [];
  for (let t = 0; t < n; t++) {
    const k = keys[t];
    if (k === null) continue;
    const last = segments.at(-1);
    if (last !== undefined && last.end === t - 1 && last.regime === k) {
      last.end = t;
      last.bars++;
    } else segments.push({ start: t, end: t, regime: k, bars: 1 });
  }

  const drift: RefDrift[] = [];
  for (let t = 2 * d.window; t < n; t += d.window) {
    const m = driftAt(r, t, d.window, d.psi_bins, d.psi_eps);
    if (m !== null) drift.push({ splitTs: time[t - d.window + 1], ...m });
  }
  return { keys, segments, drift };
}
