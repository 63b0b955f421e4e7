import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { SyntheticDataConfig } from '../../src/config/synthetic.js';
import { UsageError } from '../../src/errors.js';
import { loadMarketData } from '../../src/data/load.js';
import { generateSynthetic, syntheticRegimes, TRENDS, VOL_LEVELS } from '../../src/data/synth.js';
import type { MarketData, OhlcvSeries } from '../../src/data/types.js';
import { writeCsv } from '../../src/data/write.js';
import { LIVE_CONFIG_DIR, TEST_CONFIG_DIR } from '../helpers/config.js';

const dir = mkdtempSync(join(tmpdir(), 'pnlopt-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readSynthetic = (dir: string) => parse(readFileSync(join(dir, 'synthetic_data_config.yml'), 'utf8')) as Record<string, unknown>;
const raw = readSynthetic(TEST_CONFIG_DIR);
const config = SyntheticDataConfig.parse(raw);

function bytesOf(data: MarketData): Buffer {
  return Buffer.concat(
    data.series.flatMap((s) => [s.time, s.open, s.high, s.low, s.close, s.volume].map((c) => Buffer.from(c.buffer, c.byteOffset, s.n * 8))),
  );
}

/** Reference check of the validation rules, written out directly. */
function ruleBreaks(s: OhlcvSeries): string[] {
  const out: string[] = [];
  for (let t = 0; t < s.n; t++) {
    const [o, h, l, c, v] = [s.open[t], s.high[t], s.low[t], s.close[t], s.volume[t]];
    if (![o, h, l, c, v].every(Number.isFinite)) out.push(`${t}: not finite`);
    if (!(o > 0 && h > 0 && l > 0 && c > 0)) out.push(`${t}: price <= 0`);
    if (h < Math.max(o, c) || l > Math.min(o, c)) out.push(`${t}: high/low outside the body`);
    if (v < 0) out.push(`${t}: negative volume`);
    if (t > 0 && !(s.time[t] > s.time[t - 1])) out.push(`${t}: time not increasing`);
  }
  return out;
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
function std(a: number[]): number {
  const m = mean(a);
  return Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / (a.length - 1));
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

describe('SyntheticDataConfig', () => {
  it('accepts config/synthetic_data_config.yml', () => {
    // Reads config/ on purpose: the shipped file must parse. The generator tests below use the frozen copy.
    expect(() => SyntheticDataConfig.parse(readSynthetic(LIVE_CONFIG_DIR))).not.toThrow();
    expect(config.start_date).toBe('2000-01-03');
  });

  it('rejects unknown keys, out-of-bound values and inconsistent orderings', () => {
    const paths = (bad: unknown) => SyntheticDataConfig.safeParse(bad).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const with_ = (patch: (c: typeof config) => void) => {
      const c = structuredClone(config);
      patch(c);
      return c;
    };
    expect(paths({ ...raw, extra: 1 })).toEqual([': Unrecognized key: "extra"']);
    expect(paths(with_((c) => (c.market.correlation = 1.5)))).toEqual(['market.correlation: Too big: expected number to be <=1']);
    expect(paths(with_((c) => (c.volatility.high.daily_vol = 0.001)))).toEqual(['volatility: high.daily_vol must exceed low.daily_vol']);
    expect(paths(with_((c) => (c.trend.bear.daily_drift = 0.01)))).toEqual(['trend: drifts must be ordered bull > sideways > bear']);
    expect(paths(with_((c) => (c.start_price.min = 500)))).toEqual(['start_price.max: min must be <= max']);
    expect(paths(with_((c) => (c.start_date = '2000-02-30')))).toEqual(['start_date: Invalid ISO date']);
    expect(paths(with_((c) => (c.factor.loadings = [0.5, 1.2])))).toEqual(['factor.loadings.1: Too big: expected number to be <=1']);
    expect(paths(with_((c) => (c.factor.loadings = [])))).toEqual(['factor.loadings: Too small: expected array to have >=1 items']);
  });
});

describe('generateSynthetic', () => {
  it('is reproducible: same seed, same bytes; another seed, other bytes', () => {
    const a = generateSynthetic({ tickers: 3, bars: 500, seed: 7, config });
    const b = generateSynthetic({ tickers: 3, bars: 500, seed: 7, config });
    const c = generateSynthetic({ tickers: 3, bars: 500, seed: 8, config });
    expect(bytesOf(a).equals(bytesOf(b))).toBe(true);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
    expect(bytesOf(a).equals(bytesOf(c))).toBe(false);
  });

  it('leaves existing tickers unchanged when more are added', () => {
    const two = generateSynthetic({ tickers: 2, bars: 300, seed: 3, config });
    const three = generateSynthetic({ tickers: 3, bars: 300, seed: 3, config });
    expect(three.series.map((s) => s.ticker)).toEqual(['SYN0', 'SYN1', 'SYN2']);
    expect(Array.from(three.series[1].close)).toEqual(Array.from(two.series[1].close));
    expect(generateSynthetic({ tickers: 11, bars: 1, seed: 3, config }).series[10].ticker).toBe('SYN10');
  });

  it('passes validation on every row, through a CSV round trip too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 400 }), (seed, tickers, bars) => {
        const data = generateSynthetic({ tickers, bars, seed, config });
        expect(data.series.flatMap(ruleBreaks)).toEqual([]);
        const path = join(dir, `SYN0.csv`);
        writeCsv(data, path);
        expect(loadMarketData([path]).hash).toBe(data.hash);
      }),
      { numRuns: 15 },
    );
  });

  it('puts bars on consecutive weekdays from the configured start', () => {
    const { time } = generateSynthetic({ tickers: 1, bars: 30, seed: 1, config }).series[0];
    expect(time[0]).toBe(Date.UTC(2000, 0, 3)); // a Monday
    for (let t = 1; t < time.length; t++) {
      const day = new Date(time[t]).getUTCDay();
      expect(day === 0 || day === 6).toBe(false);
      // One day apart, or three from Friday to Monday.
      expect((time[t] - time[t - 1]) / 86_400_000).toBe(day === 1 ? 3 : 1);
    }
    const saturday = { ...config, start_date: '2000-01-01' };
    expect(generateSynthetic({ tickers: 1, bars: 1, seed: 1, config: saturday }).series[0].time[0]).toBe(Date.UTC(2000, 0, 3));
  });

  it('rejects a non-positive or fractional size', () => {
    expect(() => generateSynthetic({ tickers: 0, bars: 10, seed: 1, config })).toThrow(UsageError);
    expect(() => generateSynthetic({ tickers: 1, bars: 1.5, seed: 1, config })).toThrow(UsageError);
  });
});

