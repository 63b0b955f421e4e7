/**
 * The `pnlopt` command end to end: subcommands, help, exit codes 0 / 2, JSON output (interrupts and
 * resume: resume.test.ts). The built CLI runs in this process (`runCliInProcess`): nothing here needs
 * a process of its own.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDirWith } from '../helpers/config-dir.js';
import { ROOT, runCliInProcess } from '../helpers/cli.js';
import { fingerprint } from '../helpers/store-files.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'pnlopt-cli-'));

describe('pnlopt CLI', () => {
  it('lists its subcommands and has --help on each', async () => {
    const top = await runCliInProcess(['--help']);
    expect(top.code).toBe(0);
    const names = ['demo', 'ingest', 'backtest', 'evaluate', 'optimize', 'synth', 'sample', 'pareto', 'runs', 'show', 'export', 'migrate'];
    for (const n of names) expect(top.stdout).toContain(n);
    for (const n of names) {
      const r = await runCliInProcess([n, '--help']);
      expect(r.code, n).toBe(0);
      expect(r.stdout).toContain(`Usage: pnlopt ${n}`);
    }
  });

  it('exits 2 on an unknown subcommand or option', async () => {
    expect((await runCliInProcess(['nosuch'])).code).toBe(2);
    expect((await runCliInProcess(['ingest', '--nosuch'])).code).toBe(2);
  });

  it('ingests twice idempotently and prints JSON', async () => {
    const db = join(tmp(), 's.db');
    const a = await runCliInProcess(['ingest', '--data', MSFT, '--db', db, '--json']);
    expect(a.code, a.stderr).toBe(0);
    const first = JSON.parse(a.stdout) as { tickers: { rows: number; inserted: number; unchanged: number }[] };
    expect(first.tickers[0]).toMatchObject({ rows: 249, inserted: 249, unchanged: 0 });
    const b = JSON.parse((await runCliInProcess(['ingest', '--data', MSFT, '--db', db, '--json'])).stdout) as typeof first;
    expect(b.tickers[0]).toMatchObject({ inserted: 0, unchanged: 249 });
  });

  it('loads the files people have: a Yahoo export (quoted fields, Adj Close) and a pandas frame with its index column', async () => {
    const fix = join(ROOT, 'tests', 'fixtures', 'data');
    const r = await runCliInProcess(['ingest', '--data', join(fix, 'yahoo_quoted.csv'), join(fix, 'pandas_index.csv'), '--db', join(tmp(), 'y.db'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("yahoo_quoted.csv: ignoring column(s) 'Adj Close'");
    const quiet = await runCliInProcess(['ingest', '-q', '--data', join(fix, 'yahoo_quoted.csv'), '--db', join(tmp(), 'q.db')]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { tickers: { ticker: string; rows: number; first_ts: number; last_ts: number; volume_max: number }[] };
    expect(out.tickers.map((t) => [t.ticker, t.rows])).toEqual([['yahoo_quoted', 3], ['AAA', 2], ['BBB', 1]]);
    // The quoted first row is read: its date and its volume.
    expect(out.tickers[0]).toMatchObject({ first_ts: Date.UTC(2020, 0, 2), last_ts: Date.UTC(2020, 0, 6), volume_max: 1200300 });
  });

  it('rejects a bad data file with file:row:column, exit 2, and writes nothing', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,100\n2020-01-03,10,9.5,9,10,-5\n');
    const r = await runCliInProcess(['ingest', '--data', bad, '--db', join(dir, 'x.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.csv:3:high:');
    expect(r.stderr).toContain('bad.csv:3:volume:');
    expect(() => readFileSync(join(dir, 'x.db'))).toThrow();
  });

  it('rejects a bad config with file: key.path: problem, exit 2', async () => {
    const dir = configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'max_drawdown'], 'abc'));
    const r = await runCliInProcess(['ingest', '--data', MSFT, '--db', join(tmp(), 'x.db'), '--config-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('quant_success_config.yml: guardrails.max_drawdown: expected number between 0 and 1, got "abc"');
  });

  it('runs the demo on the embedded data with no other input: ingest, then optimize', async () => {
    const dir = tmp();
    const r = await runCliInProcess(['demo', '--db', join(dir, 'demo.db')], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('sp500_daily_ohlcv_2000_2020');
    expect(r.stdout).toMatch(/5105/);
    expect(r.stdout).toMatch(/\(bandit, seed \d+\): 5000 candidates/);
    expect(r.stdout).toContain('families: ts_ensemble, ts_with_fallback, sma_cross');
    expect(r.stdout).toMatch(/adopted: |not adopted: |no candidate met every guardrail/);
  });

  it('optimizes with JSON output, and rejects an unknown family or optimizer with exit 2', async () => {
    const dir = tmp();
    const r = await runCliInProcess(['optimize', '--family', 'sma_cross', '--optimizer', 'nsga2', '--budget', '300', '--seed', '3', '--db', join(dir, 'o.db'), '--out', join(dir, 'run'), '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { status: string; evaluated: number; run_id: string };
    expect(s).toMatchObject({ status: 'completed', evaluated: 300 });
    expect(readFileSync(join(dir, 'run', 'summary.json'), 'utf8')).toContain(s.run_id);
    const bad = await runCliInProcess(['optimize', '--family', 'nope', '--db', join(dir, 'o.db')], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown strategy "nope"');
    expect((await runCliInProcess(['optimize', '--optimizer', 'gradient', '--db', join(dir, 'o.db')], { cwd: dir })).code).toBe(2);
  });

  it('backtests sma_cross with JSON metrics and rejects bad parameters with exit 2', async () => {
    const ok = await runCliInProcess(['backtest', '--data', MSFT, '--strategy', 'sma_cross', '--params', 'fast=5,slow=20', '--fee-bps', '5', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout) as { metrics: Record<string, number | null>; params: Record<string, unknown> };
    expect(out.params).toEqual({ fast: 5, slow: 20 });
    expect(Object.keys(out.metrics)).toEqual(expect.arrayContaining(['total_return', 'max_drawdown', 'sharpe', 'win_rate', 'profit_factor']));
    for (const [args, msg] of [
      [['--strategy', 'nope', '--params', 'fast=5,slow=20'], 'unknown strategy "nope"'],
      [['--strategy', 'sma_cross', '--params', 'fast=20,slow=5'], 'fast < slow is required'],
      [['--strategy', 'sma_cross', '--params', 'fast=5'], 'missing parameter slow'],
      [['--strategy', 'sma_cross', '--params', 'fast=1,slow=5'], 'fast = 1 is out of range'],
      [['--strategy', 'sma_cross', '--params', 'fast=5,slow=20,speed=3'], 'unknown parameter speed'],
    ] as const) {
      const r = await runCliInProcess(['backtest', '--data', MSFT, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(msg);
    }
  });

  it('reads market data back from the store with --data db:PATH, the same as from the file', async () => {
    const db = join(tmp(), 'store.db');
    expect((await runCliInProcess(['ingest', '--data', MSFT, '--db', db])).code).toBe(0);
    const args = ['backtest', '--strategy', 'sma_cross', '--params', 'fast=5,slow=20', '--json'];
    const before = fingerprint(db);
    const fromDb = await runCliInProcess([...args, '--data', `db:${db}`]);
    expect(fromDb.code, fromDb.stderr).toBe(0);
    // Read-only: the store's bytes unchanged, no -wal / -shm left beside it.
    expect(fingerprint(db)).toEqual(before);
    expect(before.sideFiles).toEqual([]);
    const fromFile = JSON.parse((await runCliInProcess([...args, '--data', MSFT])).stdout) as { metrics: unknown; data_hash: string };
    const stored = JSON.parse(fromDb.stdout) as { metrics: unknown; data_hash: string };
    expect(stored.metrics).toEqual(fromFile.metrics);
    expect(stored.data_hash).toBe(fromFile.data_hash);
    const missing = await runCliInProcess([...args, '--data', `db:${join(tmp(), 'none.db')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no database at');
  });

  it('writes the equity curve as CSV', async () => {
    const file = join(tmp(), 'eq.csv');
    const r = await runCliInProcess(['backtest', '--data', MSFT, '--strategy', 'sma_cross', '--params', 'fast=5,slow=20', '--equity', file]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('date,equity');
    expect(lines).toHaveLength(250);
    expect(lines[1]).toMatch(/^2000-09-27,/);
  });
});
