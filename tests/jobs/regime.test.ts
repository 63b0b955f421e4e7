/**
 * Regime detection (src/jobs/regime.ts): accuracy on synthetic series with known regime switches,
 * no look-ahead, no flicker, equality with the plain reference twin, the key list, the drift rows
 * in the store, and too-short input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RegimeConfig } from '../../src/config/regime.js';
import { generateSynthetic, syntheticRegimes, TRENDS, VOL_LEVELS } from '../../src/data/synth.js';
import type { OhlcvSeries } from '../../src/data/types.js';
import { InputError } from '../../src/errors.js';
import { detectRegimes, garchSigma, regimeKeys, requiredBars, runRegimeDetection, type TickerRegimes } from '../../src/jobs/regime.js';
import { createRng } from '../../src/rng.js';
import { DatabaseManager } from '../../src/store/database.js';
import { storedDriftMetrics } from '../../src/store/drift-metrics.js';
import { refRegimes } from '../reference/regime-reference.js';
import { testConfig } from '../helpers/config.js';

type Regimes = RegimeConfig['regimes'];

const cfg = testConfig();
const regimes = cfg.regime.regimes;
const garch = cfg.strategy.forecast_models.garch!;

/** Bar t's regime key, or null before the first label. */
function keyAt(r: TickerRegimes, t: number): string | null {
  return r.labels[t] < 0 ? null : r.keys[r.labels[t]].key;
}

/** Every dimension, with histories short enough for a few hundred bars to exercise each. */
const ALL_DIMS: Regimes = {
  ...regimes,
  key: ['volatility', 'trend', 'drift', 'volume'],
  volatility: { ...regimes.volatility, history: 250, min_history: 60 },
  drift: { ...regimes.drift, window: 60, psi_bins: 4 },
  volume: { ...regimes.volume, history: 250, min_history: 60 },
};

describe('regime labels on synthetic series with known switches', () => {
  // 4 tickers of 3000 bars sharing one regime path (seed 1): ~60 volatility and ~30 trend switches.
  const BARS = 3000;
  const SEED = 1;
  const data = generateSynthetic({ tickers: 4, bars: BARS, seed: SEED, config: cfg.synthetic });
  const truth = syntheticRegimes({ bars: BARS, seed: SEED, config: cfg.synthetic });
  // The synthetic market is high-volatility half the time, so the volatility label is scored with
  // the two quantiles at the median (low or high, no normal band); the shipped quantiles are scored
  // below by the precision of their low and high labels.
  const medianSplit: Regimes = { ...regimes, volatility: { ...regimes.volatility, low_quantile: 0.5, high_quantile: 0.5 } };
  let detected: TickerRegimes[];
  beforeAll(() => {
    detected = data.series.map((s) => detectRegimes(s, medianSplit, garch, 'synthetic'));
  });

  /** Share of labelled bars whose `dim` label is the truth's. */
  function accuracy(dim: 'volatility' | 'trend'): number {
    let hit = 0, labelled = 0;
    for (const r of detected) {
      for (let t = 0; t < BARS; t++) {
        if (r.labels[t] < 0) continue;
        labelled++;
        const want = dim === 'volatility' ? VOL_LEVELS[truth.volatility[t]] : TRENDS[truth.trend[t]];
        if (r.keys[r.labels[t]].labels[dim] === want) hit++;
      }
    }
    return hit / labelled;
  }

  it('labels volatility right on 81.8% of the bars (asserted >= 78%)', () => {
    // Measured 0.818; seeds 2, 3, 4 give 0.823, 0.773, 0.734 (the ranks are relative to each
    // path's own history). Each switch is seen min_duration - 1 = 4 bars late: ~9% of the ~2600
    // labelled bars with ~60 switches.
    expect(accuracy('volatility')).toBeGreaterThanOrEqual(0.78);
  });

  it('labels the trend right on 53.8% of the bars (asserted >= 50%; chance 1/3)', () => {
    // Measured 0.538; seeds 2, 3, 4 give 0.412, 0.472, 0.456. Over 63 bars a drift of ±0.0008 a
    // day adds ±0.05, 0.8 standard deviations of the noise at 0.8% daily volatility and 0.3 at
    // 2.2%: the trend is hard to see, by design of the data.
    expect(accuracy('trend')).toBeGreaterThanOrEqual(0.5);
  });

  it('with the shipped quantiles, high and low volatility labels are right >= 85% of the time', () => {
    // Measured on two tickers: high 0.891 of 1352 bars, low 0.893 of 1795 (normal, the middle 40% of
    // ranks, is not scored).
    const shipped = data.series.slice(0, 2).map((s) => detectRegimes(s, regimes, garch, 'synthetic'));
    const right = { low: 0, high: 0 };
    const given = { low: 0, high: 0 };
    for (const r of shipped) {
      for (let t = 0; t < BARS; t++) {
        const label = r.labels[t] < 0 ? undefined : r.keys[r.labels[t]].labels.volatility;
        if (label !== 'low' && label !== 'high') continue;
        given[label]++;
        if (VOL_LEVELS[truth.volatility[t]] === label) right[label]++;
      }
    }
    expect(right.high / given.high).toBeGreaterThanOrEqual(0.85);
    expect(right.low / given.low).toBeGreaterThanOrEqual(0.85);
  });

  it('does not flicker: every segment but the last lasts min_duration bars or more, and they tile the labelled bars', () => {
    for (const r of detected) {
      const segs = r.segments;
      expect(segs.length).toBeGreaterThan(10);
      segs.slice(0, -1).forEach((g) => expect(g.bars).toBeGreaterThanOrEqual(regimes.min_duration));
      segs.slice(1).forEach((g, i) => {
        expect(g.start).toBe(segs[i].end + 1);
        expect(g.regime).not.toBe(segs[i].regime);
      });
      expect(segs.at(-1)!.end).toBe(BARS - 1);
      expect(r.labels.findIndex((k) => k >= 0)).toBe(segs[0].start);
      for (const g of segs) for (let t = g.start; t <= g.end; t++) expect(keyAt(r, t)).toBe(g.regime);
    }
  });
});

