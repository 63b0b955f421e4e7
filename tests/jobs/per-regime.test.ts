/** Per-regime optimization: a regime's bars spliced into one series, one run and one adoption per regime. */
import { describe, expect, it } from 'vitest';
import { METRIC_COUNT, Metric } from '../../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../../src/config/load.js';
import { encodeNamedValues, paramLayout } from '../../src/config/param-layout.js';
import { hashMarketData } from '../../src/data/hash.js';
import { alignPanel } from '../../src/data/panel.js';
import { toShared } from '../../src/data/shared.js';
import type { MarketData } from '../../src/data/types.js';
import { buildContext } from '../../src/jobs/context.js';
import { runPerRegime, spliceBars } from '../../src/jobs/per-regime.js';
import { detectAllRegimes, type TickerRegimes } from '../../src/jobs/regime.js';
import { evaluationWindows } from '../../src/jobs/windows.js';
import { poolSettings } from '../../src/pool/settings.js';
import { createRng } from '../../src/rng.js';
import { createEvaluator } from '../../src/simulation/evaluator.js';
import { DatabaseManager } from '../../src/store/database.js';
import { StrategyCache } from '../../src/store/strategy-cache.js';
import { configDirWith } from '../helpers/config-dir.js';

const DAY = 86_400_000;

function series(close: number[], open: number[], ticker = 'SYN'): MarketData {
  const n = close.length;
  const s = {
    ticker, n, time: toShared(Array.from({ length: n }, (_, t) => Date.UTC(2000, 0, 3) + t * DAY)),
    open: toShared(open), high: toShared(close.map((c, t) => Math.max(c, open[t]) * 1.001)), low: toShared(close.map((c, t) => Math.min(c, open[t]) * 0.999)),
    close: toShared(close), volume: toShared(close.map(() => 1e6)),
  };
  return { sources: ['synthetic'], series: [s], hash: hashMarketData([s]) };
}

describe('spliceBars', () => {
  it('keeps the chosen bars in time order, each run scaled to open at the previous run\'s last close (checked by hand)', () => {
    const data = series([10, 11, 12, 13, 14, 15], [9, 10.5, 11.5, 12.5, 13.5, 14.5]);
    const s = data.series[0];
    const ref = { ticker: 'SYN', time: s.time } as unknown as TickerRegimes;
    const part = spliceBars(data, ref, (t) => t === 0 || t === 1 || t === 4, 'k');
    const out = part.data.series[0];
    expect([part.bars, part.segments, out.n]).toEqual([3, 2, 3]);
    expect([...out.time]).toEqual([s.time[0], s.time[1], s.time[4]]);
    // Bar 4 (open 13.5, close 14) scaled by 11 / 13.5 so that it opens at bar 1's close.
    expect([...out.open]).toEqual([9, 10.5, 13.5 * (11 / 13.5)]);
    expect([...out.close]).toEqual([10, 11, 14 * (11 / 13.5)]);
    expect(out.close[2] / out.open[2]).toBeCloseTo(14 / 13.5, 14); // the bar's own return is kept
    expect(part.data.hash).not.toBe(data.hash);
  });
});

