/**
 * Re-optimization triggers (src/jobs/triggers.ts): each trigger fires on a constructed case, with
 * what fired it, and stays quiet otherwise; `runPending` carries the requests out and marks them done.
 * Regimes are keyed by trend only, so that labelling the S&P 500 needs no GARCH fits.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { paramLayout } from '../../src/config/param-layout.js';
import { hashMarketData } from '../../src/data/hash.js';
import { loadMarketData } from '../../src/data/load.js';
import { toShared } from '../../src/data/shared.js';
import type { MarketData } from '../../src/data/types.js';
import { formatTime } from '../../src/data/validate.js';
import { UsageError } from '../../src/errors.js';
import { detectAllRegimes } from '../../src/jobs/regime.js';
import { checkTriggers, runPending, type DueTrigger } from '../../src/jobs/triggers.js';
import { poolSettings } from '../../src/pool/settings.js';
import { createRng } from '../../src/rng.js';
import { familyVersion } from '../../src/simulation/families/index.js';
import { DatabaseManager } from '../../src/store/database.js';
import { RegimeObservations } from '../../src/store/regime-observations.js';
import { StrategyCache } from '../../src/store/strategy-cache.js';
import { configDirWith } from '../helpers/config-dir.js';

const SP500 = join(import.meta.dirname, '..', '..', 'data', 'sp500_daily_ohlcv_2000_2020.csv');
const full = loadMarketData([SP500]);
const TICKER = full.series[0].ticker;
const NOW = new Date('2021-01-15T00:00:00Z');
const DAY = 86_400_000;

const TREND_ONLY = configDirWith('regime_config.yml', (d) => d.setIn(['regimes', 'key'], ['trend']));
/** Lenient performance criteria: any configuration that trades meets them. */
const LENIENT = configDirWith('quant_success_config.yml', (d) => {
  d.setIn(['guardrails', 'min_win_rate'], 0);
  d.setIn(['guardrails', 'min_profit_factor'], 0);
  d.setIn(['guardrails', 'max_drawdown'], 1);
}, TREND_ONLY);
const lenient = loadConfig({ dir: LENIENT });

/** The first `bars` bars of every series. */
function cut(data: MarketData, bars: number): MarketData {
  const series = data.series.map((s) => ({
    ticker: s.ticker, n: bars, time: s.time.subarray(0, bars), open: s.open.subarray(0, bars), high: s.high.subarray(0, bars),
    low: s.low.subarray(0, bars), close: s.close.subarray(0, bars), volume: s.volume.subarray(0, bars),
  }));
  return { sources: data.sources, series, hash: hashMarketData(series) };
}

function check(cfg: PnloptConfig, data: MarketData, dbm: DatabaseManager) {
  return checkTriggers({ cfg, data, families: ['sma_cross'], dbm, now: NOW });
}

function fired(due: readonly DueTrigger[], trigger: DueTrigger['trigger']): DueTrigger[] {
  return due.filter((d) => d.trigger === trigger);
}

/** An sma_cross entry under `regime`, chosen on `data` up to its last bar, adopted `ageDays` before NOW. */
function adopt(cfg: PnloptConfig, dbm: DatabaseManager, data: MarketData, regime: string, ageDays: number): void {
  const time = data.series[0].time;
  new StrategyCache(dbm).adopt(
    {
      family: 'sma_cross', familyVersion: familyVersion(paramLayout(cfg, 'sma_cross', [])), regime, runId: 'run-a', dataHash: data.hash,
      window: { search: [formatTime(time[0]), '2015-12-31'], holdout: ['2016-01-04', formatTime(time[time.length - 1])] },
      params: { fast: 20, slow: 100 }, metrics: { sharpe: 0.5 }, holdoutMetrics: { sharpe: 0.4 },
    },
    new Date(NOW.getTime() - ageDays * DAY),
  );
}

