/**
 * Seeded synthetic daily OHLCV for several tickers, driven by a known regime path so that regime
 * detection can be tested against the truth.
 *
 * Model, per bar t on a Monday-to-Friday calendar (no holidays):
 * - Regimes: two independent Markov chains, trend in {bull, bear, sideways} and volatility in
 *   {low, high}; each stays with probability `persistence`, else jumps to another state uniformly.
 *   The first bar's states are uniform. All tickers share the path.
 * - Close-to-close log return of ticker i: r = mu + sigma * (beta_i * sqrt(rho) * z_m + sqrt(1 - rho) * z_i),
 *   with mu, sigma from the bar's regimes, z_m the market factor shared by all tickers, z_i the
 *   ticker's own shock (standard normals), rho = `market.correlation` (the pairwise correlation at
 *   beta 1) and beta_i drawn once per ticker.
 * - With `factor.loadings` (b_i, one per ticker) a one-factor basket instead:
 *   r = mu + sigma * (b_i * z_m + sqrt(1 - b_i^2) * z_i), z_m now the common factor, so two tickers
 *   correlate at b_i b_j whatever the regimes (they share sigma). Every draw is the same as without
 *   it (beta_i is still drawn), only the mix changes; without it the output is as before, bit for bit.
 * - open = previous close * exp(gap), gap ~ N(0, (gap_vol_ratio * sigma)^2); before bar 0 the
 *   "previous close" is the ticker's start price. high = max(open, close) * exp(range_vol_ratio *
 *   sigma * |z|), low = min(open, close) * exp(-range_vol_ratio * sigma * |z'|), so the bar passes
 *   validation by construction.
 * - volume = round(base * (sigma / sigma_low) ^ vol_elasticity * exp(noise * z'')).
 *
 * Streams: createRng(seed, 'synth', 'regime'), (…, 'market') and (…, 'ticker', i), so adding
 * tickers leaves the existing ones unchanged.
 */
import type { SyntheticDataConfig } from '../config/synthetic.js';
import { UsageError } from '../errors.js';
import { createRng, type Rng } from '../rng.js';
import { standardNormal } from '../../native-free-kernels/stats/normal.js';
import { marketDataFromSeries } from './load.js';
import { sharedFloat64 } from './shared.js';
import type { MarketData, OhlcvSeries } from './types.js';
import { parseDate } from './validate.js';

/** Trend regimes; `RegimePath.trend` holds indices into this list. */
export const TRENDS = ['bull', 'bear', 'sideways'] as const;
/** Volatility regimes; `RegimePath.volatility` holds indices into this list. */
export const VOL_LEVELS = ['low', 'high'] as const;

/** The regime of every bar, as indices into `TRENDS` and `VOL_LEVELS`. */
export interface RegimePath {
  readonly trend: Uint8Array;
  readonly volatility: Uint8Array;
}

/** What to generate: `tickers` series of `bars` bars each, from `seed` and the validated config. */
export interface SyntheticOptions {
  tickers: number;
  bars: number;
  seed: number;
  config: SyntheticDataConfig;
}

/**
 * Peak bytes per bar of generating and writing synthetic data, measured by `npm run bench:memory`
 * (bench/RESULTS.md): the five Float64 columns, then the writer's copy: for CSV every line as a
 * string, their joined text and its bytes (~107 characters a line); for Arrow the packed columns
 * and the IPC bytes.
 */
export const SYNTH_BYTES_PER_BAR = { csv: 850, arrow: 170 } as const;

const MS_PER_DAY = 86_400_000;
const SATURDAY = 6;
const SUNDAY = 0;

/** The regime path `generateSynthetic` uses for the same `bars`, `seed` and `config`. */
export function syntheticRegimes(opts: Omit<SyntheticOptions, 'tickers'>): RegimePath {
  const { bars, seed, config } = opts;
  requireCount('bars', bars);
  const rng = createRng(seed, 'synth', 'regime');
  const trend = new Uint8Array(bars);
  const volatility = new Uint8Array(bars);
  trend[0] = Math.floor(rng() * TRENDS.length);
  volatility[0] = Math.floor(rng() * VOL_LEVELS.length);
  for (let t = 1; t < bars; t++) {
    trend[t] = nextState(trend[t - 1], config.trend.persistence, TRENDS.length, rng);
    volatility[t] = nextState(volatility[t - 1], config.volatility.persistence, VOL_LEVELS.length, rng);
  }
  return { trend, volatility };
}