describe('regimes', () => {
  it('switches both chains over 2,000 bars and reports the path the data used', () => {
    const path = syntheticRegimes({ bars: 2000, seed: 11, config });
    expect(new Set(path.trend).size).toBeGreaterThan(1);
    expect(new Set(path.volatility).size).toBeGreaterThan(1);
    // Persistence 0.99 and 0.98: about 20 and 40 switches expected in 2,000 bars.
    const switches = (a: Uint8Array) => a.reduce((m, x, t) => m + (t > 0 && x !== a[t - 1] ? 1 : 0), 0);
    expect(switches(path.trend)).toBeGreaterThan(5);
    expect(switches(path.volatility)).toBeGreaterThan(10);
    expect(syntheticRegimes({ bars: 2000, seed: 11, config })).toEqual(path);
  });

  it('realises the configured ordering of drift, volatility and volume per regime', () => {
    const bars = 20_000;
    const seed = 5;
    const data = generateSynthetic({ tickers: 2, bars, seed, config });
    const { trend, volatility } = syntheticRegimes({ bars, seed, config });
    const byTrend = TRENDS.map(() => [] as number[]);
    const byVol = VOL_LEVELS.map(() => [] as number[]);
    const volumeByVol = VOL_LEVELS.map(() => [] as number[]);
    for (const s of data.series) {
      for (let t = 1; t < bars; t++) {
        const r = Math.log(s.close[t] / s.close[t - 1]);
        byTrend[trend[t]].push(r);
        byVol[volatility[t]].push(r);
        volumeByVol[volatility[t]].push(s.volume[t]);
      }
    }
    const [bull, bear, sideways] = byTrend.map(mean);
    expect(bull).toBeGreaterThan(sideways);
    expect(sideways).toBeGreaterThan(bear);
    const [low, high] = byVol.map(std);
    expect(high).toBeGreaterThan(low);
    expect(median(volumeByVol[1])).toBeGreaterThan(median(volumeByVol[0]));
  });

  it('correlates tickers through the market factor as configured at beta 1', () => {
    const beta1 = { ...config, market: { correlation: 0.5, beta: { min: 1, max: 1 } } };
    const [a, b] = generateSynthetic({ tickers: 2, bars: 20_000, seed: 9, config: beta1 }).series;
    const ra: number[] = [];
    const rb: number[] = [];
    for (let t = 1; t < a.n; t++) {
      ra.push(Math.log(a.close[t] / a.close[t - 1]));
      rb.push(Math.log(b.close[t] / b.close[t - 1]));
    }
    const [ma, mb] = [mean(ra), mean(rb)];
    const cov = ra.reduce((m, x, i) => m + (x - ma) * (rb[i] - mb), 0) / (ra.length - 1);
    // Sample correlation standard error ~ (1 - 0.5^2) / sqrt(20,000) = 0.005; allow 0.05.
    expect(cov / (std(ra) * std(rb))).toBeCloseTo(0.5, 1);
  });
});

