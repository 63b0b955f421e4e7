/**
 * `pnlopt regime` end to end: the command (src/cli/commands/regime-command.ts, regime.ts) over the
 * job (src/jobs/regime.ts), in a program of its own with the exit-code rules of src/cli/main.ts (an
 * `InputError` or a commander usage error: 2), on the frozen test config.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerRegime } from '../../src/cli/commands/regime-command.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { writeCsv } from '../../src/data/write.js';
import { DatabaseManager } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { storedDriftMetrics } from '../../src/store/drift-metrics.js';
import { runCommand } from '../helpers/command.js';
import { EXIT_BAD_INPUT, EXIT_OK } from '../../src/errors.js';
import { testConfig } from '../helpers/config.js';
import { ROOT } from '../helpers/cli.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const dir = mkdtempSync(join(tmpdir(), 'pnlopt-regime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const regimeCli = (args: readonly string[]) => runCommand(registerRegime, 'regime', args);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('pnlopt regime', () => {
  it('prints the documented JSON on the default data and records the drift rows in --db', async () => {
    const db = join(dir, 'default.db');
    const { code, stdout, stderr } = await regimeCli(['--db', db, '--json']);
    expect(code).toBe(EXIT_OK);
    const report = JSON.parse(stdout) as { tickers: Record<string, unknown>[] };
    expect(Object.keys(report)).toEqual(['tickers']);
    expect(report.tickers).toHaveLength(1);
    const t = report.tickers[0] as {
      ticker: string;
      current: { regime: string; labels: Record<string, string>; since: string };
      segments: { start: string; end: string; regime: string; labels: Record<string, string>; bars: number }[];
    };
    expect(Object.keys(t)).toEqual(['ticker', 'current', 'segments']);
    expect(t.ticker).toBe('sp500_daily_ohlcv_2000_2020');
    expect(Object.keys(t.current)).toEqual(['regime', 'labels', 'since']);
    expect(t.segments.length).toBeGreaterThan(10);
    for (const g of t.segments) {
      expect(Object.keys(g)).toEqual(['start', 'end', 'regime', 'labels', 'bars']);
      expect(g.start).toMatch(ISO_DATE);
      expect(g.end).toMatch(ISO_DATE);
      expect(g.end >= g.start).toBe(true);
      expect(Object.keys(g.labels)).toEqual(['volatility', 'trend']);
      expect(g.regime).toBe(`vol=${g.labels.volatility}|trend=${g.labels.trend}`);
    }
    const last = t.segments.at(-1)!;
    expect(t.current).toEqual({ regime: last.regime, labels: last.labels, since: last.start });
    expect(last.end).toBe('2020-04-17'); // the file's last bar
    // The store holds one drift row per split of consecutive 126-return windows: floor((5105 - 1) / 126) - 1 = 39.
    const dbm = new DatabaseManager(db, MIGRATIONS, 'read');
    try {
      expect(storedDriftMetrics(dbm).map((r) => r.ticker)).toEqual(Array(39).fill('sp500_daily_ohlcv_2000_2020'));
    } finally {
      dbm.close();
    }
    expect(stderr).toBe(`pnlopt: 39 drift row(s) recorded in ${db} (split_drift_metrics)\n`);
  });

  it('prints each ticker of several files with its current regime and its segments', async () => {
    const data = generateSynthetic({ tickers: 2, bars: 700, seed: 4, config: testConfig().synthetic });
    const csv = join(dir, 'synth.csv');
    writeCsv(data, csv);
    const { code, stdout } = await regimeCli(['--data', csv, '--db', join(dir, 'synth.db'), '-q']);
    expect(code).toBe(EXIT_OK);
    const blocks = stdout.trimEnd().split('\n\n');
    expect(blocks).toHaveLength(2);
    blocks.forEach((block, k) => {
      const [heading, header, rule, ...rows] = block.split('\n');
      expect(heading).toMatch(new RegExp(`^SYN${k}: vol=(low|normal|high)\\|trend=(bull|bear|sideways) since \\d{4}-\\d{2}-\\d{2}$`));
      expect(header.split(/\s+/)).toEqual(['start', 'end', 'bars', 'regime']);
      expect(rule).toMatch(/^[- ]+$/);
      expect(rows.length).toBeGreaterThan(1);
      expect(heading).toContain(`since ${rows.at(-1)!.split(/\s+/)[0]}`);
    });
  });

  it('refuses a series too short for detection with exit 2, naming file, ticker and bars needed, and creates no store', async () => {
    const db = join(dir, 'short.db');
    const { code, stdout, stderr } = await regimeCli(['--data', MSFT, '--db', db]);
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${MSFT} ticker msft_2000_2001_daily_ohlcv: 249 bars; regime detection needs at least 381 (`);
    expect(existsSync(db)).toBe(false);
  });
});
