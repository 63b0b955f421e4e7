/**
 * The paper-trading job: books from the fills, resume and kill equal to one uninterrupted session,
 * idempotent replays, causal routing through the strategy cache, the regime-state multiplier, and
 * bad input refused before anything is written; an optimize run never touches the live tables.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { paramLayout } from '../../src/config/param-layout.js';
import { alignPanel } from '../../src/data/panel.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { formatTime } from '../../src/data/validate.js';
import { ConfigError, InterruptedError, UsageError } from '../../src/errors.js';
import { runOptimization } from '../../src/jobs/optimize.js';
import { runPaper, type PaperRequest } from '../../src/jobs/paper.js';
import { regimeKeys } from '../../src/jobs/regime.js';
import { poolSettings } from '../../src/pool/settings.js';
import { familyVersion } from '../../src/simulation/families/index.js';
import { DatabaseManager } from '../../src/store/database.js';
import { booksOf, PaperBook } from '../../src/store/paper-book.js';
import { StrategyCache } from '../../src/store/strategy-cache.js';
import { TEST_CONFIG_DIR } from '../helpers/config.js';
import { configDirWith } from '../helpers/config-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-paper-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The test config with its own forecast cache and a regime-state path in the temp folder (no file there yet). */
function config(dir = TEST_CONFIG_DIR, statePath = join(tmp, 'none', 'regime_state.yml')): PnloptConfig {
  const base = loadConfig({ dir });
  return {
    ...base,
    runtime: { ...base.runtime, runtime: { ...base.runtime.runtime, cache_dir: join(tmp, 'cache') } },
    paper: { ...base.paper, regime_state: { ...base.paper.regime_state, path: statePath } },
  };
}

const cfg = config();
const data = generateSynthetic({ tickers: 2, bars: 700, seed: 9, config: cfg.synthetic });
const panel = alignPanel(data);
const day = (t: number) => formatTime(panel.time[t]);
let dbs = 0;
const db = () => new DatabaseManager(join(tmp, `p${dbs++}.db`));

function paper(dbm: DatabaseManager, over: Partial<PaperRequest> = {}) {
  return runPaper({ cfg, data, dbm, now: new Date('2026-12-03T00:00:00Z'), ...over });
}

/** Every fill of every session, as stored. */
const fills = (dbm: DatabaseManager) => new PaperBook(dbm).sessions().flatMap((s) => new PaperBook(dbm).fills(s.session_id));

