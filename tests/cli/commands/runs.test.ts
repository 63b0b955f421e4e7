/**
 * `pnlopt runs`, `pnlopt show`, `pnlopt export` through the built CLI, over one store holding a
 * completed optimize run, an interrupted one (`runOptimization`, aborted after its first batches),
 * an evaluate run, and a bandit run left `running` as a killed process leaves it (written through
 * RunStore, three families, ranked). The CLI runs in this process (`runCliInProcess`), but for
 * exports to `-`, which write to descriptor 1: those are child processes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_COUNT, METRIC_NAMES } from '../../../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../../../src/config/load.js';
import { paramLayout, type ParamLayout } from '../../../src/config/param-layout.js';
import { loadMarketData } from '../../../src/data/load.js';
import { runOptimization, type OptimizationSummary } from '../../../src/jobs/optimize.js';
import { poolSettings } from '../../../src/pool/settings.js';
import { decodePoints } from '../../../src/search/encoding.js';
import { DatabaseManager } from '../../../src/store/database.js';
import { RunStore, type StoredRanking, type StoredResult } from '../../../src/store/run-store.js';
import { ROOT, runCli, runCliInProcess } from '../../helpers/cli.js';
import { configDirWith } from '../../helpers/config-dir.js';
import { TEST_CONFIG_DIR, testConfig } from '../../helpers/config.js';

const SP500 = join(ROOT, 'data', 'sp500_daily_ohlcv_2000_2020.csv');
const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
/** The whole equity may be at risk per trade, so sma_cross candidates can be feasible (as in tests/jobs/optimize.test.ts). */
const ALL_IN_ALLOWED = configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1));
const BANDIT_FAMILIES = ['sma_cross', 'ts_ensemble', 'ts_with_fallback'];
const PER_FAMILY = 7;

let dir: string;
let db: string;
let completed: OptimizationSummary;
let interrupted: OptimizationSummary;
let evaluateId: string;
const killedId = 'killed-bandit-run';

function readStore<T>(read: (store: RunStore) => T): T {
  const dbm = new DatabaseManager(db);
  try {
    return read(new RunStore(dbm));
  } finally {
    dbm.close();
  }
}

/** A CSV cell back to a number: nan, inf, -inf as pnlopt evaluate writes them. */
function cellNumber(cell: string): number {
  return cell === 'nan' ? NaN : cell === 'inf' ? Infinity : cell === '-inf' ? -Infinity : Number(cell);
}

/** `pnlopt export` of a run to stdout (a child process), as header and rows of cells (no cell holds a comma here). */
function exported(runId: string): { header: string[]; rows: string[][]; text: string } {
  const r = runCli(['export', runId, '--db', db, '--out', '-']);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines.pop()).toBe('');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')), text: r.stdout };
}

/** The bandit run a killed process leaves: three families' candidates (one failed), ranked, status still `running`. */
function writeKilledBanditRun(store: RunStore): { layouts: ParamLayout[]; family: string[]; F: Float64Array } {
  const cfg = testConfig();
  const layouts = BANDIT_FAMILIES.map((f) => paramLayout(cfg, f, ['MSFT']));
  store.createRun({
    command: 'optimize', family: BANDIT_FAMILIES.join(','), optimizer: 'bandit', seed: '11', configHash: 'c'.repeat(64), dataHash: 'd'.repeat(64), codeVersion: '0.1.0',
    sampler: { optimizer: 'bandit', settings: cfg.strategy.optimizer }, dataWindow: { tickers: ['MSFT'], search: { start: 252, end: 400 }, holdout: { start: 400, end: 500 } },
    budget: 1000, paramRanges: Object.fromEntries(layouts.map((l) => [l.family, l.params.map((p) => ({ name: p.name, ...p.spec }))])),
  }, killedId);
  const n = layouts.length * PER_FAMILY;
  const F = Float64Array.from({ length: n * METRIC_COUNT }, (_, k) => (k % 5) - 1.5 + k / 1000);
  F[3 * METRIC_COUNT + 1] = Infinity;
  F[4 * METRIC_COUNT + 2] = -Infinity;
  F[5 * METRIC_COUNT + 3] = NaN;
  const family: string[] = [];
  layouts.forEach((layout, f) => {
    const d = layout.params.length;
    const U = Float64Array.from({ length: PER_FAMILY * d }, (_, k) => ((k * 0.6180339887 + f * 0.1) % 1));
    const X = new Float64Array(PER_FAMILY * d);
    decodePoints(layout, U, PER_FAMILY, X);
    // The last candidate of the last family failed (below).
    const ok = f === layouts.length - 1 ? PER_FAMILY - 1 : PER_FAMILY;
    const ids = Int32Array.from({ length: ok }, (_, i) => i);
    const base = f * PER_FAMILY;
    store.writeEvaluated(killedId, layout, X, ids, F.subarray(base * METRIC_COUNT, (base + ok) * METRIC_COUNT), base);
    for (let i = 0; i < PER_FAMILY; i++) family.push(layout.family);
  });
  const last = layouts[layouts.length - 1];
  const Xlast = new Float64Array(last.params.length);
  decodePoints(last, new Float64Array(last.params.length).fill(0.5), 1, Xlast);
  store.writeFailed(killedId, last, Xlast, Int32Array.from([0]), 'worker exited', n - 1);
  const rank = Int32Array.from({ length: n }, (_, i) => i % 3);
  const crowding = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? Infinity : i / 8));
  const violation = Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? NaN : (i % 3) / 4));
  store.writeRanking(killedId, rank, crowding, violation);
  return { layouts, family, F };
}