describe('causality', () => {
  const s = generateSynthetic({ tickers: 1, bars: 700, seed: 5, config: cfg.synthetic }).series[0];
  const base = detectRegimes(s, ALL_DIMS, garch, 'synthetic');

  /** A copy of `s` whose bars after t are replaced by a wilder random walk and other volumes. */
  function perturbAfter(t: number): OhlcvSeries {
    const rng = createRng(9, 'regime-perturb', t);
    const [open, high, low, close, volume] = [s.open.slice(), s.high.slice(), s.low.slice(), s.close.slice(), s.volume.slice()];
    for (let u = t + 1; u < s.n; u++) {
      close[u] = close[u - 1] * Math.exp(0.08 * (rng() - 0.5));
      open[u] = close[u - 1];
      high[u] = Math.max(open[u], close[u]) * 1.01;
      low[u] = Math.min(open[u], close[u]) * 0.99;
      volume[u] *= 0.2 + 3 * rng();
    }
    return { ...s, open, high, low, close, volume };
  }

  // The first labels (~bar 315: GARCH from 251, 60 bars of rank history, then 5 to hold), a GARCH
  // refit bar (251 + 21·8 = 419) and its neighbours, and a late bar.
  it.each([320, 418, 419, 420, 560])('perturbing every bar after t = %i changes no label at or before t', (t) => {
    const other = detectRegimes(perturbAfter(t), ALL_DIMS, garch, 'synthetic');
    expect(Array.from(other.labels.subarray(0, t + 1))).toEqual(Array.from(base.labels.subarray(0, t + 1)));
    // The perturbation reaches later labels, so the check above can fail.
    expect(Array.from(other.labels.subarray(t + 1))).not.toEqual(Array.from(base.labels.subarray(t + 1)));
  });
});

describe('the reference twin', () => {
  it('gives the same key at every bar, the same segments and the same drift rows', () => {
    const s = generateSynthetic({ tickers: 1, bars: 900, seed: 7, config: cfg.synthetic }).series[0];
    const got = detectRegimes(s, ALL_DIMS, garch, 'synthetic');
    const want = refRegimes(s.time, s.close, s.volume, garchSigma(s, garch), ALL_DIMS);
    expect(Array.from({ length: s.n }, (_, t) => keyAt(got, t))).toEqual(want.keys);
    expect(got.segments.map(({ start, end, regime, bars }) => ({ start, end, regime, bars }))).toEqual(want.segments);
    // Every value of each dimension shows up, so the comparison covers each branch.
    for (const dim of ALL_DIMS.key) expect(new Set(got.segments.map((g) => g.labels[dim])).size).toBeGreaterThan(1);
    expect(got.drift.map((d) => [d.splitTs, d.psi, d.volPsi])).toEqual(want.drift.map((d) => [d.splitTs, d.psi, d.volPsi]));
    got.drift.forEach((d, i) => expect(Math.abs(d.volatilityRatio - want.drift[i].volatilityRatio)).toBeLessThanOrEqual(1e-12 * d.volatilityRatio));
  });
});

