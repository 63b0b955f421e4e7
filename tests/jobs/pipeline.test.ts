/**
 * The entry points' jobs: ETL stores the window's bars, quality snapshots and drift rows (labels
 * from the history before it), and the pipeline chains ETL, optimize on the data before the
 * auto-trade window, auto-trade and the regime state; bad input refused before the store is opened.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { alignPanel } from '../../src/data/panel.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { UsageError } from '../../src/errors.js';
import { dayOf, runEtl } from '../../src/jobs/etl.js';
import { runPipeline } from '../../src/jobs/pipeline.js';
import { detectAllRegimes } from '../../src/jobs/regime.js';
import { projectRoot } from '../../src/paths.js';
import { poolSettings } from '../../src/pool/settings.js';
import { DatabaseManager } from '../../src/store/database.js';
import { storedDriftMetrics } from '../../src/store/drift-metrics.js';
import { qualitySnapshots } from '../../src/store/ingest.js';
import { PaperBook } from '../../src/store/paper-book.js';
import { configDirWith } from '../helpers/config-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-pipeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Regimes by trend only, a 100-bar warm-up and a 60-bar hold-out gate: per-regime runs fit 1,500 bars. */
function config(): PnloptConfig {
  let dir = configDirWith('quant_success_config.yml', (d) => d.setIn(['hold_out', 'min_bars'], 60));
  dir = configDirWith('regime_config.yml', (d) => d.setIn(['regimes', 'key'], ['trend']), dir);
  dir = configDirWith('strategy_optimization_config.yml', (d) => d.setIn(['evaluation', 'warmup_bars'], 100), dir);
  const base = loadConfig({ dir });
  // Forecasts in the test config's cache, shared with tests/cli/commands/entry-points.test.ts (the same synthetic series).
  return { ...base, runtime: { ...base.runtime, runtime: { ...base.runtime.runtime, runs_dir: join(tmp, 'runs') } } };
}

const cfg = config();
const data = generateSynthetic({ tickers: 2, bars: 1500, seed: 4, config: cfg.synthetic });
const panel = alignPanel(data);
const NOW = new Date('2026-12-03T00:00:00Z');
let dbs = 0;
const db = () => new DatabaseManager(join(tmp, `p${dbs++}.db`));
const never = (): DatabaseManager => {
  throw new Error('the store was opened');
};

describe('runEtl', () => {
  it('stores the window\'s bars, one quality snapshot of them per ticker, and the drift rows of its splits, labelled from the history before it', () => {
    const [start, end] = ['2004-01-01', '2004-12-31'];
    const dbm = db();
    const s = runEtl({ cfg, data, dbm, start, end, now: NOW });
    const inWindow = (ms: number) => dayOf(ms) >= start && dayOf(ms) <= end;
    const stored = dbm.db.prepare('SELECT ticker, COUNT(*) AS n, MIN(ts) AS first, MAX(ts) AS last FROM ohlcv GROUP BY ticker ORDER BY ticker').all();
    const expected = data.series.map((x) => {
      const ts = Array.from(x.time).filter(inWindow);
      return { ticker: x.ticker, n: ts.length, first: ts[0], last: ts.at(-1) };
    });
    expect(stored).toEqual(expected);
    expect(qualitySnapshots(dbm).map((q) => [q.ticker, q.rows])).toEqual(expected.map((e) => [e.ticker, e.n]));
    // Labels are causal: the whole data's drift rows with the split in the window and the later
    // window (drift.window returns from the split) complete by the end are those of the bars up to the end.
    const w = cfg.regime.regimes.drift.window;
    const drift = detectAllRegimes(data, cfg).flatMap((t) => t.drift.filter((r) => {
      const split = t.time.indexOf(r.splitTs);
      return inWindow(r.splitTs) && inWindow(t.time[split + w - 1]);
    }));
    expect(drift.length).toBeGreaterThan(0);
    expect(storedDriftMetrics(dbm).map(({ createdAt: _, ...r }) => r)).toEqual(drift);
    expect(s.drift_rows).toBe(drift.length);
    // Four years of history label every bar of the window: the segments cover it exactly.
    for (const [k, t] of s.regimes.tickers.entries()) {
      expect(t.segments[0].start).toBe(dayOf(expected[k].first!));
      expect(t.segments.reduce((a, g) => a + g.bars, 0)).toBe(expected[k].n);
    }
  });

  it('refuses an unknown ticker, dates out of order and a window without bars, naming the flag or variable, before the store is opened', () => {
    const names = { tickers: 'TICKERS', start: 'START_DATE', end: '--end' };
    expect(() => runEtl({ cfg, data, dbm: never, tickers: ['SYN0', 'FOO'] })).toThrow(new UsageError('--tickers: FOO is not in the data (tickers: SYN0, SYN1)'));
    expect(() => runEtl({ cfg, data, dbm: never, tickers: ['FOO'], names })).toThrow(/^TICKERS: FOO is not in the data/);
    expect(() => runEtl({ cfg, data, dbm: never, start: '2004-02-01', end: '2004-01-01', names })).toThrow(new UsageError('START_DATE 2004-02-01 is after --end 2004-01-01'));
    expect(() => runEtl({ cfg, data, dbm: never, start: '2030-01-01' })).toThrow(/^2030-01-01 \.\. \d{4}-\d{2}-\d{2} \(--start \.\. --end\) holds no bar of SYN0/);
    expect(() => runEtl({ cfg, data, dbm: never, end: '2004-02-30' })).toThrow(new UsageError('--end: expected a date YYYY-MM-DD, got "2004-02-30"'));
  });
});