describe('check-triggers', () => {
  // The S&P 500 turns from trend=bull to trend=bear on 2020-03-12 (labelled on the bar it is seen).
  const labels = detectAllRegimes(full, lenient)[0];
  const [before, last] = labels.segments.slice(-2);
  const beforeSwitch = cut(full, last.start);

  it('regime_change fires when a ticker\'s regime differs from the one the last check saw, once, for each family', async () => {
    expect([before.regime, last.regime, formatTime(labels.time[last.start])]).toEqual(['trend=bull', 'trend=bear', '2020-03-12']);
    const dbm = new DatabaseManager(':memory:');
    // First check: nothing to compare with, the observation is recorded; the same data again: no change.
    expect(fired((await check(lenient, beforeSwitch, dbm)).due, 'regime_change')).toEqual([]);
    expect(new RegimeObservations(dbm).get(TICKER)).toMatchObject({ regime: 'trend=bull', since: formatTime(labels.time[before.start]), data_hash: beforeSwitch.hash });
    expect(fired((await check(lenient, beforeSwitch, dbm)).due, 'regime_change')).toEqual([]);

    const [change] = fired((await check(lenient, full, dbm)).due, 'regime_change');
    expect(change).toMatchObject({ family: 'sma_cross', regime: 'trend=bear', ticker: TICKER, recorded: true });
    expect(change.details).toEqual({
      previous: { regime: 'trend=bull', since: formatTime(labels.time[before.start]), last_bar: formatTime(labels.time[last.start - 1]) },
      current: { regime: 'trend=bear', since: '2020-03-12', last_bar: formatTime(labels.time[labels.time.length - 1]) },
    });
    expect(change.reason).toMatch(/regime changed from trend=bull \(since \S+, seen up to 2020-03-11\) to trend=bear \(since 2020-03-12\)$/);
    const stored = new StrategyCache(dbm).pending().filter((r) => r.trigger === 'regime_change');
    expect(stored.map((r) => [r.family, r.regime, r.ticker, JSON.parse(r.details_json)])).toEqual([['sma_cross', 'trend=bear', TICKER, change.details]]);
    // Seen: quiet on the same data, and on older data (which leaves the observation as it is).
    expect(fired((await check(lenient, full, dbm)).due, 'regime_change')).toEqual([]);
    expect(fired((await check(lenient, beforeSwitch, dbm)).due, 'regime_change')).toEqual([]);
    expect(new RegimeObservations(dbm).get(TICKER)?.regime).toBe('trend=bear');
  });

  it('stale fires for a cache entry older than cache.max_age_days; a fresh entry that meets the criteria fires nothing', async () => {
    const dbm = new DatabaseManager(':memory:');
    adopt(lenient, dbm, full, 'trend=bear', 5);
    expect((await check(lenient, full, dbm)).due).toEqual([]);

    const old = new DatabaseManager(':memory:');
    adopt(lenient, old, full, 'trend=bear', 45);
    const result = await check(lenient, full, old);
    expect(result.due).toHaveLength(1);
    expect(result.due[0]).toMatchObject({ family: 'sma_cross', regime: 'trend=bear', trigger: 'stale', ticker: TICKER, recorded: true, details: { age_days: 45, max_age_days: 30 } });
    expect(result.pending).toBe(1);
    // Still stale on the next check: reported again, already pending.
    expect((await check(lenient, full, old)).due).toMatchObject([{ trigger: 'stale', recorded: false }]);
  });

  it('performance fires when the cached entry misses a tightened criterion on the recent bars', async () => {
    const strict = loadConfig({ dir: configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'max_drawdown'], 0.001), LENIENT) });
    const dbm = new DatabaseManager(':memory:');
    adopt(strict, dbm, full, 'trend=bear', 5);
    const { due } = await check(strict, full, dbm);
    expect(due).toHaveLength(1);
    expect(due[0]).toMatchObject({ family: 'sma_cross', regime: 'trend=bear', trigger: 'performance', recorded: true });
    const failures = due[0].details.failures as { key: string; value: number; threshold: number }[];
    expect(failures.map((f) => [f.key, f.threshold])).toEqual([['guardrails.max_drawdown', 0.001]]);
    expect(failures[0].value).toBeGreaterThan(0.001);
  });

  it('drift fires on a variance jump in the latest drift window, once; a stationary series stays quiet', async () => {
    const w = lenient.regime.regimes.drift.window;
    const n = 6 * w + 1; // the latest drift row ends at the last bar: its later window is the last w returns
    const series = (jump: number): MarketData => {
      const rand = createRng(11, 'drift-trigger');
      const close: number[] = [];
      let p = 100;
      for (let t = 0; t < n; t++) {
        // Uniform returns of standard deviation 1%, times `jump` over the last w.
        p *= Math.exp((t > n - 1 - w ? jump : 1) * 0.01 * Math.sqrt(12) * (rand() - 0.5));
        close.push(p);
      }
      const s = {
        ticker: 'SYN', n, time: toShared(Array.from({ length: n }, (_, t) => Date.UTC(2000, 0, 3) + t * DAY)),
        open: toShared(close), high: toShared(close.map((c) => c * 1.001)), low: toShared(close.map((c) => c * 0.999)), close: toShared(close), volume: toShared(close.map(() => 1e6)),
      };
      return { sources: ['synthetic'], series: [s], hash: hashMarketData([s]) };
    };
    const dbm = new DatabaseManager(':memory:');
    expect(fired((await check(lenient, series(1), dbm)).due, 'drift')).toEqual([]);

    const jumped = series(3);
    const [drift] = fired((await check(lenient, jumped, new DatabaseManager(':memory:'))).due, 'drift');
    const current = detectAllRegimes(jumped, lenient)[0].segments.at(-1)!.regime;
    expect(drift).toMatchObject({ family: 'sma_cross', regime: current, ticker: 'SYN', recorded: true });
    const d = drift.details as Record<string, number | string>;
    expect(d.split).toBe(formatTime(jumped.series[0].time[n - w]));
    // The later window's returns are 3x as volatile: the ratio is near 3, far outside [1/1.5, 1.5].
    expect(d.volatility_ratio).toBeGreaterThan(2.5);
    expect(d.volatility_ratio).toBeLessThan(3.5);
    expect(d.volatility_ratio_max).toBe(lenient.regime.regimes.drift.volatility_ratio_max);
    expect(drift.reason).toMatch(/SYN's returns drifted across the split at \S+ \(regime_config\.yml regimes\.drift\): PSI .* volatility ratio [\d.]+ \(tolerated within 1\/1\.5 \.\. 1\.5\)$/);

    // The split is seen: the next check stays quiet about it.
    const again = new DatabaseManager(':memory:');
    await check(lenient, jumped, again);
    expect(fired((await check(lenient, jumped, again)).due, 'drift')).toEqual([]);
  });

  it('refuses an unknown ticker and data too short for regime detection, recording nothing', async () => {
    const dbm = new DatabaseManager(':memory:');
    await expect(checkTriggers({ cfg: lenient, data: full, tickers: ['NOPE'], dbm })).rejects.toThrow(/NOPE/);
    await expect(checkTriggers({ cfg: lenient, data: cut(full, 20), dbm })).rejects.toThrow(/regime detection needs at least/);
    expect(new StrategyCache(dbm).requests()).toEqual([]);
    expect(new RegimeObservations(dbm).get(TICKER)).toBeUndefined();
  });

  it('runPending carries out every pending request, per regime or over all bars, marks it done with its run id and adopts under the regime', async () => {
    // Adoption on the search window alone (the hold-out gate is optimize's own test), all-in sma_cross allowed.
    let dir = configDirWith('quant_success_config.yml', (d) => d.setIn(['hold_out', 'required'], false), LENIENT);
    dir = configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1), dir);
    dir = configDirWith('strategy_optimization_config.yml', (d) => {
      d.setIn(['optimizer', 'defaults', 'optimizer'], 'nsga2');
      d.setIn(['optimizer', 'defaults', 'budget'], 60);
      d.setIn(['optimizer', 'nsga2', 'population'], 20);
    }, dir);
    dir = configDirWith('runtime_config.yml', (d) => d.setIn(['runtime', 'runs_dir'], mkdtempSync(join(tmpdir(), 'pnlopt-triggers-'))), dir);
    const cfg = loadConfig({ dir });
    const dbm = new DatabaseManager(':memory:');
    const cache = new StrategyCache(dbm);
    // No entry for trend=bull, the current regime before the switch; and a request over all bars.
    expect((await check(cfg, beforeSwitch, dbm)).due).toMatchObject([{ regime: 'trend=bull', trigger: 'no_entry', recorded: true }]);
    cache.request({ family: 'sma_cross', regime: 'all', ticker: null, trigger: 'performance', reason: 'test', details: {} });

    const started: string[] = [];
    const ran = await runPending({ cfg, data: beforeSwitch, dbm, pool: poolSettings(cfg, { workers: 1 }), onStart: (f, r, id) => started.push(`${f} ${r} ${id}`) });
    expect(ran.map((r) => [r.family, r.regime, r.status, r.marked])).toEqual([['sma_cross', 'trend=bull', 'done', 1], ['sma_cross', 'all', 'done', 1]]);
    expect(started).toEqual(ran.map((r) => `sma_cross ${r.regime} ${r.run_id}`));
    expect(cache.pending()).toEqual([]);
    expect(cache.requests().map((r) => [r.regime, r.status, r.run_id])).toEqual(ran.map((r) => [r.regime, 'done', r.run_id]));
    const bull = ran[0];
    expect(bull.adopted, bull.reason).toBe(true);
    const version = familyVersion(paramLayout(cfg, 'sma_cross', []));
    expect(cache.entriesFor('sma_cross', version, 'trend=bull').map((e) => [e.run_id, e.data_hash])).toEqual([[bull.run_id, beforeSwitch.hash]]);
    // The adopted entry is served now: no cache trigger fires.
    expect((await checkTriggers({ cfg, data: beforeSwitch, families: ['sma_cross'], dbm })).due).toEqual([]);
    expect(await runPending({ cfg, data: beforeSwitch, dbm, pool: poolSettings(cfg, { workers: 1 }) })).toEqual([]);
  });

  it('runPending skips a request it cannot carry out, leaving it pending', async () => {
    const dbm = new DatabaseManager(':memory:');
    const cache = new StrategyCache(dbm);
    cache.request({ family: 'sma_cross', regime: 'vol=high|trend=bear', ticker: TICKER, trigger: 'drift', reason: 'test', details: {} });
    cache.request({ family: 'sma_cross', regime: 'trend=bear', ticker: 'OTHER', trigger: 'drift', reason: 'test', details: {} });
    const ran = await runPending({ cfg: lenient, data: full, dbm, pool: poolSettings(lenient, { workers: 1 }) });
    expect(ran.map((r) => [r.status, r.reason])).toEqual([
      ['skipped', 'regime vol=high|trend=bear is not a regime key of regime_config.yml regimes.key'],
      ['skipped', 'ticker OTHER of the request is not in the data'],
    ]);
    expect(cache.pending()).toHaveLength(2);
    await expect(runPending({ cfg: lenient, data: full, tickers: ['NOPE'], dbm, pool: poolSettings(lenient, { workers: 1 }) })).rejects.toThrow(UsageError);
  });
});