describe('paper: a session', () => {
  it('trades the last paper.default_bars bars by default, and its summary is the books of its fills', async () => {
    const dbm = db();
    const s = await paper(dbm);
    expect(s.bars).toBe(cfg.paper.paper.default_bars);
    expect([s.first_bar, s.last_bar]).toEqual([day(panel.T - cfg.paper.paper.default_bars), day(panel.T - 1)]);
    expect(s.fills).toBeGreaterThan(4);
    const rows = fills(dbm);
    const books = booksOf(rows, s.initial_capital, (t) => panel.close[panel.tickers.indexOf(t) * panel.T + panel.T - 1]);
    expect([s.cash, s.final_equity, s.realized_pnl, s.trades]).toEqual([books.cash, books.equity, books.realizedPnl, books.trades]);
    // cash by hand from the identity, in another order than booksOf's.
    const buys = rows.filter((f) => f.side === 'buy').reduce((a, f) => a + f.quantity * f.price + f.fees, 0);
    const sells = rows.filter((f) => f.side === 'sell').reduce((a, f) => a + f.quantity * f.price - f.fees, 0);
    expect(s.cash).toBeCloseTo(s.initial_capital - buys + sells, 6);
    expect(rows.every((f) => f.source === 'baseline' && f.config_id === null && f.mode === null && f.family === cfg.paper.paper.family)).toBe(true);
    expect(rows.filter((f) => f.realized_pnl !== null)).toHaveLength(s.trades);
    // Without cached optima every regime trades the baseline, and the summary says why.
    expect(s.routes.length).toBeGreaterThan(0);
    for (const r of s.routes) expect(r.reason).toMatch(/trading the baseline \(families\.ts_with_fallback\.baseline\)$/);
  });

  it('resumed in pieces, or killed and resumed, records exactly the fills of one uninterrupted session; a replay adds nothing', async () => {
    const whole = db();
    await paper(whole);
    const from = panel.T - cfg.paper.paper.default_bars;
    const pieces = db();
    const first = await paper(pieces, { to: day(from + 100) });
    expect(first.bars).toBe(101);
    const second = await paper(pieces, { from: day(from + 50) }); // bars already recorded are skipped
    expect(second.new_bars).toBe(cfg.paper.paper.default_bars - 101);
    expect(fills(pieces)).toEqual(fills(whole));
    const again = await paper(pieces, { from: day(0) });
    expect(again.new_bars).toBe(0);
    expect(fills(pieces)).toEqual(fills(whole));

    const killed = db();
    const stop = new AbortController();
    await expect(paper(killed, { signal: stop.signal, onProgress: () => stop.abort('SIGINT') })).rejects.toThrow(InterruptedError);
    const kept = new PaperBook(killed).sessions()[0];
    expect(kept.bars).toBeGreaterThan(0);
    expect(kept.bars).toBeLessThan(cfg.paper.paper.default_bars);
    await paper(killed);
    expect(fills(killed)).toEqual(fills(whole));
  });

  it('serves a cached optimum only from the day its data ends, until it is cache.max_data_lag_bars old', async () => {
    const dbm = db();
    const family = cfg.paper.paper.family;
    const layout = paramLayout(cfg, family, panel.tickers);
    const baseline = cfg.strategy.families[family].baseline!;
    const from = panel.T - cfg.paper.paper.default_bars;
    const ends = day(from + 20);
    const cache = new StrategyCache(dbm);
    // The same configuration adopted for every regime the data has, chosen on data ending at bar from + 20.
    for (const { key: regime } of regimeKeys(cfg.regime.regimes)) {
      cache.adopt({ family, familyVersion: familyVersion(layout), regime, runId: 'r1', dataHash: data.hash, window: { search: [day(0), day(from - 200)], holdout: [day(from - 199), ends] }, params: { ...baseline, fixed_fraction: 0.05 }, metrics: {}, holdoutMetrics: {} });
    }
    // An entry chosen on data after the session's end is never served.
    cache.adopt({ family, familyVersion: familyVersion(layout), regime: regimeKeys(cfg.regime.regimes)[0].key, runId: 'future', dataHash: 'other', window: { search: [day(0), day(panel.T - 1)], holdout: [day(0), '2999-01-01'] }, params: baseline, metrics: {}, holdoutMetrics: {} });
    const s = await paper(dbm);
    const ids = new Set(cache.entries().filter((e) => e.run_id === 'r1').map((e) => e.id));
    const byRoute = s.routes.filter((r) => r.source === 'cache');
    expect(byRoute.length).toBeGreaterThan(0);
    for (const r of byRoute) expect(ids.has(r.config_id!)).toBe(true);
    expect(s.routes.some((r) => r.source === 'baseline' && /more than cache\.max_data_lag_bars \(63\) bars before/.test(r.reason))).toBe(true);
    expect(s.routes.some((r) => r.source === 'baseline' && /was chosen on data ending by then/.test(r.reason))).toBe(true);
    const cached = s.routes.filter((r) => r.source === 'cache').reduce((a, r) => a + r.decisions, 0);
    expect(cached).toBeLessThanOrEqual(panel.tickers.length * (cfg.strategy.cache.max_data_lag_bars + 1));
    for (const f of fills(dbm)) {
      const fromCache = f.source === 'cache';
      expect(fromCache).toBe(f.config_id !== null);
      if (fromCache) expect(formatTime(f.ts) > ends).toBe(true);
    }
  });

  it('sizes with the regime state: an exploration ticker\'s first entry is 0.25 of the plain one, and its fills say so', async () => {
    const plain = db();
    await paper(plain);
    const state = join(tmp, 'state.yml');
    writeFileSync(state, `regime_state:\n  ${panel.tickers[0]}: { n_trades: 3, sharpe_N: null, mode: exploration, state: neutral }\n`);
    const scaled = db();
    const s = await runPaper({ cfg: config(TEST_CONFIG_DIR, state), data, dbm: scaled, now: new Date('2026-12-03T00:00:00Z') });
    expect(s.regime_state).not.toBeNull();
    const firstEntry = (rows: ReturnType<typeof fills>) => rows.find((f) => f.ticker === panel.tickers[0] && f.realized_pnl === null)!;
    const [a, b] = [firstEntry(fills(plain)), firstEntry(fills(scaled))];
    expect(b.ts).toBe(a.ts);
    expect((b.quantity * b.price) / (a.quantity * a.price)).toBeCloseTo(0.25, 9);
    expect(fills(scaled).filter((f) => f.ticker === panel.tickers[0]).every((f) => f.mode === 'exploration')).toBe(true);
    expect(fills(scaled).filter((f) => f.ticker === panel.tickers[1]).every((f) => f.mode === null)).toBe(true);
  });
});