describe('runPipeline', () => {
  const request = { cfg, data, pool: poolSettings(cfg, { workers: 2 }), families: ['ts_with_fallback'], optimizer: 'random', budget: 12, seed: 5, now: NOW };

  it('optimizes per regime on the data before --start, auto-trades --start .. --end and writes the regime state to the given path only', async () => {
    const project = join(projectRoot(), cfg.paper.regime_state.path);
    const before = existsSync(project) ? readFileSync(project, 'utf8') : null;
    mkdirSync(join(tmp, 'trial'));
    const state = join(tmp, 'trial', 'regime_state.yml');
    const dbm = db();
    const s = await runPipeline({ ...request, dbm, start: '2005-01-03', end: '2005-06-30', regimeStatePath: state });
    expect(s.status).toBe('completed');
    // 2005-01-03 is a Monday: the optimize data ends the Friday before.
    expect(s.settings).toEqual({ families: ['ts_with_fallback'], optimizer: 'random', budget: 12, seed: 5, start: null, end: '2004-12-31' });
    const runs = s.optimize.regimes.filter((r) => r.summary !== null).map((r) => r.summary!);
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) expect(r.windows.dates.holdout[1] <= '2004-12-31').toBe(true);
    expect(s.optimize.regimes.some((r) => r.summary?.windows.dates.holdout[1] === '2004-12-31')).toBe(true);
    // ETL: every bar up to --end (the history the later stages read).
    expect(s.etl.ingest.tickers.map((t) => dayOf(t.quality.lastTs!))).toEqual(['2005-06-30', '2005-06-30']);
    expect(s.etl.ingest.tickers.map((t) => dayOf(t.quality.firstTs!))).toEqual([dayOf(panel.time[0]), dayOf(panel.time[0])]);
    expect([s.paper!.first_bar, s.paper!.last_bar]).toEqual(['2005-01-03', '2005-06-30']);
    expect(new PaperBook(dbm).fills(s.paper!.session_id).every((f) => dayOf(f.ts) >= '2005-01-03' && dayOf(f.ts) <= '2005-06-30')).toBe(true);
    expect(s.regime_state!.path).toBe(state);
    expect(readFileSync(state, 'utf8')).toContain('regime_state:');
    expect(existsSync(project) ? readFileSync(project, 'utf8') : null).toBe(before);
  }, 30_000);

  it('limits the evaluation window to the last lookbackBars bars before the window, and refuses more bars than there are', async () => {
    const regimeState = join(tmp, 'lookback-state.yml');
    const s = await runPipeline({ ...request, dbm: db(), lookbackBars: 600, regimeStatePath: regimeState });
    // Default window: the last paper.default_bars bars; the evaluation starts 600 bars before it.
    const from = panel.T - cfg.paper.paper.default_bars;
    expect([s.settings.start, s.settings.end]).toEqual([dayOf(panel.time[from - 600]), dayOf(panel.time[from - 1])]);
    const runs = s.optimize.regimes.filter((r) => r.summary !== null).map((r) => r.summary!);
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) expect(r.windows.dates.search[0] >= s.settings.start!).toBe(true);
    await expect(runPipeline({ ...request, dbm: never, lookbackBars: from + 1 })).rejects.toThrow(
      new UsageError(`an evaluation window of ${from + 1} bars before ${dayOf(panel.time[from])}: expected a whole number from 1 to the ${from} bars of the data before it`),
    );
    await expect(runPipeline({ ...request, dbm: never, start: dayOf(panel.time[0]) })).rejects.toThrow(/^--start \d{4}-\d{2}-\d{2}: no bar of the data before it to optimize on/);
    await expect(runPipeline({ ...request, dbm: never, optimizer: 'gradient' })).rejects.toThrow(/^--optimizer: expected one of /);
  }, 30_000);
});
