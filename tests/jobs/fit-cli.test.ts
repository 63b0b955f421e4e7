/**
 * `pnlopt fit` end to end: the command (src/cli/commands/fit-command.ts, fit.ts) over the job
 * (src/jobs/fit.ts), in a program of its own with the exit-code rules of src/cli/main.ts (an
 * `InputError` or a commander usage error: 2; a failed fit sets 1), on the frozen test config.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerFit } from '../../src/cli/commands/fit-command.js';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, InputError } from '../../src/errors.js';
import { readNumericColumn } from '../../src/data/numeric-column.js';
import { createRng } from '../../src/rng.js';
import { TEST_CONFIG_DIR, testConfig } from '../helpers/config.js';
import { ROOT } from '../helpers/cli.js';
import * as ref from '../reference/garch-reference.js';
import { refArxFit, refArxPredict } from '../reference/arx.js';
import { refLrrForecast, refSsa } from '../reference/ssa.js';

const DEM2GBP = join(ROOT, 'tests', 'fixtures', 'garch', 'dem2gbp.csv');
const SP500 = join(ROOT, 'data', 'sp500_daily_ohlcv_2000_2020.csv');
const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const MULTI = join(ROOT, 'tests', 'fixtures', 'data', 'good_multi.csv');
const models = testConfig().strategy.forecast_models;

const dir = mkdtempSync(join(tmpdir(), 'pnlopt-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write `text` to a file in the test folder and return its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A one-column CSV of `values`, each written so that it reads back as the same double. */
function columnCsv(name: string, header: string, values: ArrayLike<number>): string {
  return file(name, `${header}\n${Array.from(values, String).join('\n')}\n`);
}

