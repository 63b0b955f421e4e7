/**
 * `pnlopt backtest` through the built CLI: the period, metrics with percentages, buy and hold
 * (checked against a hand computation from the CSV's closes), `--json` in the "inf" / null
 * convention, and `--equity` through the shared output writer; the window of `--start` / `--end`
 * (bar indices found by hand in the CSV); and `--run --candidate`, which re-runs a stored
 * candidate of an optimize run made with `--start` / `--end` / `--holdout-start` and reproduces
 * its stored search and hold-out metrics exactly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyAndHold, paramsArg } from '../../../src/cli/commands/backtest.js';
import { MAX_WIDTH } from '../../../src/cli/table.js';
import { toShared } from '../../../src/data/shared.js';
import type { Panel } from '../../../src/data/types.js';
import type { OptimizationSummary } from '../../../src/jobs/optimize.js';
import { DatabaseManager } from '../../../src/store/database.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { RunStore } from '../../../src/store/run-store.js';
import { BIN, ROOT, runCli, runCliInProcess } from '../../helpers/cli.js';
import { TEST_CONFIG_DIR } from '../../helpers/config.js';
import { configDirWith } from '../../helpers/config-dir.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const SP500 = join(ROOT, 'data', 'sp500_daily_ohlcv_2000_2020.csv');
const ARGS = ['backtest', '--data', MSFT, '--strategy', 'sma_cross', '--params', 'fast=5,slow=20', '--fee-bps', '5'];
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pnlopt-backtest-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A CSV's rows as [date, open, high, low, close, volume] text cells, header dropped. */
function csvRows(file: string): string[][] {
  return readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
}

/** Index of the first row dated on or after `date`, and one past the last row dated on or before `last` (dates compare as text). */
function firstOnOrAfter(rows: string[][], date: string): number {
  return rows.findIndex((r) => r[0] >= date);
}
function endOf(rows: string[][], last: string): number {
  return rows.filter((r) => r[0] <= last).length;
}