let killed: ReturnType<typeof writeKilledBanditRun>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pnlopt-runs-'));
  db = join(dir, 'runs.db');

  const opt = await runCliInProcess(
    ['optimize', '--config-dir', ALL_IN_ALLOWED, '--family', 'sma_cross', '--optimizer', 'nsga2', '--budget', '200', '--seed', '3', '--workers', '2', '--db', db, '--out', join(dir, 'completed'), '--json'],
    { cwd: dir },
  );
  expect(opt.code, opt.stderr).toBe(0);
  completed = JSON.parse(opt.stdout) as OptimizationSummary;

  // Interrupted after its first batches: aborted in-process, as SIGINT does.
  const cfg = loadConfig({ dir: ALL_IN_ALLOWED });
  const dbm = new DatabaseManager(db);
  const stop = new AbortController();
  try {
    interrupted = await runOptimization({
      cfg, data: loadMarketData([SP500]), families: ['sma_cross'], optimizer: 'random', budget: 400, maxSeconds: Infinity, seed: 5,
      pool: poolSettings(cfg, { workers: 1, batch: 10 }), dbm, outDir: join(dir, 'interrupted'), signal: stop.signal,
      onProgress: (finished) => finished >= 20 && stop.abort(),
    });
  } finally {
    dbm.close();
  }
  expect(interrupted.status).toBe('interrupted');

  const candidates = join(dir, 'in.csv');
  writeFileSync(candidates, ['fast,slow', ...Array.from({ length: 12 }, (_, i) => `${2 + i},${20 + 3 * i}`)].join('\n') + '\n');
  const ev = await runCliInProcess(['evaluate', '--data', MSFT, '--strategy', 'sma_cross', '--candidates', candidates, '--out', join(dir, 'out.csv'), '--db', db, '--workers', '1', '--json']);
  expect(ev.code, ev.stderr).toBe(0);
  evaluateId = (JSON.parse(ev.stdout) as { run_id: string }).run_id;

  killed = readStore(writeKilledBanditRun);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Listing {
  run_id: string;
  kind: string;
  families: string[];
  optimizer: string | null;
  status: string;
  started_at: string;
  budget: number | null;
  evaluated: number;
  failed: number | null;
  primary_objective: string | null;
  best: number | string | null;
  adopted: boolean | null;
}