describe('runPerRegime', () => {
  it('finds a different optimum per regime on a two-regime series, each at least as good as the other regime\'s in its own regime (strictly better in one), adopted under its key', async () => {
    // Alternating 300-bar blocks: a steady rise, then a sideways oscillation (period 30 bars); regimes by trend only.
    const rand = createRng(5, 'per-regime-test');
    const close: number[] = [];
    const open: number[] = [];
    let p = 100;
    for (let b = 0; b < 12; b++) {
      const anchor = p;
      for (let i = 0; i < 300; i++) {
        open.push(p * (1 + 0.001 * (rand() - 0.5)));
        p = b % 2 === 0 ? p * Math.exp(0.002 + 0.006 * (rand() - 0.5)) : anchor * Math.exp(0.05 * Math.sin((2 * Math.PI * i) / 30) + 0.004 * (rand() - 0.5));
        close.push(p);
      }
    }
    const data = series(close, open);
    let dir = configDirWith('regime_config.yml', (d) => d.setIn(['regimes', 'key'], ['trend']));
    dir = configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1), dir);
    dir = configDirWith('strategy_optimization_config.yml', (d) => {
      d.setIn(['families', 'sma_cross', 'params', 'fast'], d.createNode({ type: 'int', low: 2, high: 20 }));
      d.setIn(['families', 'sma_cross', 'params', 'slow'], d.createNode({ type: 'int', low: 21, high: 120 }));
      d.setIn(['optimizer', 'nsga2', 'population'], 40);
    }, dir);
    dir = configDirWith('quant_success_config.yml', (d) => {
      d.setIn(['guardrails', 'min_win_rate'], 0);
      d.setIn(['guardrails', 'min_profit_factor'], 0);
      d.setIn(['guardrails', 'max_drawdown'], 1);
      d.setIn(['guardrails', 'min_total_trades'], 1); // a rising regime's best holds from start to end
    }, dir);
    const cfg = loadConfig({ dir });
    const dbm = new DatabaseManager(':memory:');
    const s = await runPerRegime({
      cfg, data, families: ['sma_cross'], optimizer: 'nsga2', budget: 800, maxSeconds: Infinity, seed: 3,
      pool: poolSettings(cfg, { workers: 1 }), dbm, outDir: `${process.env.TMPDIR ?? '/tmp'}/pnlopt-per-regime-${process.pid}`,
    });
    expect(s.status).toBe('completed');
    const optimized = s.regimes.filter((r) => r.status === 'optimized');
    expect(optimized.map((r) => r.regime).sort()).toEqual(['trend=bull', 'trend=sideways']);
    for (const r of s.regimes.filter((x) => x.status === 'skipped')) expect(r.reason).toMatch(/no bar|hold-out/);
    const [bull, side] = ['trend=bull', 'trend=sideways'].map((k) => optimized.find((r) => r.regime === k)!);
    for (const r of [bull, side]) {
      expect(r.summary!.adopted, r.summary!.adoption_reason).toBe(true);
      expect(r.summary!.data_hash).not.toBe(data.hash);
    }
    expect(side.summary!.best!.params).not.toEqual(bull.summary!.best!.params);

    // Each optimum against the other's, on the regime's own search window (its bars spliced as the job splices them).
    const layout = paramLayout(cfg, 'sma_cross', []);
    const labels = detectAllRegimes(data, cfg)[0];
    const gains: number[] = [];
    for (const [own, other] of [[side, bull], [bull, side]] as const) {
      const index = labels.keys.findIndex((k) => k.key === own.regime);
      const part = spliceBars(data, labels, (t) => labels.labels[t] === index, own.regime);
      expect(part.data.hash).toBe(own.summary!.data_hash);
      const panel = alignPanel(part.data);
      const w = evaluationWindows(cfg, panel.time).search;
      const ev = createEvaluator(layout, await buildContext(cfg, layout, panel, part.data.hash, { ...w, feeBps: undefined }));
      const F = new Float64Array(METRIC_COUNT);
      const sharpe = (params: Record<string, number | string>) => {
        ev.evaluate(encodeNamedValues(layout, new Map(Object.entries(params).map(([k, v]) => [k, String(v)]))).row, 1, F);
        return F[Metric.sharpe];
      };
      const [mine, theirs] = [sharpe(own.summary!.best!.params), sharpe(other.summary!.best!.params)];
      expect(mine, own.regime).toBeGreaterThanOrEqual(theirs);
      gains.push(mine - theirs);
    }
    // Not one optimum that suits both: in at least one regime the other's is strictly worse.
    expect(Math.max(...gains)).toBeGreaterThan(0);

    const cached = new StrategyCache(dbm).entries();
    expect(cached.map((e) => [e.regime, e.data_hash]).sort()).toEqual([['trend=bull', data.hash], ['trend=sideways', data.hash]]);
    dbm.close();
  }, 60_000);
});
