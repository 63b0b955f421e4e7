/**
 * `pnlopt backtest` through the built CLI: the period, metrics with percentages, buy and hold
 * (checked against a hand computation from the CSV's closes), `--json` in the "inf" / null
 * convention, and `--equity` through the shared output writer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buyAndHold } from '../../../src/cli/commands/backtest.js';
import { MAX_WIDTH } from '../../../src/cli/table.js';
import { toShared } from '../../../src/data/shared.js';
import type { Panel } from '../../../src/data/types.js';
import { ROOT, runCli } from '../../helpers/cli.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const ARGS = ['backtest', '--data', MSFT, '--strategy', 'sma_cross', '--params', 'fast=5,slow=20', '--fee-bps', '5'];
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pnlopt-backtest-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

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
  metrics: Record<string, number | string | null>;
  buy_and_hold: { total_return: number; max_drawdown: number };
}

describe('pnlopt backtest', () => {
  const hand = handBuyAndHold();

  it('the hand computation is what the data says (249 bars, 60.625 -> 49.96)', () => {
    expect(hand).toMatchObject({ first: '2000-09-27', last: '2001-09-27', bars: 249 });
    expect(hand.totalReturn).toBeCloseTo(49.96 / 60.625 - 1, 15);
  });

  it('--json keeps its keys and adds the period and buy and hold, equal to the hand computation', () => {
    const r = runCli([...ARGS, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as BacktestJson;
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['strategy', 'params', 'data_hash', 'bars', 'tickers', 'metrics', 'period', 'buy_and_hold']));
    expect(out.params).toEqual({ fast: 5, slow: 20 });
    expect(out.bars).toBe(hand.bars);
    expect(out.period).toEqual({ start: hand.first, end: hand.last, bars: hand.bars });
    expect(out.buy_and_hold.total_return).toBeCloseTo(hand.totalReturn, 14);
    expect(out.buy_and_hold.max_drawdown).toBeCloseTo(hand.maxDrawdown, 14);
    expect(out.buy_and_hold.total_return).toBeCloseTo(-0.1759175, 6);
    expect(out.buy_and_hold.max_drawdown).toBeCloseTo(0.4144621, 6);
    expect(typeof out.metrics.total_return).toBe('number');
  });

  it('prints the period, percentages for fractions of capital and a buy-and-hold line', () => {
    const r = runCli(ARGS);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(runCli([...ARGS, '--json']).stdout) as BacktestJson;
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(MAX_WIDTH);
    expect(lines[0]).toBe('sma_cross on msft_2000_2001_daily_ohlcv');
    expect(lines[1]).toBe('params: fast=5, slow=20');
    expect(lines[2]).toBe(`period: ${hand.first} .. ${hand.last} (${hand.bars} bars)`);
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

  it('writes no losing trade as "inf" and a missing win rate as null in --json', () => {
    // slow = 200 on 249 bars: no cross, no trade: profit_factor +Infinity (no losing trade), win_rate NaN.
    const r = runCli(['backtest', '--data', MSFT, '--strategy', 'sma_cross', '--params', 'fast=50,slow=200', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as BacktestJson;
    expect(out.metrics).toMatchObject({ total_trades: 0, profit_factor: 'inf', win_rate: null });
    const text = runCli(['backtest', '--data', MSFT, '--strategy', 'sma_cross', '--params', 'fast=50,slow=200']).stdout;
    expect(text).toMatch(/^profit_factor +inf$/m);
    expect(text).toMatch(/^win_rate +-$/m);
  });

  it('writes --equity through the output writer: a file, or standard output with the result on standard error', () => {
    const file = join(tmp(), 'eq.csv');
    const r = runCli([...ARGS, '--equity', file]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('date,equity');
    expect(lines).toHaveLength(hand.bars + 1);
    expect(lines[1]).toMatch(new RegExp(`^${hand.first},`));
    expect(r.stdout).toContain('buy and hold:');

    const piped = runCli([...ARGS, '--equity', '-', '--json']);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(readFileSync(file, 'utf8'));
    expect((JSON.parse(piped.stderr) as BacktestJson).buy_and_hold.total_return).toBeCloseTo(hand.totalReturn, 14);
  });

  it('rejects an --equity path in a missing folder with exit 2 before backtesting', () => {
    const missing = join(tmp(), 'no', 'such', 'eq.csv');
    const r = runCli([...ARGS, '--equity', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--equity');
    expect(r.stdout).toBe('');
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

  it('one ticker: the last close over the first, drawdown from the running peak of the closes', () => {
    const b = buyAndHold(panel([[10, 12, 9, 15, 6, 11]]));
    expect(b.total_return).toBeCloseTo(0.1, 15);
    expect(b.max_drawdown).toBeCloseTo(1 - 6 / 15, 15);
  });

  it('several tickers: equal capital in each at the first close, not rebalanced', () => {
    // B = mean(A_t / 100, C_t / 10): 1, 1.05, 0.9, 1.25 -> total 25%, drawdown 1 - 0.9 / 1.05.
    const b = buyAndHold(panel([[100, 120, 90, 150], [10, 9, 9, 10]]));
    expect(b.total_return).toBeCloseTo(0.25, 15);
    expect(b.max_drawdown).toBeCloseTo(1 - 0.9 / 1.05, 15);
  });

  it('a window of the panel starts at its own first close; never falling is drawdown 0', () => {
    const b = buyAndHold(panel([[50, 10, 20, 30, 40]]), 1, 4);
    expect(b).toEqual({ total_return: 2, max_drawdown: 0 });
  });
});
