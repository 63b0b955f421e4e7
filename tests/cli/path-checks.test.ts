/**
 * Every check that can fail runs before anything is written, through the built CLI: a bad family,
 * ticker, output path (not creatable, or the same file as an input), too little data, or
 * sma_cross on several tickers exits 2 and neither creates the store nor changes an existing one
 * (its bytes, so its run list too). The CLI runs in this process (`runCliInProcess`): the exit code
 * is `main`'s, which bin/pnlopt.js exits with (through a real process: tests/cli/main.test.ts).
 */
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMarketData } from '../../src/data/load.js';
import { DatabaseManager } from '../../src/store/database.js';
import { ingestMarketData } from '../../src/store/ingest.js';
import { ROOT, runCliInProcess } from '../helpers/cli.js';
import { fingerprint } from '../helpers/store-files.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');

let dir: string;
let twoTickers: string;
let cands: string;

/** Two tickers, enough bars for the test config's windows (252 warm-up, a quarter and at least 252 for the hold-out). */
function twoTickerCsv(path: string): void {
  const lines = ['date,open,high,low,close,volume,ticker'];
  for (const ticker of ['AAA', 'BBB']) {
    for (let i = 0; i < 1400; i++) {
      const close = 100 + 5 * Math.sin(i / 10) + (ticker === 'BBB' ? 10 : 0);
      lines.push(`${new Date(Date.UTC(2000, 0, 3 + i)).toISOString().slice(0, 10)},${close},${close + 1},${close - 1},${close},1000,${ticker}`);
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pnlopt-checks-'));
  twoTickers = join(dir, 'two.csv');
  twoTickerCsv(twoTickers);
  cands = join(dir, 'cands.csv');
  writeFileSync(cands, 'fast,slow\n5,20\n');
  writeFileSync(join(dir, 'file'), '');
  symlinkSync(cands, join(dir, 'link-to-cands.csv'));
});

/** Bad invocations (without `--db`) and what the message names. */
const CASES: readonly (readonly [args: readonly string[], message: string])[] = [
  [['optimize', '--family', 'nope'], 'unknown strategy "nope"'],
  [['optimize', '--family', '__proto__'], 'unknown strategy "__proto__"'],
  [['optimize', '--family', 'sma_cross', '--tickers', 'nope'], "unknown ticker 'nope'"],
  [['optimize', '--family', 'sma_cross', '--data', MSFT], 'the data has 249 bars'],
  [['optimize', '--family', 'sma_cross', '--data', '@two'], 'sma_cross trades one series; the data has 2 tickers'],
  [['optimize', '--family', 'sma_cross', '--out', '@file/run'], '--out @file/run: cannot be created'],
  // The demo ingests only once the optimize inputs are checked.
  [['demo', '--set', 'strategy_optimization.optimizer.defaults.family=nope'], 'unknown strategy "nope"'],
  [['evaluate', '--strategy', 'sma_cross', '--data', MSFT, '--candidates', '@cands', '--out', '@cands'], '--out @cands: is the same file as --candidates'],
  [['evaluate', '--strategy', 'sma_cross', '--data', MSFT, '--candidates', '@cands', '--out', '@link-to-cands.csv'], 'is the same file as --candidates'],
];

/** `@name` stands for the file of that name in the test folder (`@two`: the two-ticker data). */
const expand = (a: string): string => (a === '@two' ? twoTickers : a === '@cands' ? cands : a.startsWith('@') ? join(dir, a.slice(1)) : a);

describe('bad input writes nothing', () => {
  it('exits 2 naming the problem, and creates no store', async () => {
    for (const [i, [args, message]] of CASES.entries()) {
      const db = join(dir, `new-${i}.db`);
      const r = await runCliInProcess([...args.map(expand), '--db', db]);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(message.replace(/@\w+(\.csv)?/g, expand));
      expect(existsSync(db), args.join(' ')).toBe(false);
    }
  });

  it('leaves an existing store byte for byte as it was', async () => {
    const db = join(dir, 'store.db');
    const dbm = new DatabaseManager(db);
    ingestMarketData(dbm, loadMarketData([MSFT]), 4.5);
    dbm.close();
    const before = fingerprint(db);
    for (const [args] of [CASES[0], CASES[4]]) {
      expect((await runCliInProcess([...args.map(expand), '--db', db])).code, args.join(' ')).toBe(2);
    }
    expect(fingerprint(db)).toEqual(before);
  });
});