describe('regime keys', () => {
  it('are the product of the key dimensions, first dimension slowest, the same for every series', () => {
    expect(regimeKeys(regimes).map((k) => k.key)).toEqual(
      ['low', 'normal', 'high'].flatMap((v) => ['bull', 'bear', 'sideways'].map((t) => `vol=${v}|trend=${t}`)),
    );
    expect(regimeKeys({ ...regimes, key: ['drift'] })).toEqual([
      { key: 'drift=stable', labels: { drift: 'stable' } },
      { key: 'drift=shift', labels: { drift: 'shift' } },
    ]);
  });
});

describe('drift rows and the store', () => {
  const data = generateSynthetic({ tickers: 2, bars: 500, seed: 3, config: cfg.synthetic });

  it('records one row per window split and ticker, replaced (not duplicated) by a second run', () => {
    const dbm = new DatabaseManager(':memory:');
    try {
      const first = runRegimeDetection({ cfg, data, dbm, now: new Date('2024-01-02T00:00:00Z') });
      // Windows of 126 returns from bar 1 (1..126, 127..252, 253..378; 379..504 passes bar 499):
      // splits at bars 127 and 253, two rows per ticker.
      expect(first.driftRows).toBe(4);
      const rows = storedDriftMetrics(dbm);
      expect(rows.map((r) => [r.ticker, r.splitTs])).toEqual(['SYN0', 'SYN1'].flatMap((t, k) => [127, 253].map((b) => [t, data.series[k].time[b]])));
      expect(rows[0].createdAt).toBe('2024-01-02T00:00:00.000Z');
      for (const r of rows) expect([r.psi, r.volPsi, r.volatilityRatio].every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      runRegimeDetection({ cfg, data, dbm, now: new Date('2024-01-03T00:00:00Z') });
      const again = storedDriftMetrics(dbm);
      expect(again).toHaveLength(4);
      expect(again.map(({ createdAt: _, ...r }) => r)).toEqual(rows.map(({ createdAt: _, ...r }) => r));
      expect(new Set(again.map((r) => r.createdAt))).toEqual(new Set(['2024-01-03T00:00:00.000Z']));
    } finally {
      dbm.close();
    }
  });

  it('refuses a series too short for a first label, naming source, ticker and the bars needed, before opening the store', () => {
    // Volatility: GARCH's first value at min_history - 1 = 251, then 126 values of rank history
    // (first label 251 + 125 = 376), then min_duration 5 bars to hold: 381 bars.
    expect(requiredBars(regimes, garch).bars).toBe(381);
    const short = generateSynthetic({ tickers: 1, bars: 380, seed: 3, config: cfg.synthetic });
    const dbm = () => {
      throw new Error('the store must not be opened');
    };
    expect(() => runRegimeDetection({ cfg, data: short, dbm })).toThrow(InputError);
    expect(() => runRegimeDetection({ cfg, data: short, dbm })).toThrow(
      /^synthetic:seed=3,tickers=1,bars=380 ticker SYN0: 380 bars; regime detection needs at least 381 \(forecast_models\.garch\.min_history, regimes\.volatility\.lookback and min_history, then regimes\.min_duration\)$/,
    );
    // Long enough for the indicators, but the first regime has not held min_duration bars by the end.
    const enough = generateSynthetic({ tickers: 1, bars: 381, seed: 3, config: cfg.synthetic }).series[0];
    expect(() => detectRegimes(enough, regimes, garch, 'synthetic')).toThrow(/^synthetic ticker SYN0: 381 bars, none labelled: no regime has held for regimes\.min_duration = 5 bars yet/);
  });

  it('asks for forecast_models.garch when volatility is in the key', () => {
    expect(() => detectRegimes(data.series[0], regimes, undefined, 'synthetic')).toThrow(/needs a forecast_models\.garch block/);
    expect(detectRegimes(data.series[0], { ...regimes, key: ['trend'] }, undefined, 'synthetic').segments.length).toBeGreaterThan(0);
  });
});