/** `pnlopt fit ...args` in this process: its exit code and what it wrote. */
async function fitCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('pnlopt').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerFit(program);
  const out: string[] = [];
  const err: string[] = [];
  const [stdoutWrite, stderrWrite, exitCode] = [process.stdout.write, process.stderr.write, process.exitCode];
  const capture = (into: string[]) => ((chunk: string | Uint8Array) => (into.push(String(chunk)), true)) as typeof process.stdout.write;
  let code: number;
  try {
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    process.exitCode = undefined;
    try {
      await program.parseAsync(['fit', '--config-dir', TEST_CONFIG_DIR, ...args], { from: 'user' });
      code = typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
    } catch (e) {
      if (e instanceof InputError) {
        err.push(e.message);
        code = EXIT_BAD_INPUT;
      } else if (e instanceof CommanderError) {
        err.push(e.message);
        code = EXIT_BAD_INPUT;
      } else throw e;
    }
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = exitCode;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('pnlopt fit --model garch', () => {
  it('prints the benchmark estimates as JSON with the documented keys', async () => {
    const { code, stdout, stderr } = await fitCli(['--model', 'garch', '--data', DEM2GBP, '--column', 'DEM2GBP', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    const r = JSON.parse(stdout) as Record<string, unknown>;
    for (const key of ['mu', 'omega', 'alpha', 'beta', 'loglik', 'persistence', 'next_variance']) expect(typeof r[key], key).toBe('number');
    const n = (k: string) => r[k] as number;
    expect([n('mu'), n('omega'), n('alpha'), n('beta')].map((v) => v.toPrecision(3))).toEqual(['-0.00619', '0.0108', '0.153', '0.806']);
    expect(n('loglik').toFixed(1)).toBe('-1106.6');
    expect(n('persistence')).toBe(n('alpha') + n('beta'));
    expect(r).toMatchObject({ model: 'garch', column: 'DEM2GBP', series: 'column', n: 1974 });
    // next_variance = h_1975 by the twin's recursion at the printed parameters.
    const x = readNumericColumn(DEM2GBP, 'DEM2GBP', '--data');
    const h = ref.variances(x, [n('mu'), n('omega'), n('alpha'), n('beta')]);
    expect(Math.abs(n('next_variance') / h[1974] - 1)).toBeLessThan(1e-12);
  });

  it('prints a table without --json', async () => {
    const { code, stdout } = await fitCli(['--model', 'garch', '--data', DEM2GBP, '--column', 'DEM2GBP']);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toMatch(/^garch on .*dem2gbp\.csv column "DEM2GBP" \(as given, 1974 values/);
    expect(stdout).toMatch(/\nalpha\s+0\.153134\n/);
    expect(stdout).toMatch(/\nloglik\s+-1106\.61\n/);
  });

  it('fits log returns of close from an OHLCV file exactly as the same returns given as a column', async () => {
    const fromOhlcv = await fitCli(['--model', 'garch', '--data', SP500, '--json']);
    expect(fromOhlcv.code).toBe(EXIT_OK);
    const a = JSON.parse(fromOhlcv.stdout) as Record<string, number | string>;
    expect(a).toMatchObject({ series: 'log_return', column: null, n: 5104 });
    // The returns, computed here without the project's code: ln(C_t / C_{t-1}).
    const closes = readNumericColumn(SP500, 'close', '--data');
    const returns = Array.from(closes.subarray(1), (c, t) => Math.log(c / closes[t]));
    const fromColumn = await fitCli(['--model', 'garch', '--data', columnCsv('sp500-returns.csv', 'r', returns), '--column', 'r', '--json']);
    const b = JSON.parse(fromColumn.stdout) as Record<string, number | string>;
    for (const key of ['mu', 'omega', 'alpha', 'beta', 'loglik', 'next_variance']) expect(b[key], key).toBe(a[key]);
    expect(a.persistence as number).toBeLessThan(1);
  });

  it('refuses a non-stationary fit: exit 1, the reason on stderr, nothing on stdout', async () => {
    const rng = createRng(7, 'garch-fit');
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    // alpha + beta = 1.02 (see fit-garch.test.ts: the estimate is above 1).
    const path = columnCsv('explosive.csv', 'r', ref.simulate(2000, [0.0003, 2e-6, 0.15, 0.87], normal, 500));
    const { code, stdout, stderr } = await fitCli(['--model', 'garch', '--data', path, '--column', 'r', '--json']);
    expect(code).toBe(EXIT_FAILURE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/garch fit of .*explosive\.csv column "r": not stationary: alpha \+ beta = 1\.0\d+ >= 1/);
  });
});

describe('pnlopt fit --model arx and ssa', () => {
  const x = Array.from(readNumericColumn(DEM2GBP, 'DEM2GBP', '--data'));

  it('arx: the configured orders fitted by least squares, a Gaussian log-likelihood and the next-step forecast', async () => {
    const { code, stdout } = await fitCli(['--model', 'arx', '--data', DEM2GBP, '--column', 'DEM2GBP', '--json']);
    expect(code).toBe(EXIT_OK);
    const r = JSON.parse(stdout) as { intercept: number; ar: number[]; seasonal: number[]; sigma: number; loglik: number; forecast: number; ar_order: number };
    const cfg = models.sarimax!;
    const o = { p: cfg.ar_order, P: cfg.seasonal_order, s: cfg.seasonal_period, E: 0 };
    const want = refArxFit(x, [], 0, x.length, o, cfg.ridge);
    const coef = [r.intercept, ...r.ar, ...r.seasonal];
    expect(r.ar).toHaveLength(cfg.ar_order);
    coef.forEach((c, i) => expect(Math.abs(c - want.coef[i])).toBeLessThan(1e-10));
    expect(Math.abs(r.sigma / want.residualStd - 1)).toBeLessThan(1e-10);
    expect(Math.abs(r.forecast - refArxPredict(x, [], x.length, o, want.coef))).toBeLessThan(1e-12);
    // LL = Σ log N(e_τ; 0, SSR / rows) over the regression targets, from the residuals themselves.
    const first = Math.max(o.p, o.P * o.s, 1);
    const e = x.slice(first).map((y, i) => y - refArxPredict(x, [], first + i, o, coef));
    const v = e.reduce((a, u) => a + u * u, 0) / e.length;
    const ll = e.reduce((a, u) => a - 0.5 * (Math.log(2 * Math.PI * v) + (u * u) / v), 0);
    expect(Math.abs(r.loglik / ll - 1)).toBeLessThan(1e-10);
  });

  it('ssa: the configured window and rank, the recurrence forecast from the reconstruction, no likelihood', async () => {
    const { code, stdout } = await fitCli(['--model', 'ssa', '--data', DEM2GBP, '--column', 'DEM2GBP', '--json']);
    expect(code).toBe(EXIT_OK);
    const r = JSON.parse(stdout) as { nu2: number; lrr: number[]; forecast: number; loglik: null; window_length: number };
    const cfg = models.samossa!;
    expect(r.window_length).toBe(cfg.window_length);
    const want = refSsa(x, cfg.window_length, cfg.components);
    expect(Math.abs(r.nu2 - want.nu2)).toBeLessThan(1e-9);
    r.lrr.forEach((c, j) => expect(Math.abs(c - want.coef[j])).toBeLessThan(1e-8));
    expect(Math.abs(r.forecast - refLrrForecast(want.reconstructions[0], want.coef))).toBeLessThan(1e-8);
    expect(r.loglik).toBeNull();
  });
});

describe('pnlopt fit: bad input exits 2 with a message naming the file and column', () => {
  it('a series shorter than min_history', async () => {
    const path = columnCsv('short.csv', 'ret', [0.01, -0.02, 0.005, 0.03, -0.01]);
    const { code, stdout, stderr } = await fitCli(['--model', 'garch', '--data', path, '--column', 'ret']);
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`short\\.csv column "ret": 5 values; a garch fit needs at least ${models.garch!.min_history} \\(forecast_models\\.garch\\.min_history\\)`));
  });

  it('an OHLCV file with fewer bars than min_history', async () => {
    const { code, stderr } = await fitCli(['--model', 'garch', '--data', MSFT]);
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(stderr).toMatch(/msft_2000_2001_daily_ohlcv\.csv ticker msft_2000_2001_daily_ohlcv: 249 bars; a garch fit needs at least 252/);
  });

  it('a column that is not in the file, or not numeric, or constant', async () => {
    const missing = await fitCli(['--model', 'garch', '--data', DEM2GBP, '--column', 'USD']);
    expect(missing.code).toBe(EXIT_BAD_INPUT);
    expect(missing.stderr).toMatch(/--data .*dem2gbp\.csv: no column "USD"; its columns: DEM2GBP/);

    const values = Array.from({ length: 300 }, (_, i) => String(((i * 7919) % 101) / 1000 - 0.05));
    values[41] = 'n/a';
    const bad = await fitCli(['--model', 'garch', '--data', file('bad.csv', `date,ret\n${values.map((v, i) => `d${i},${v}`).join('\n')}\n`), '--column', 'ret']);
    expect(bad.code).toBe(EXIT_BAD_INPUT);
    // Row 43: the header is row 1 and values[41] is on the 43rd line.
    expect(bad.stderr).toMatch(/bad\.csv:43:ret: expected a finite number, got "n\/a"/);

    const flat = await fitCli(['--model', 'garch', '--data', columnCsv('flat.csv', 'ret', new Array<number>(300).fill(0.001)), '--column', 'ret']);
    expect(flat.code).toBe(EXIT_BAD_INPUT);
    expect(flat.stderr).toMatch(/flat\.csv column "ret": the series is constant/);
  });

  it('a multi-ticker OHLCV file without --ticker, an unknown model, a missing file', async () => {
    const multi = await fitCli(['--model', 'garch', '--data', MULTI]);
    expect(multi.code).toBe(EXIT_BAD_INPUT);
    expect(multi.stderr).toMatch(/good_multi\.csv: \d+ tickers; pick one with --ticker/);
    const model = await fitCli(['--model', 'arima', '--data', DEM2GBP]);
    expect(model.code).toBe(EXIT_BAD_INPUT);
    expect(model.stderr).toMatch(/arima.*Allowed choices are garch, arx, ssa/);
    const none = await fitCli(['--model', 'garch', '--data', join(dir, 'nope.csv'), '--column', 'r']);
    expect(none.code).toBe(EXIT_BAD_INPUT);
    expect(none.stderr).toMatch(/nope\.csv/);
  });
});