describe('factor loadings (a one-factor basket)', () => {
  /** Sample correlation of the close-to-close log returns of two series. */
  function correlation(a: OhlcvSeries, b: OhlcvSeries): number {
    const ra: number[] = [];
    const rb: number[] = [];
    for (let t = 1; t < a.n; t++) {
      ra.push(Math.log(a.close[t] / a.close[t - 1]));
      rb.push(Math.log(b.close[t] / b.close[t - 1]));
    }
    const [ma, mb] = [mean(ra), mean(rb)];
    const cov = ra.reduce((m, x, i) => m + (x - ma) * (rb[i] - mb), 0) / (ra.length - 1);
    return cov / (std(ra) * std(rb));
  }
  const withLoadings = (loadings: number[] | null) => ({ ...config, factor: { loadings } });

  it('ships without a factor, so the default output is the market model as before', () => {
    expect(config.factor.loadings).toBeNull();
    expect(SyntheticDataConfig.parse(readSynthetic(LIVE_CONFIG_DIR)).factor.loadings).toBeNull();
  });

  it('correlates two tickers loaded 0.9 at about 0.81 and leaves one loaded 0 independent', () => {
    const bars = 20_000;
    const [a, b, c] = generateSynthetic({ tickers: 3, bars, seed: 9, config: withLoadings([0.9, 0.9, 0]) }).series;
    // Model: corr = b_a b_b = 0.81 and 0 (the tickers share the regime's sigma, so it cancels),
    // plus ~0.003 from the drift every ticker shares (var of the regime drifts / var of the returns).
    // Standard error of a sample correlation rho over n = 19,999 returns: (1 - rho^2) / sqrt(n) =
    // 0.0024 at 0.81, 0.0071 at 0; the tolerance 0.02 is about 8 and 3 standard errors (plus the drift).
    expect(Math.abs(correlation(a, b) - 0.81)).toBeLessThan(0.02);
    expect(Math.abs(correlation(a, c))).toBeLessThan(0.02);
    expect(Math.abs(correlation(b, c))).toBeLessThan(0.02);
    // A negative loading correlates negatively: 0.9 x -0.9 = -0.81.
    const [d, e] = generateSynthetic({ tickers: 2, bars, seed: 9, config: withLoadings([0.9, -0.9]) }).series;
    expect(Math.abs(correlation(d, e) + 0.81)).toBeLessThan(0.02);
  });

  it('is deterministic from the seed, changes only the returns\' mix, and refuses a count other than --tickers', () => {
    const one = generateSynthetic({ tickers: 3, bars: 300, seed: 4, config: withLoadings([0.9, 0.9, 0]) });
    const two = generateSynthetic({ tickers: 3, bars: 300, seed: 4, config: withLoadings([0.9, 0.9, 0]) });
    expect(bytesOf(one).equals(bytesOf(two))).toBe(true);
    expect(one.sources).toEqual(['synthetic:seed=4,tickers=3,bars=300,factor_loadings=0.9/0.9/0']);
    const plain = generateSynthetic({ tickers: 3, bars: 300, seed: 4, config: withLoadings(null) });
    expect(plain.sources).toEqual(['synthetic:seed=4,tickers=3,bars=300']);
    expect(one.hash).not.toBe(plain.hash);
    // The same draws: the first bar's open and the volumes do not depend on the return mix.
    expect(one.series.map((s) => s.open[0])).toEqual(plain.series.map((s) => s.open[0]));
    expect(Array.from(one.series[2].volume)).toEqual(Array.from(plain.series[2].volume));
    expect(one.series.flatMap(ruleBreaks)).toEqual([]);
    expect(() => generateSynthetic({ tickers: 2, bars: 10, seed: 1, config: withLoadings([0.9, 0.9, 0]) })).toThrow(
      new UsageError('factor.loadings: 3 loading(s) for 2 ticker(s); give one per ticker'),
    );
  });

  it('leaves the default output bit for bit: a pinned hash', () => {
    // Recorded before factor loadings existed (seed 7, 3 x 500 bars, the frozen test config).
    expect(generateSynthetic({ tickers: 3, bars: 500, seed: 7, config }).hash).toBe('8d64eec753ea37be94d5c37fe25c344b1bc8042cda80620c09b174d70b64108d');
  });
});