/** The CSV's dates and closes, and buy and hold computed by hand: one unit from the first close to the last. */
function handBuyAndHold() {
  const rows = readFileSync(MSFT, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const close = rows.map((r) => Number(r[4]));
  let peak = -Infinity;
  let maxDrawdown = 0;
  for (const c of close) {
    peak = Math.max(peak, c);
    maxDrawdown = Math.max(maxDrawdown, (peak - c) / peak);
  }
  return { first: rows[0][0], last: rows[rows.length - 1][0], bars: rows.length, totalReturn: close[close.length - 1] / close[0] - 1, maxDrawdown };
}

interface BacktestJson {
  strategy: string;
  params: Record<string, unknown>;
  data_hash: string;
  bars: number;
  tickers: string[];
  period: { start: string; end: string; bars: number };
  window: { start: number; end: number };
  metrics: Record<string, number | string | null>;
  buy_and_hold: { total_return: number; max_drawdown: number };
  run?: { run_id: string; candidate_id: number; window: string; metrics: Record<string, number | string | null> | null; equals_stored: boolean | null };
}

describe('pnlopt backtest', () => {
  const hand = handBuyAndHold();

  it('the hand computation is what the data says (249 bars, 60.625 -> 49.96)', async () => {
    expect(hand).toMatchObject({ first: '2000-09-27', last: '2001-09-27', bars: 249 });
    expect(hand.totalReturn).toBeCloseTo(49.96 / 60.625 - 1, 15);
  });

  it('--json keeps its keys and adds the period and buy and hold, equal to the hand computation', async () => {
    const r = await runCliInProcess([...ARGS, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as BacktestJson;
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['strategy', 'params', 'data_hash', 'bars', 'tickers', 'metrics', 'period', 'buy_and_hold']));
    expect(out.params).toEqual({ fast: 5, slow: 20 });
    expect(out.bars).toBe(hand.bars);
    expect(out.period).toEqual({ start: hand.first, end: hand.last, bars: hand.bars });
    expect(out.window).toEqual({ start: 0, end: hand.bars });
    expect(out.buy_and_hold.total_return).toBeCloseTo(hand.totalReturn, 14);
    expect(out.buy_and_hold.max_drawdown).toBeCloseTo(hand.maxDrawdown, 14);
    expect(out.buy_and_hold.total_return).toBeCloseTo(-0.1759175, 6);
    expect(out.buy_and_hold.max_drawdown).toBeCloseTo(0.4144621, 6);
    expect(typeof out.metrics.total_return).toBe('number');
  });

  it('prints the period, percentages for fractions of capital and a buy-and-hold line', async () => {
    const r = await runCliInProcess(ARGS);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse((await runCliInProcess([...ARGS, '--json'])).stdout) as BacktestJson;
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(MAX_WIDTH);
    expect(lines[0]).toBe('sma_cross on msft_2000_2001_daily_ohlcv');
    expect(lines[1]).toBe('params: fast=5,slow=20');
    expect(lines[2]).toBe(`period: ${hand.first} .. ${hand.last} (${hand.bars} bars: [0, ${hand.bars}) of the data)`);
    const value = (name: string) => lines.find((l) => l.startsWith(`${name} `))!.trim().split(/\s+/)[1];
    const asPct = (v: number) => Number((v * 100).toPrecision(4));
    for (const name of ['total_return', 'max_drawdown', 'win_rate', 'exposure', 'max_capital_at_risk']) {
      expect(value(name), name).toMatch(/%$/);
      expect(Number(value(name).slice(0, -1)), name).toBeCloseTo(asPct(json.metrics[name] as number), 8);
    }
    expect(value('total_trades')).toBe(String(json.metrics.total_trades));
    expect(value('sharpe')).not.toMatch(/%$/);
    const hold = lines.find((l) => l.startsWith('buy and hold:'));
    expect(hold).toBe(
      `buy and hold: total_return ${(hand.totalReturn * 100).toFixed(2)}%, max_drawdown ${(hand.maxDrawdown * 100).toFixed(2)}% (one unit held from the first close to the last, no fees)`,
    );
    expect(hold).toContain('total_return -17.59%, max_drawdown 41.45%');
  });

  it('writes no losing trade as "inf" and a missing win rate as null in --json', async () => {
    // slow = 200 on 249 bars: no cross, no trade: profit_factor +Infinity (no losing trade), win_rate NaN.
    const r = await runCliInProcess(['backtest', '--data', MSFT, '--strategy', 'sma_cross', '--params', 'fast=50,slow=200', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as BacktestJson;
    expect(out.metrics).toMatchObject({ total_trades: 0, profit_factor: 'inf', win_rate: null });
    const text = (await runCliInProcess(['backtest', '--data', MSFT, '--strategy', 'sma_cross', '--params', 'fast=50,slow=200'])).stdout;
    expect(text).toMatch(/^profit_factor +inf$/m);
    expect(text).toMatch(/^win_rate +-$/m);
  });

  it('writes --equity through the output writer: a file, or standard output with the result on standard error', async () => {
    const file = join(tmp(), 'eq.csv');
    const r = await runCliInProcess([...ARGS, '--equity', file]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('date,equity');
    expect(lines).toHaveLength(hand.bars + 1);
    expect(lines[1]).toMatch(new RegExp(`^${hand.first},`));
    expect(r.stdout).toContain('buy and hold:');

    const piped = runCli([...ARGS, '--equity', '-', '--json']); // a child: the output writer writes standard output's file descriptor, which no in-process capture sees
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(readFileSync(file, 'utf8'));
    expect((JSON.parse(piped.stderr) as BacktestJson).buy_and_hold.total_return).toBeCloseTo(hand.totalReturn, 14);
  });

  it('rejects an --equity path in a missing folder with exit 2 before backtesting', async () => {
    const missing = join(tmp(), 'no', 'such', 'eq.csv');
    const r = await runCliInProcess([...ARGS, '--equity', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--equity');
    expect(r.stdout).toBe('');
  });
});

describe('pnlopt backtest --start / --end', () => {
  const rows = csvRows(MSFT);
  // 2001-01-01 was a holiday and 2001-06-30 a Saturday: the window is 2001-01-02 .. 2001-06-29.
  const first = firstOnOrAfter(rows, '2001-01-01');
  const end = endOf(rows, '2001-06-30');
  const WINDOWED = [...ARGS, '--start', '2001-01-01', '--end', '2001-06-30'];

  it('trades the bars dated start .. end, end included; buy and hold from the window\'s first close to its last', async () => {
    expect([rows[first][0], rows[end - 1][0]]).toEqual(['2001-01-02', '2001-06-29']);
    const r = await runCliInProcess([...WINDOWED, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as BacktestJson;
    expect(out.window).toEqual({ start: first, end });
    expect(out.period).toEqual({ start: '2001-01-02', end: '2001-06-29', bars: end - first });
    expect(out.bars).toBe(rows.length);
    expect(out.buy_and_hold.total_return).toBeCloseTo(Number(rows[end - 1][4]) / Number(rows[first][4]) - 1, 14);
    expect((await runCliInProcess(WINDOWED)).stdout.split('\n')[2]).toBe(`period: 2001-01-02 .. 2001-06-29 (${end - first} bars: [${first}, ${end}) of the data)`);
    // Another window, other metrics: the dates reach the kernel.
    expect((JSON.parse((await runCliInProcess([...ARGS, '--json'])).stdout) as BacktestJson).metrics).not.toEqual(out.metrics);
  });

  it('writes the equity curve of the window only', async () => {
    const file = join(tmp(), 'window.csv');
    expect((await runCliInProcess([...WINDOWED, '--equity', file])).code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(end - first + 1);
    expect(lines[1]).toMatch(/^2001-01-02,/);
    expect(lines[lines.length - 1]).toMatch(/^2001-06-29,/);
  });

  it('refuses, with exit 2: a malformed or impossible date naming the option, dates out of order, dates outside the data', async () => {
    for (const [args, message] of [
      [['--start', '2001-02-30'], `option '--start <date>' argument '2001-02-30' is invalid. expected a date YYYY-MM-DD, got "2001-02-30"`],
      [['--end', '01/06/2001'], `option '--end <date>'`],
      [['--start', '2001-06-01', '--end', '2001-01-02'], 'evaluation.end: expected a date on or after evaluation.start (2001-06-01), got 2001-01-02 (--end and --start set these keys)'],
      [['--end', '2001-12-31'], 'evaluation.end 2001-12-31 (--end, or '],
      [['--start', '2000-01-03'], 'is outside the data: the data has 249 bars, 2000-09-27 .. 2001-09-27'],
      [['--holdout-start', '2001-03-01'], "unknown option '--holdout-start'"],
    ] as const) {
      const r = await runCliInProcess([...ARGS, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
  });
});

describe('pnlopt backtest --run --candidate', () => {
  const rows = csvRows(SP500);
  let dir: string;
  let cfgDir: string;
  let db: string;
  let summary: OptimizationSummary;
  /** The run's front as summary.json has it: metrics in the JSON convention ("inf", null). */
  let front: { candidate_id: number; params: Record<string, number>; metrics: Record<string, unknown>; holdout_metrics: Record<string, unknown> }[];

  /** `pnlopt backtest --run` (with the run's config folder) as JSON. */
  async function rerun(args: readonly string[]): Promise<BacktestJson> {
    const r = await runCliInProcess(['backtest', '--config-dir', cfgDir, '--db', db, '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as BacktestJson;
  }

  beforeAll(async () => {
    dir = tmp();
    db = join(dir, 'runs.db');
    // sma_cross holds all its equity at risk: with the capital-at-risk limit at 1, some candidates are feasible and get hold-out metrics.
    cfgDir = configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1));
    dirs.push(cfgDir);
    const r = await runCliInProcess([
      'optimize', '--config-dir', cfgDir, '--data', SP500, '--family', 'sma_cross', '--optimizer', 'lhs', '--budget', '30', '--seed', '5', '--workers', '2',
      '--start', '2003-01-01', '--end', '2012-12-31', '--holdout-start', '2010-01-04', '--db', db, '--out', join(dir, 'run'), '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    summary = JSON.parse(r.stdout) as OptimizationSummary;
    front = JSON.parse(r.stdout).front as typeof front;
  });

  it('optimize: the windows are the bars of the dates, found by hand in the CSV, and are recorded with the run', async () => {
    // 2003-01-01 was a holiday: the search starts on 2003-01-02.
    const start = firstOnOrAfter(rows, '2003-01-01');
    const split = firstOnOrAfter(rows, '2010-01-04');
    const end = endOf(rows, '2012-12-31');
    expect(summary.windows).toEqual({
      search: { start, end: split },
      holdout: { start: split, end },
      dates: { search: ['2003-01-02', rows[split - 1][0]], holdout: ['2010-01-04', rows[end - 1][0]] },
    });
    expect(rows[end - 1][0]).toBe('2012-12-31');
    const dbm = new DatabaseManager(db, MIGRATIONS, 'read');
    try {
      const run = new RunStore(dbm).run(summary.run_id)!;
      expect(JSON.parse(run.data_window_json!)).toEqual({ tickers: ['sp500_daily_ohlcv_2000_2020'], ...summary.windows });
      expect(JSON.parse(run.invocation_json!)).toMatchObject({ kind: 'optimize', options: { start: '2003-01-01', end: '2012-12-31', holdoutStart: '2010-01-04' } });
    } finally {
      dbm.close();
    }
    const text = (await runCliInProcess(['show', summary.run_id, '--db', db])).stdout;
    expect(text).toContain(`period: search window 2003-01-02 .. ${rows[split - 1][0]} (${split - start} bars), hold-out 2010-01-04 .. 2012-12-31 (${end - split} bars); ${start} warm-up bars before`);
  });

  it('equals the stored search and hold-out metrics of front candidates exactly', async () => {
    expect(front.length).toBeGreaterThan(1);
    for (const c of [front[0], front[front.length - 1]]) {
      // A unique prefix of the run id is enough.
      const search = await rerun(['--run', summary.run_id.slice(0, 8), '--candidate', String(c.candidate_id)]);
      expect(search.metrics).toEqual(c.metrics);
      expect(search.window).toEqual(summary.windows.search);
      expect(search.params).toEqual(c.params);
      expect(search.run).toMatchObject({ run_id: summary.run_id, candidate_id: c.candidate_id, window: 'search', metrics: c.metrics, equals_stored: true });
      const holdout = await rerun(['--run', summary.run_id, '--candidate', String(c.candidate_id), '--window', 'holdout']);
      expect(holdout.metrics).toEqual(c.holdout_metrics);
      expect(holdout.window).toEqual(summary.windows.holdout);
      expect(holdout.run).toMatchObject({ window: 'holdout', equals_stored: true });
    }
    const text = await runCliInProcess(['backtest', '--config-dir', cfgDir, '--db', db, '--run', summary.run_id, '--candidate', String(front[0].candidate_id), '--window', 'holdout']);
    expect(text.stdout).toContain(`run ${summary.run_id}, candidate ${front[0].candidate_id}, on the hold-out window`);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe(`metrics the run stored for candidate ${front[0].candidate_id} on the hold-out window: equal`);
  });

  it('without --config-dir uses the config folder the run recorded; --window all spans both windows and has nothing stored to compare', async () => {
    const off = Array.from({ length: 30 }, (_, i) => i).find((i) => !front.some((c) => c.candidate_id === i))!;
    const r = spawnSync(process.execPath, [BIN, 'backtest', '--db', db, '--run', summary.run_id, '--candidate', String(off), '--window', 'all', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const all = JSON.parse(r.stdout) as BacktestJson;
    expect(all.window).toEqual({ start: summary.windows.search.start, end: summary.windows.holdout.end });
    expect(all.run).toMatchObject({ window: 'all', metrics: null, equals_stored: null });
    // Off the front: search metrics stored, no hold-out metrics.
    expect((await rerun(['--run', summary.run_id, '--candidate', String(off)])).run!.equals_stored).toBe(true);
    expect((await rerun(['--run', summary.run_id, '--candidate', String(off), '--window', 'holdout'])).run).toMatchObject({ metrics: null, equals_stored: null });
  });

  it('show: the front parameters as --params takes them, at full precision, and the command that reproduces a candidate', async () => {
    const text = (await runCliInProcess(['show', summary.run_id, '--db', db])).stdout;
    const best = summary.best!;
    expect(text).toContain(`pnlopt backtest --run ${summary.run_id} --candidate ${best.candidate_id}`);
    const line = text.split('\n').find((l) => l.trim().split(/\s+/)[0] === String(best.candidate_id) && l.includes('='))!;
    const params = line.trim().split(/\s+/)[1];
    expect(params).toBe(`fast=${best.params.fast},slow=${best.params.slow}`);
    // Those parameters on the search window's dates: the stored search metrics again.
    const [first, last] = summary.windows.dates.search;
    const r = await runCliInProcess(['backtest', '--config-dir', cfgDir, '--data', SP500, '--strategy', 'sma_cross', '--params', params, '--start', first, '--end', last, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as BacktestJson).metrics).toEqual(front.find((c) => c.candidate_id === best.candidate_id)!.metrics);
  });

  it('a resume with other dates is refused, naming the option', async () => {
    const r = await runCliInProcess(['optimize', '--config-dir', cfgDir, '--db', db, '--resume', summary.run_id, '--start', '2004-01-02']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--start: the run has "2003-01-01", this command has "2004-01-02"');
  });

  it('refuses, with exit 2: no --candidate, options the run recorded, an unknown candidate, other data or config', async () => {
    const run = ['backtest', '--db', db, '--run', summary.run_id];
    for (const [args, message] of [
      [[...run, '--config-dir', cfgDir], `--run ${summary.run_id}: give --candidate ID`],
      [[...run, '--config-dir', cfgDir, '--candidate', '0', '--strategy', 'sma_cross', '--params', 'fast=5,slow=20'], '--strategy, --params: the run recorded these; drop them'],
      [[...run, '--config-dir', cfgDir, '--candidate', '0', '--start', '2004-01-02'], '--start: the run recorded these'],
      [[...run, '--config-dir', cfgDir, '--candidate', '30'], 'the run has no candidate 30'],
      [[...run, '--config-dir', cfgDir, '--candidate', '0', '--data', MSFT], 'is not the data the run used'],
      [[...run, '--config-dir', TEST_CONFIG_DIR, '--candidate', '0'], 'is not the one the run used (config_hash'],
      [[...ARGS, '--candidate', '0'], '--candidate: only with --run RUN_ID'],
      [[...ARGS, '--window', 'holdout'], '--window: only with --run RUN_ID'],
      [['backtest', '--data', MSFT, '--strategy', 'sma_cross'], 'give --params, or --run RUN_ID --candidate ID'],
    ] as const) {
      const r = await runCliInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
  });

  it('an evaluate run: its one window, made with --start / --end, reproduced; it has no hold-out', async () => {
    const candidates = join(dir, 'cands.csv');
    writeFileSync(candidates, 'fast,slow\n5,20\n10,50\n');
    const evalDb = join(dir, 'evaluate.db');
    const out = join(dir, 'evaluated.csv');
    const e = await runCliInProcess(['evaluate', '--data', MSFT, '--strategy', 'sma_cross', '--candidates', candidates, '--out', out, '--db', evalDb, '--workers', '1', '--start', '2001-01-01', '--end', '2001-06-30', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const runId = (JSON.parse(e.stdout) as { run_id: string }).run_id;
    const again = await runCliInProcess(['backtest', '--db', evalDb, '--run', runId, '--candidate', '1', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const r = JSON.parse(again.stdout) as BacktestJson;
    expect(r.run).toMatchObject({ window: 'evaluated', equals_stored: true });
    expect(r.period).toMatchObject({ start: '2001-01-02', end: '2001-06-29' });
    expect(r.metrics).toEqual((JSON.parse((await runCliInProcess([...ARGS.slice(0, 5), '--params', 'fast=10,slow=50', '--start', '2001-01-01', '--end', '2001-06-30', '--json'])).stdout) as BacktestJson).metrics);
    const holdout = await runCliInProcess(['backtest', '--db', evalDb, '--run', runId, '--candidate', '1', '--window', 'holdout']);
    expect(holdout.code).toBe(2);
    expect(holdout.stderr).toContain('an evaluate run has no hold-out window');
  });
});

describe('paramsArg', () => {
  it('writes k=v,k=v with numbers that read back as the same doubles', async () => {
    const params = { w: 0.1 + 0.2, n: 12, tiny: 5e-324, direction: 'long_short' };
    const text = paramsArg(params);
    expect(text).toBe('w=0.30000000000000004,n=12,tiny=5e-324,direction=long_short');
    for (const item of text.split(',')) {
      const [k, v] = item.split('=');
      const want = params[k as keyof typeof params];
      expect(typeof want === 'number' ? Number(v) : v).toBe(want);
    }
  });
});

describe('buyAndHold', () => {
  function panel(closes: number[][]): Panel {
    const T = closes[0].length;
    const flat = closes.flat();
    return {
      tickers: closes.map((_, k) => `T${k}`), T,
      time: toShared(Array.from({ length: T }, (_, t) => Date.UTC(2020, 0, 1 + t))),
      open: toShared(flat), high: toShared(flat), low: toShared(flat), close: toShared(flat), volume: toShared(flat.map(() => 1)),
    };
  }

  it('one ticker: the last close over the first, drawdown from the running peak of the closes', async () => {
    const b = buyAndHold(panel([[10, 12, 9, 15, 6, 11]]));
    expect(b.total_return).toBeCloseTo(0.1, 15);
    expect(b.max_drawdown).toBeCloseTo(1 - 6 / 15, 15);
  });

  it('several tickers: equal capital in each at the first close, not rebalanced', async () => {
    // B = mean(A_t / 100, C_t / 10): 1, 1.05, 0.9, 1.25 -> total 25%, drawdown 1 - 0.9 / 1.05.
    const b = buyAndHold(panel([[100, 120, 90, 150], [10, 9, 9, 10]]));
    expect(b.total_return).toBeCloseTo(0.25, 15);
    expect(b.max_drawdown).toBeCloseTo(1 - 0.9 / 1.05, 15);
  });

  it('a window of the panel starts at its own first close; never falling is drawdown 0', async () => {
    const b = buyAndHold(panel([[50, 10, 20, 30, 40]]), 1, 4);
    expect(b).toEqual({ total_return: 2, max_drawdown: 0 });
  });
});