describe('pnlopt runs', () => {
  it('lists every run oldest first as JSON: kind, families, optimizer, status, budget, stored candidates, best objective, adoption', async () => {
    const r = await runCliInProcess(['runs', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout) as Listing[];
    expect(runs.map((x) => x.run_id)).toEqual([completed.run_id, interrupted.run_id, evaluateId, killedId]);
    const stored = readStore((s) => runs.map((x) => s.countStored(x.run_id)));
    expect(runs.map((x) => x.evaluated)).toEqual(stored);
    expect(stored[0]).toBe(200);
    expect(stored[1]).toBe(interrupted.evaluated);
    const primary = testConfig().strategy.optimizer.primary_objective;
    expect(runs[0]).toMatchObject({ kind: 'optimize', families: ['sma_cross'], optimizer: 'nsga2', status: 'completed', budget: 200, failed: 0, primary_objective: primary, adopted: completed.adopted });
    expect(completed.best).not.toBeNull();
    expect(runs[0].best).toBe(completed.best!.metrics[primary]);
    expect(runs[1]).toMatchObject({ kind: 'optimize', optimizer: 'random', status: 'interrupted', budget: 400, primary_objective: primary, best: null, adopted: false });
    expect(runs[2]).toMatchObject({ kind: 'evaluate', families: ['sma_cross'], optimizer: null, status: 'completed', budget: 12, evaluated: 12, failed: 0, primary_objective: null, best: null, adopted: null });
    expect(runs[3]).toMatchObject({ kind: 'optimize', families: BANDIT_FAMILIES, optimizer: 'bandit', status: 'running', budget: 1000, evaluated: 3 * PER_FAMILY, failed: null, best: null, adopted: null });
    for (const x of runs) expect(Object.keys(x).every((k) => /^[a-z_]+$/.test(k))).toBe(true);
  });

  it('prints a table within 160 columns, cutting a long family list', async () => {
    const r = await runCliInProcess(['runs', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(160);
    expect(lines[0]).toMatch(/^run_id\s+kind\s+families\s+optimizer\s+status\s+started \(UTC\)\s+budget\s+evaluated\s+failed\s+best sharpe\s+adopted$/);
    const row = (id: string) => lines.find((l) => l.startsWith(id)) ?? '';
    expect(row(completed.run_id)).toMatch(/optimize\s+sma_cross\s+nsga2\s+completed\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+200\s+200\s+0\s+\S+\s+(yes|no)$/);
    expect(row(interrupted.run_id)).toMatch(/optimize\s+sma_cross\s+random\s+interrupted\s.*\s400\s+\d+\s+0\s+-\s+no$/);
    expect(row(evaluateId)).toMatch(/evaluate\s+sma_cross\s+-\s+completed\s.*\s12\s+12\s+0\s+-\s+-$/);
    expect(row(killedId)).toMatch(/optimize\s+sma_cross,ts_\S*…\s+bandit\s+running\s/);
    expect(r.stdout).toContain(`4 run(s) in ${db}`);
  });

  it('filters by --status, and rejects another status with exit 2', async () => {
    const only = async (status: string) => (JSON.parse((await runCliInProcess(['runs', '--db', db, '--status', status, '--json'])).stdout) as Listing[]).map((x) => x.run_id);
    expect(await only('completed')).toEqual([completed.run_id, evaluateId]);
    expect(await only('interrupted')).toEqual([interrupted.run_id]);
    expect(await only('running')).toEqual([killedId]);
    expect(await only('failed')).toEqual([]);
    expect((await runCliInProcess(['runs', '--db', db, '--status', 'failed'])).stdout).toContain('no failed runs in');
    const bad = await runCliInProcess(['runs', '--db', db, '--status', 'done']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'done' is invalid");
  });

  it('exits 2 naming a missing database, and does not create it (--db or runtime.database)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pnlopt-runs-empty-'));
    const missing = join(empty, 'none.db');
    for (const command of [['runs'], ['show', 'x'], ['export', 'x', '--out', join(empty, 'x.csv')]]) {
      const r = await runCliInProcess([...command, '--db', missing]);
      expect(r.code, command[0]).toBe(2);
      expect(r.stderr).toContain(missing);
    }
    const byConfig = await runCliInProcess(['runs', '--config-dir', TEST_CONFIG_DIR], { cwd: empty });
    expect(byConfig.code).toBe(2);
    expect(byConfig.stderr).toContain(testConfig().runtime.runtime.database);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(empty, testConfig().runtime.runtime.database))).toBe(false);
    expect(existsSync(join(empty, 'x.csv'))).toBe(false);
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('pnlopt show', () => {
  it('prints a completed run summary: --json is summary.json, text is the front table with parameters', async () => {
    const json = await runCliInProcess(['show', completed.run_id, '--db', db, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toBe(readFileSync(join(dir, 'completed', 'summary.json'), 'utf8'));
    const text = await runCliInProcess(['show', completed.run_id, '--db', db]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`run ${completed.run_id}`);
    expect(text.stdout).toContain('parameters of the front candidates');
    for (const c of completed.front) expect(text.stdout).toMatch(new RegExp(`^ +${c.candidate_id}  fast=${c.params.fast},slow=${c.params.slow}$`, 'm'));
    for (const line of text.stdout.trimEnd().split('\n')) expect(line.length, line).toBeLessThanOrEqual(160);
  });

  it('prints an interrupted run summary', async () => {
    const json = await runCliInProcess(['show', interrupted.run_id, '--db', db, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(interrupted)));
    const text = await runCliInProcess(['show', interrupted.run_id, '--db', db]);
    expect(text.stdout).toContain(`interrupted after ${interrupted.evaluated} candidates`);
  });

  it('prints an evaluate run summary', async () => {
    const json = JSON.parse((await runCliInProcess(['show', evaluateId, '--db', db, '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ run_id: evaluateId, status: 'completed', candidates: 12, evaluated: 12, failed: 0 });
    const text = (await runCliInProcess(['show', evaluateId, '--db', db])).stdout;
    expect(text).toContain(`run ${evaluateId} (evaluate sma_cross): completed, 12 candidates (12 evaluated, 0 failed)`);
    expect(text).toContain('stored: 12 candidate(s)');
  });

  it('prints the record of a run with no summary (its process was killed)', async () => {
    const json = await runCliInProcess(['show', killedId, '--db', db, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      run_id: killedId, status: 'running', kind: 'optimize', command: 'optimize', families: BANDIT_FAMILIES, optimizer: 'bandit', seed: '11',
      config_hash: 'c'.repeat(64), data_hash: 'd'.repeat(64), code_version: '0.1.0', budget: 1000, stored: 3 * PER_FAMILY, finished_at: null,
      data_window: { tickers: ['MSFT'], search: { start: 252, end: 400 } },
    });
    const text = (await runCliInProcess(['show', killedId, '--db', db])).stdout;
    expect(text).toContain(`run ${killedId}: running, no summary yet`);
    expect(text).toMatch(/^seed: +11$/m);
    expect(text).toMatch(/^stored: +21 candidate\(s\)$/m);
    expect(text).toMatch(/^window: +tickers=MSFT search=bars 252\.\.400 holdout=bars 400\.\.500$/m);
  });

  it('exits 2 naming an unknown run id', async () => {
    const r = await runCliInProcess(['show', 'no-such-run', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run no-such-run: no such run');
  });

  it('takes a unique prefix of a run id', async () => {
    const short = await runCliInProcess(['show', 'killed-b', '--db', db, '--json']);
    expect(short.code, short.stderr).toBe(0);
    expect(JSON.parse(short.stdout)).toMatchObject({ run_id: killedId, stored: 3 * PER_FAMILY });
  });
});

describe('pnlopt export', () => {
  const header = (params: readonly string[]) => ['candidate_id', 'family', ...params, ...METRIC_NAMES, 'feasible', 'violation', 'front_rank', 'crowding'];

  function expectMetrics(rows: string[][], results: readonly StoredResult[], first: number): void {
    expect(rows).toHaveLength(results.length);
    rows.forEach((row, i) => {
      expect(Number(row[0])).toBe(results[i].candidateId);
      const cells = row.slice(first, first + METRIC_COUNT);
      if (results[i].metrics === null) expect(cells.every((c) => c === '')).toBe(true);
      else expect(cells.map(cellNumber)).toEqual([...results[i].metrics!]);
    });
  }

  it('writes every stored candidate of a completed run with its metrics, ranking and parameters', async () => {
    const { header: h, rows, text } = exported(completed.run_id);
    expect(h).toEqual(header(['fast', 'slow']));
    const [results, ranked] = readStore((s) => [[...s.results(completed.run_id)], [...s.rankings(completed.run_id)]] as const);
    expect(rows).toHaveLength(200);
    expectMetrics(rows, results, 4);
    rows.forEach((row, i) => {
      const r: StoredRanking = ranked[i];
      const params = JSON.parse(results[i].paramsJson) as Record<string, number>;
      expect(row.slice(1, 4)).toEqual(['sma_cross', String(params.fast), String(params.slow)]);
      const [feasible, violation, frontRank, crowding] = row.slice(4 + METRIC_COUNT);
      expect(feasible).toBe(String(r.feasible));
      expect(violation === '' ? null : Number(violation)).toBe(r.violation);
      expect(Number(frontRank)).toBe(r.frontRank);
      expect(cellNumber(crowding)).toBe(r.crowding ?? Infinity);
    });
    // The front's best is there with the summary's values.
    const best = rows.find((row) => Number(row[0]) === completed.best!.candidate_id)!;
    expect(best[4 + METRIC_NAMES.indexOf('sharpe')]).toBe(String(completed.best!.metrics.sharpe));

    const out = join(dir, 'completed.csv');
    const file = await runCliInProcess(['export', completed.run_id, '--db', db, '--out', out]);
    expect(file.code, file.stderr).toBe(0);
    expect(file.stdout).toContain(`wrote 200 candidate(s) of run ${completed.run_id} to ${out}`);
    expect(readFileSync(out, 'utf8')).toBe(text);
  });

  it('leaves the ranking cells empty for an interrupted run', () => {
    const { header: h, rows } = exported(interrupted.run_id);
    expect(h).toEqual(header(['fast', 'slow']));
    const results = readStore((s) => [...s.results(interrupted.run_id)]);
    expect(rows.length).toBe(interrupted.evaluated);
    expectMetrics(rows, results, 4);
    for (const row of rows) expect(row.slice(4 + METRIC_COUNT)).toEqual(['', '', '', '']);
  });

  it("names an evaluate run's family on every row, parameters in the order stored", () => {
    const { header: h, rows } = exported(evaluateId);
    expect(h).toEqual(header(['fast', 'slow']));
    expect(rows).toHaveLength(12);
    expectMetrics(rows, readStore((s) => [...s.results(evaluateId)]), 4);
    rows.forEach((row, i) => expect(row.slice(1, 4)).toEqual(['sma_cross', String(2 + i), String(20 + 3 * i)]));
  });

  it('reads the family of each candidate of a multi-family run off its parameters; other families\' parameters are empty cells', () => {
    const { header: h, rows } = exported(killedId);
    const params = [...new Set(killed.layouts.flatMap((l) => l.params.map((p) => p.name)))];
    expect(params.slice(0, 2)).toEqual(['fast', 'slow']);
    expect(params).toContain('fallback_rule');
    expect(h).toEqual(header(params));
    const results = readStore((s) => [...s.results(killedId)]);
    expect(rows).toHaveLength(3 * PER_FAMILY);
    expectMetrics(rows, results, 2 + params.length);
    rows.forEach((row, i) => {
      expect(row[1], `candidate ${i}`).toBe(killed.family[i]);
      const stored = JSON.parse(results[i].paramsJson) as Record<string, number | string>;
      params.forEach((p, j) => expect(row[2 + j], `${i}.${p}`).toBe(p in stored ? String(stored[p]) : ''));
    });
    const m = 2 + params.length;
    expect(rows[3][m + 1]).toBe('inf');
    expect(rows[4][m + 2]).toBe('-inf');
    expect(rows[5][m + 3]).toBe('nan');
    const n = rows.length;
    // Failed: no metrics, violation NaN (empty); boundary crowding (stored NULL on a ranked row) is inf.
    expect(rows[n - 1].slice(m, m + METRIC_COUNT).every((c) => c === '')).toBe(true);
    expect(rows[n - 1].slice(m + METRIC_COUNT)).toEqual(['false', '', String((n - 1) % 3), (n - 1) % 4 === 0 ? 'inf' : String((n - 1) / 8)]);
    expect(rows[0].slice(m + METRIC_COUNT)).toEqual(['true', '0', '0', 'inf']);
  });

  it('exits 2 naming an unknown run id, writing nothing', async () => {
    const out = join(dir, 'unknown.csv');
    const r = await runCliInProcess(['export', 'no-such-run', '--db', db, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run no-such-run: no such run');
    expect(existsSync(out)).toBe(false);
  });
});