/** Synthetic market data for tickers SYN0, SYN1, … (zero-padded), `bars` business days each. */
export function generateSynthetic(opts: SyntheticOptions): MarketData {
  const { tickers, bars, seed, config } = opts;
  requireCount('tickers', tickers);
  const regimes = syntheticRegimes(opts);
  const drift = TRENDS.map((name) => config.trend[name].daily_drift);
  const vol = VOL_LEVELS.map((name) => config.volatility[name].daily_vol);
  const volumeLevel = vol.map((s) => config.volume.base * (s / config.volatility.low.daily_vol) ** config.volume.vol_elasticity);
  const { correlation: rho } = config.market;
  const loadings = config.factor.loadings;
  if (loadings !== null && loadings.length !== tickers) {
    throw new UsageError(`factor.loadings: ${loadings.length} loading(s) for ${tickers} ticker(s); give one per ticker`);
  }
  const { gap_vol_ratio: gapRatio, range_vol_ratio: rangeRatio } = config.bar_shape;

  const time = businessDays(config.start_date, bars);
  const marketRng = createRng(seed, 'synth', 'market');
  const market = new Float64Array(bars);
  for (let t = 0; t < bars; t++) market[t] = standardNormal(marketRng);

  const width = String(tickers - 1).length;
  const series: OhlcvSeries[] = [];
  for (let k = 0; k < tickers; k++) {
    const rng = createRng(seed, 'synth', 'ticker', k);
    const startPrice = uniform(rng, config.start_price.min, config.start_price.max);
    const beta = uniform(rng, config.market.beta.min, config.market.beta.max);
    const b = loadings?.[k];
    const marketLoad = b === undefined ? beta * Math.sqrt(rho) : b;
    const ownLoad = b === undefined ? Math.sqrt(1 - rho) : Math.sqrt(1 - b * b);
    const [open, high, low, close, volume] = Array.from({ length: 5 }, () => sharedFloat64(bars));
    let prevClose = startPrice;
    for (let t = 0; t < bars; t++) {
      const sigma = vol[regimes.volatility[t]];
      const r = drift[regimes.trend[t]] + sigma * (marketLoad * market[t] + ownLoad * standardNormal(rng));
      const o = prevClose * Math.exp(gapRatio * sigma * standardNormal(rng));
      const c = prevClose * Math.exp(r);
      open[t] = o;
      close[t] = c;
      high[t] = Math.max(o, c) * Math.exp(rangeRatio * sigma * Math.abs(standardNormal(rng)));
      low[t] = Math.min(o, c) * Math.exp(-rangeRatio * sigma * Math.abs(standardNormal(rng)));
      volume[t] = Math.round(volumeLevel[regimes.volatility[t]] * Math.exp(config.volume.noise * standardNormal(rng)));
      prevClose = c;
    }
    series.push({ ticker: `SYN${String(k).padStart(width, '0')}`, n: bars, time, open, high, low, close, volume });
  }
  const factor = loadings === null ? '' : `,factor_loadings=${loadings.join('/')}`;
  return marketDataFromSeries([`synthetic:seed=${seed},tickers=${tickers},bars=${bars}${factor}`], series);
}

function requireCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} must be a positive integer, got ${value}`);
}

/** Keep `state` with probability `persistence`, else move to one of the other `k - 1` states uniformly. */
function nextState(state: number, persistence: number, k: number, rng: Rng): number {
  if (rng() < persistence) return state;
  const j = Math.floor(rng() * (k - 1));
  return j >= state ? j + 1 : j;
}


function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng();
}

/** `n` Monday-to-Friday dates (epoch ms, UTC midnight) from `start` on, skipping a weekend start. */
function businessDays(start: string, n: number): Float64Array {
  const out = sharedFloat64(n);
  let day = parseDate(start)!;
  for (let t = 0; t < n; day += MS_PER_DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== SATURDAY && weekday !== SUNDAY) out[t++] = day;
  }
  return out;
}
