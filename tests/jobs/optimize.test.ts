/**
 * A whole optimization job on the embedded S&P 500 data: reproducible whatever the worker count,
 * resumable after an interruption with exactly the uninterrupted results, stored for governance,
 * adopted only through the hold-out gate, and unable to touch the guardrails.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metric } from '../../native-free-kernels/portfolio/metrics.js';
import { configHash, loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { loadMarketData } from '../../src/data/load.js';
import { poolSettings } from '../../src/pool/settings.js';
import { runOptimization, type OptimizationRequest, type OptimizationSummary } from '../../src/jobs/optimize.js';
import { DatabaseManager } from '../../src/store/database.js';
import { blobOf, float64s, int32s } from '../../src/store/candidate-tables.js';
import { RunStore } from '../../src/store/run-store.js';
import { StrategyCache } from '../../src/store/strategy-cache.js';
import { testConfig } from '../helpers/config.js';
import { configDirWith } from '../helpers/config-dir.js';

const SP500 = join(import.meta.dirname, '..', '..', 'data', 'sp500_daily_ohlcv_2000_2020.csv');
const data = loadMarketData([SP500]);

/**
 * Risk policy allowing the whole equity at risk per trade, so that the all-in `sma_cross` (the
 * fastest family) can be feasible; the default 2% makes every one of its candidates infeasible.
 */
const ALL_IN_ALLOWED = configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1));

/** The config with a small NSGA-II (population 40), so a job of a few hundred candidates has generations. */
function smallConfig(cfg: PnloptConfig = loadConfig({ dir: ALL_IN_ALLOWED })): PnloptConfig {
  const optimizer = { ...cfg.strategy.optimizer, nsga2: { ...cfg.strategy.optimizer.nsga2, population: 40 } };
  return { ...cfg, strategy: { ...cfg.strategy, optimizer } };
}

function request(over: Partial<OptimizationRequest> & { dbm: DatabaseManager }): OptimizationRequest {
  const cfg = over.cfg ?? smallConfig();
  return {
    cfg,
    data,
    families: ['sma_cross'],
    optimizer: 'nsga2',
    budget: 400,
    maxSeconds: Infinity,
    seed: 7,
    pool: poolSettings(cfg, { workers: 2 }),
    outDir: mkdtempSync(join(tmpdir(), 'pnlopt-run-')),
    ...over,
  };
}

function db(): DatabaseManager {
  return new DatabaseManager(join(mkdtempSync(join(tmpdir(), 'pnlopt-opt-')), 'p.db'));
}

/** Every stored candidate (result, ranking, hold-out metrics), without the run id: what must match between two runs of one job. */
function candidates(dbm: DatabaseManager, runId: string) {
  const store = new RunStore(dbm);
  const rankings = [...store.rankings(runId)];
  return [...store.results(runId)].map((r, i) => ({ ...r, ...rankings[i] }));
}

/** A summary without what differs between two runs of one job (id, timing, folder, session work). */
function comparable(s: OptimizationSummary): unknown {
  const { run_id, elapsed_s, candidates_per_s, out_dir, simulated, ...rest } = s;
  void run_id, elapsed_s, candidates_per_s, out_dir, simulated;
  return rest;
}