describe('paper: bad input, nothing written', () => {
  it('refuses --from after the data ends', async () => {
    const dbm = db();
    await expect(paper(dbm, { from: '2999-01-01' })).rejects.toThrow(new UsageError(`--from 2999-01-01 is after the data's last bar (${day(panel.T - 1)})`));
    expect(new PaperBook(dbm).sessions()).toEqual([]);
  });

  it('refuses --from past the session\'s next bar (a gap)', async () => {
    const dbm = db();
    await paper(dbm, { to: day(panel.T - 100) });
    await expect(paper(dbm, { from: day(panel.T - 50) })).rejects.toThrow(/would leave a gap after the session's last recorded bar/);
  });

  it('refuses a malformed regime_state.yml, located, before trading', async () => {
    const state = join(tmp, 'bad-state.yml');
    writeFileSync(state, `regime_state:\n  ${panel.tickers[0]}: { n_trades: 3, sharpe_N: 0.1, mode: exploring, state: neutral }\n`);
    const dbm = db();
    const err = await runPaper({ cfg: config(TEST_CONFIG_DIR, state), data, dbm }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(`regime_state\\.${panel.tickers[0]}\\.mode`));
    expect(new PaperBook(dbm).sessions()).toEqual([]);
  });

  it('refuses a family without a live strategy, and a missing baseline when no optimum is cached', async () => {
    await expect(paper(db(), { family: 'sma_cross' })).rejects.toThrow(/has no live strategy to paper trade/);
    const noBaseline = config(configDirWith('strategy_optimization_config.yml', (d) => d.deleteIn(['families', 'ts_with_fallback', 'baseline'])));
    const dbm = db();
    await expect(runPaper({ cfg: noBaseline, data, dbm })).rejects.toThrow(/has no families\.ts_with_fallback\.baseline to trade instead/);
    expect(new PaperBook(dbm).sessions()).toEqual([]);
  });
});

describe('isolation', () => {
  it('an optimize run leaves trade_executions and paper_sessions as they were', async () => {
    const dbm = db();
    await paper(dbm, { to: day(panel.T - 150) });
    const before = [fills(dbm), new PaperBook(dbm).sessions()];
    // A hold-out that fits the 700 bars.
    const short = config(configDirWith('quant_success_config.yml', (d) => d.setIn(['hold_out', 'min_bars'], 60)));
    const s = await runOptimization({
      cfg: short, data, families: ['ts_with_fallback'], optimizer: 'random', budget: 24, maxSeconds: Infinity, seed: 3,
      pool: poolSettings(short, { workers: 1 }), outDir: mkdtempSync(join(tmp, 'run-')), dbm,
    });
    expect(s.evaluated).toBe(24);
    expect([fills(dbm), new PaperBook(dbm).sessions()]).toEqual(before);
  });
});

describe('paper: the fallback to regime all', () => {
  it('serves an entry of regime all (a plain optimize run) where a regime has no usable entry of its own, and says so; a regime\'s own entry comes first', async () => {
    const family = cfg.paper.paper.family;
    const layout = paramLayout(cfg, family, panel.tickers);
    const baseline = cfg.strategy.families[family].baseline!;
    const from = panel.T - cfg.paper.paper.default_bars;
    const window = { search: [day(0), day(from - 200)] as [string, string], holdout: [day(from - 199), day(from - 1)] as [string, string] };
    const adopt = (dbm: DatabaseManager, regime: string, runId: string) =>
      new StrategyCache(dbm).adopt({ family, familyVersion: familyVersion(layout), regime, runId, dataHash: data.hash, window, params: { ...baseline, fixed_fraction: 0.05 }, metrics: {}, holdoutMetrics: {} });
    const plain = db();
    adopt(plain, 'all', 'plain');
    const s = await paper(plain);
    const fromAll = s.routes.filter((r) => r.source === 'cache');
    expect(fromAll.length).toBeGreaterThan(0);
    for (const r of fromAll) expect(r.reason).toBe(`cached by run plain on data up to ${day(from - 1)} (no usable entry for ${r.regime}: the all-regime entry)`);
    // The same with one traded regime's own entry: that regime trades it, the others still the all-regime one.
    const own = fromAll[0].regime;
    const both = db();
    adopt(both, 'all', 'plain');
    adopt(both, own, 'own');
    const t = await paper(both);
    const cached = t.routes.filter((r) => r.source === 'cache');
    expect(cached.filter((r) => r.regime === own).map((r) => r.reason)).toEqual([`cached by run own on data up to ${day(from - 1)}`]);
    for (const r of cached.filter((r) => r.regime !== own)) expect(r.reason).toMatch(/^cached by run plain .*: the all-regime entry\)$/);
  });
});