describe('runOptimization', () => {
  it('gives the same run with 1 and 2 workers and any batch size, and another run with another seed', async () => {
    const a = db();
    const b = db();
    const one = await runOptimization(request({ dbm: a, pool: poolSettings(smallConfig(), { workers: 1 }) }));
    const two = await runOptimization(request({ dbm: b, pool: poolSettings(smallConfig(), { workers: 2, batch: 7 }) }));
    expect(one.status).toBe('completed');
    expect(one.evaluated).toBe(400);
    expect(comparable(two)).toEqual(comparable(one));
    expect(candidates(b, two.run_id)).toEqual(candidates(a, one.run_id));
    const c = db();
    const other = await runOptimization(request({ dbm: c, seed: 8 }));
    expect(candidates(c, other.run_id)).toHaveLength(400);
    expect(candidates(c, other.run_id)).not.toEqual(candidates(a, one.run_id));
  });

  it('keeps every result of an interrupted run, and a resume ends exactly as an uninterrupted run', async () => {
    const straight = db();
    const full = await runOptimization(request({ dbm: straight }));
    const dbm = db();
    const stop = new AbortController();
    const cut = await runOptimization(
      request({ dbm, pool: poolSettings(smallConfig(), { workers: 2, batch: 10 }), signal: stop.signal, onProgress: (n) => n >= 150 && stop.abort() }),
    );
    expect(cut.status).toBe('interrupted');
    const kept = candidates(dbm, cut.run_id).length;
    expect(kept).toBeGreaterThanOrEqual(150);
    expect(kept).toBeLessThan(400);
    expect(new RunStore(dbm).run(cut.run_id)!.status).toBe('interrupted');
    let evaluatedAgain = 0;
    const resumed = await runOptimization(request({ dbm, resume: cut.run_id, onProgress: (n) => (evaluatedAgain = n) }));
    expect(resumed.run_id).toBe(cut.run_id);
    expect(evaluatedAgain).toBe(400 - kept);
    expect(comparable(resumed)).toEqual(comparable(full));
    // The guardrail counts compared just above are not empty: resumed rows are counted as evaluated ones.
    expect(Object.values(full.guardrail_failures).reduce((a, b) => a + b)).toBeGreaterThan(0);
    expect(candidates(dbm, cut.run_id)).toEqual(candidates(straight, full.run_id));
  });

  it('simulates a configuration proposed again only once', async () => {
    const dbm = db();
    const s = await runOptimization(request({ dbm }));
    const byParams = new Map<string, Float64Array | null>();
    for (const r of new RunStore(dbm).results(s.run_id)) byParams.set(r.paramsJson, r.metrics);
    // NSGA-II in a 2-D integer space repeats itself; each repeat took the first copy's row.
    expect(byParams.size).toBeLessThan(400);
    expect(s.simulated).toBe(byParams.size);
  });

  it('refuses to replay a stored row whose parameters are not what the search proposes now', async () => {
    const dbm = db();
    const stop = new AbortController();
    const cut = await runOptimization(request({ dbm, pool: poolSettings(smallConfig(), { workers: 1, batch: 10 }), signal: stop.signal, onProgress: (n) => n >= 50 && stop.abort() }));
    expect(cut.status).toBe('interrupted');
    // As if the code had changed between the sessions: candidate 3 was stored for other parameters.
    const batch = dbm.db.prepare('SELECT batch_id, ids, params FROM candidate_batches WHERE run_id = ? AND first_id <= 3 AND last_id >= 3').all(cut.run_id) as { batch_id: number; ids: Buffer; params: Buffer }[];
    const hit = batch.find((b) => int32s(b.ids).includes(3))!;
    const params = float64s(hit.params);
    params.set([2, 299], int32s(hit.ids).indexOf(3) * 2);
    dbm.db.prepare('UPDATE candidate_batches SET params = ? WHERE batch_id = ?').run(blobOf(params), hit.batch_id);
    await expect(runOptimization(request({ dbm, resume: cut.run_id }))).rejects.toThrow(/candidate 3 was stored for sma_cross \{"fast":2,"slow":299\} but the search now proposes sma_cross \{/);
  });

  it('a failing store write fails the run without losing the generations stored before it or hanging', async () => {
    const dbm = db();
    // The store refuses rows past the 200th: the flush of a later generation fails.
    dbm.db.exec(`CREATE TRIGGER full BEFORE INSERT ON candidate_batches
      WHEN (SELECT COALESCE(SUM(count), 0) FROM candidate_batches) + NEW.count >= 200 BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const req = request({ dbm });
    await expect(runOptimization(req)).rejects.toThrow(/disk full/);
    const run = new RunStore(dbm).runs()[0];
    expect(run.status).toBe('failed');
    // What was flushed before the failing write stays, whole and consistent with a clean run's rows.
    const kept = candidates(dbm, run.run_id);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(200);
    const clean = db();
    const full = candidates(clean, (await runOptimization(request({ dbm: clean }))).run_id);
    const withoutRanks = (r: (typeof full)[number]) => ({ ...r, frontRank: null, crowding: null, feasible: null, violation: null, holdoutMetrics: null });
    expect(kept.map(withoutRanks)).toEqual(kept.map((r) => withoutRanks(full[r.candidateId])));
  });

  it('refuses to resume with another seed or a completed run', async () => {
    const dbm = db();
    const done = await runOptimization(request({ dbm }));
    await expect(runOptimization(request({ dbm, resume: done.run_id, seed: 9 }))).rejects.toThrow(/seed: the run has 7, this command has 9/);
    await expect(runOptimization(request({ dbm, resume: done.run_id }))).rejects.toThrow(/already completed/);
  });

  it('records the run for governance: settings, hashes, ranges, constraints, ranks, summary.json', async () => {
    const dbm = db();
    const req = request({ dbm });
    const s = await runOptimization(req);
    const store = new RunStore(dbm);
    // run() reads the whole row; RunRow does not declare the governance columns, so they are named here.
    const run = store.run(s.run_id)!;
    // The hash is of the config the run used (population 40), not of the file it started from.
    expect(run).toMatchObject({ status: 'completed', command: 'optimize', family: 'sma_cross', optimizer: 'nsga2', seed: '7', config_hash: configHash(req.cfg), data_hash: data.hash });
    expect(run.config_hash).not.toBe(req.cfg.hash);
    expect(JSON.parse(run.param_ranges_json!).sma_cross.map((p: { name: string }) => p.name)).toEqual(['fast', 'slow']);
    expect(JSON.parse(run.constraints_json!).guardrails.map((g: { key: string }) => g.key)).toContain('guardrails.max_drawdown');
    expect(JSON.parse(run.regime_json!).regime).toBe('all');
    const rankings = [...store.rankings(s.run_id)];
    expect(rankings.filter((c) => c.frontRank !== null)).toHaveLength(400);
    // Feasible means violation 0, and every feasible front-0 candidate on the front got hold-out metrics.
    const front0 = rankings.filter((c) => c.frontRank === 0);
    expect(front0.length).toBeGreaterThan(0);
    for (const c of front0) expect(c.feasible === true).toBe(c.violation === 0);
    const file = join(req.outDir!, 'summary.json');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).run_id).toBe(s.run_id);
    // The front lists distinct configurations only.
    const params = s.front.map((c) => JSON.stringify(c.params));
    expect(new Set(params).size).toBe(params.length);
  });

  it('adopts only through the hold-out gate', async () => {
    // Default criteria: the in-sample best of this job fails them on the later hold-out window.
    const gated = db();
    const s = await runOptimization(request({ dbm: gated }));
    expect(s.best).not.toBeNull();
    expect(s.best!.failed_guardrails).toEqual([]);
    expect(s.best!.holdout_failed_guardrails!.length).toBeGreaterThan(0);
    expect(s.adopted).toBe(false);
    expect(s.adoption_reason).toMatch(/fails on the hold-out/);
    expect(new StrategyCache(gated).entries()).toHaveLength(0);
    // Without the hold-out requirement the same best is adopted for (family, regime).
    const dir = configDirWith('quant_success_config.yml', (d) => d.setIn(['hold_out', 'required'], false), ALL_IN_ALLOWED);
    const open = db();
    const t = await runOptimization(request({ dbm: open, cfg: smallConfig(loadConfig({ dir })) }));
    expect(t.best!.params).toEqual(s.best!.params);
    expect(t.adopted).toBe(true);
    const row = new StrategyCache(open).entries()[0];
    expect(row).toMatchObject({ family: 'sma_cross', regime: 'all', run_id: t.run_id, status: 'adopted', data_hash: t.data_hash });
    expect(JSON.parse(row.window_json)).toEqual({ search: t.windows.dates.search, holdout: t.windows.dates.holdout });
    expect(JSON.parse(row.params_json!)).toEqual(t.best!.params);
  });

  it('marks feasible exactly the candidates that meet every guardrail, recomputed here from the config files', async () => {
    const cfg = smallConfig();
    const before = JSON.stringify([cfg.quantSuccess, cfg.signalRouting]);
    const dbm = db();
    const s = await runOptimization(request({ dbm, cfg }));
    const g = cfg.quantSuccess.guardrails;
    const ts = cfg.signalRouting.signal_routing.time_series;
    const store = new RunStore(dbm);
    const rankings = [...store.rankings(s.run_id)];
    const rows = [...store.results(s.run_id)].map((r, i) => ({ m: r.metrics!, feasible: rankings[i].feasible }));
    let feasible = 0;
    for (const { m, feasible: isFeasible } of rows) {
      // Read back per the reference semantics: a stored null is NaN (fails every comparison), except profit_factor, where it means no losing trade (+Infinity).
      const meets =
        m[Metric.win_rate] >= g.min_win_rate && m[Metric.profit_factor] >= g.min_profit_factor && m[Metric.max_drawdown] <= g.max_drawdown &&
        m[Metric.total_profit] >= g.min_expected_profit && m[Metric.total_trades] >= g.min_total_trades &&
        m[Metric.risk_score] <= ts.max_risk_score && m[Metric.max_capital_at_risk] <= ts.capital_at_risk_per_trade;
      expect(isFeasible).toBe(meets);
      if (isFeasible === true) feasible++;
    }
    expect(feasible).toBeGreaterThan(0);
    expect(feasible).toBeLessThan(rows.length);
    // Nothing the run did touched them: still frozen, still equal.
    expect(JSON.stringify([cfg.quantSuccess, cfg.signalRouting])).toBe(before);
    expect(Object.isFrozen(cfg.quantSuccess.guardrails)).toBe(true);
    expect(Object.isFrozen(cfg.signalRouting.signal_routing.time_series)).toBe(true);
  });

  it('evaluates exactly the budget with NSGA-II, the last generation short, every candidate with fast < slow', async () => {
    // Population 100 and a budget of 1234: 12 full generations and one of 34.
    const cfg = loadConfig({ dir: ALL_IN_ALLOWED });
    expect(cfg.strategy.optimizer.nsga2.population).toBe(100);
    const dbm = db();
    let total = 0;
    let finished = 0;
    const s = await runOptimization(request({ dbm, cfg, pool: poolSettings(cfg, { workers: 2 }), budget: 1234, onStart: (_id, remaining) => (total = remaining), onProgress: (n) => (finished = n) }));
    expect([s.status, s.stop_reason, s.evaluated, s.generations]).toEqual(['completed', 'candidates', 1234, 13]);
    expect([total, finished]).toEqual([1234, 1234]);
    const stored = [...new RunStore(dbm).results(s.run_id)].map((r) => JSON.parse(r.paramsJson) as { fast: number; slow: number });
    expect(stored).toHaveLength(1234);
    for (const p of stored) expect(p.fast).toBeLessThan(p.slow);
    // Some offspring crossed fast over slow and were repaired; the counts are in the summary.
    expect(s.constraint_repairs!.repaired).toBeGreaterThan(0);
  });

  it('under the default 2% capital at risk, no all-in sma_cross candidate is feasible or adopted, and the run says why', async () => {
    const cfg = smallConfig(testConfig());
    const dbm = db();
    const req = request({ dbm, cfg, budget: 200 });
    const s = await runOptimization(req);
    expect(s.best).toBeNull();
    expect(s.adopted).toBe(false);
    const store = new RunStore(dbm);
    const rankings = [...store.rankings(s.run_id)];
    expect(rankings.filter((c) => c.feasible === true)).toHaveLength(0);
    // Recounted from the stored metric rows with the config's thresholds.
    const rows = [...store.results(s.run_id)].map((r) => r.metrics!);
    const fails = failsEach(cfg);
    const recount = Object.fromEntries(Object.entries(fails).map(([key, fails]) => [key, rows.filter(fails).length]));
    const CAR = 'signal_routing.time_series.capital_at_risk_per_trade';
    expect(s.guardrail_failures).toEqual(recount);
    expect(s.guardrail_failures[CAR]).toBe(200);
    const limit = cfg.signalRouting.signal_routing.time_series.capital_at_risk_per_trade;
    const closest = Math.min(...rows.map((m) => m[Metric.max_capital_at_risk]));
    expect(s.family_stats).toEqual([{
      family: 'sma_cross', candidates: 200, checked: 200, feasible: 0, guardrail_failures: recount, infeasible: true,
      binding: [{ key: CAR, metric: 'max_capital_at_risk', threshold: limit, closest }], retired_after: null,
    }]);
    expect(s.adoption_reason).toBe(`no candidate met every guardrail on the search window: ${CAR} failed by all 200 candidates (max_capital_at_risk at best ${Number(closest.toPrecision(3))} vs limit ${limit})`);
    // The least-violating front: front_rows distinct configurations, the least stored violation first.
    const front = s.least_violating;
    expect(front).toHaveLength(cfg.strategy.optimizer.defaults.front_rows);
    expect(new Set(front.map((c) => JSON.stringify(c.params))).size).toBe(front.length);
    expect(front[0].violation).toBe(Math.min(...rankings.map((r) => r.violation!)));
    for (let i = 1; i < front.length; i++) expect(front[i].violation).toBeGreaterThanOrEqual(front[i - 1].violation);
    for (const c of front) {
      expect(c.feasible).toBe(false);
      expect(c.violation).toBe(rankings[c.candidate_id].violation);
      expect(c.metrics).toEqual(Object.fromEntries(Object.entries(c.metrics).map(([k]) => [k, rows[c.candidate_id][Metric[k as keyof typeof Metric]]])));
      // Each failed guardrail with its gap in the metric's units: capital at risk over the 2% limit.
      expect(Object.keys(c.violations)).toEqual(c.failed_guardrails);
      expect(c.violations[CAR]).toBeCloseTo(c.metrics.max_capital_at_risk - limit, 12);
    }
    const written = JSON.parse(readFileSync(join(req.outDir!, 'summary.json'), 'utf8'));
    expect(written.least_violating.map((c: { candidate_id: number }) => c.candidate_id)).toEqual(front.map((c) => c.candidate_id));
    expect(written.family_stats[0].binding[0].key).toBe(CAR);

    // A resumed run counts as the uninterrupted one.
    const cutDb = db();
    const stop = new AbortController();
    const cut = await runOptimization(request({ dbm: cutDb, cfg, budget: 200, pool: poolSettings(cfg, { workers: 2, batch: 10 }), signal: stop.signal, onProgress: (n) => n >= 70 && stop.abort() }));
    expect(cut.status).toBe('interrupted');
    const resumed = await runOptimization(request({ dbm: cutDb, cfg, budget: 200, resume: cut.run_id }));
    expect(resumed.simulated).toBeLessThan(s.simulated);
    expect([resumed.guardrail_failures, resumed.family_stats, resumed.least_violating, resumed.adoption_reason]).toEqual([s.guardrail_failures, s.family_stats, s.least_violating, s.adoption_reason]);
  });
});

/**
 * Per guardrail key, whether a stored metric row fails it, from the config's values: a stored null
 * reads back as NaN and fails, and a row without a trade fails `min_total_trades` whatever its threshold.
 */
function failsEach(cfg: PnloptConfig): Record<string, (m: Float64Array) => boolean> {
  const g = cfg.quantSuccess.guardrails;
  const ts = cfg.signalRouting.signal_routing.time_series;
  return {
    'guardrails.min_win_rate': (m) => !(m[Metric.win_rate] >= g.min_win_rate),
    'guardrails.min_profit_factor': (m) => !(m[Metric.profit_factor] >= g.min_profit_factor),
    'guardrails.max_drawdown': (m) => !(m[Metric.max_drawdown] <= g.max_drawdown),
    'guardrails.min_expected_profit': (m) => !(m[Metric.total_profit] >= g.min_expected_profit),
    'guardrails.min_total_trades': (m) => m[Metric.total_trades] === 0 || !(m[Metric.total_trades] >= g.min_total_trades),
    'guardrails.min_exposure': (m) => !(m[Metric.exposure] >= g.min_exposure),
    'signal_routing.time_series.max_risk_score': (m) => !(m[Metric.risk_score] <= ts.max_risk_score),
    'signal_routing.time_series.capital_at_risk_per_trade': (m) => !(m[Metric.max_capital_at_risk] <= ts.capital_at_risk_per_trade),
  };
}
