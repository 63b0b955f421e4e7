/**
 * `pnlopt evaluate` end to end: OUT.csv repeats IN.csv in input order with the metrics the
 * in-thread evaluator computes (the reference), on the whole data or the window of `--start` /
 * `--end`; bad rows and bad dates stop the command before the store is
 * touched; SIGINT to a child `node bin/pnlopt.js evaluate` gives exit 130 and an interrupted run,
 * and `--resume` ends with the same OUT.csv and stored results as an uninterrupted run (the one of the
 * first test, run once). Commands that need no process of their own run in this one (`runCliInProcess`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_COUNT, METRIC_NAMES } from '../../../native-free-kernels/portfolio/metrics.js';
import { runEvaluate, type EvaluateOptions } from '../../../src/cli/commands/evaluate.js';
import type { EvaluateSummary } from '../../../src/jobs/evaluate.js';
import { DataError, EXIT_INTERRUPTED, UsageError } from '../../../src/errors.js';
import type { SimulationContext } from '../../../src/simulation/context.js';
import type { ParamLayout } from '../../../src/config/param-layout.js';
import { DatabaseManager } from '../../../src/store/database.js';
import { storedCandidates as countCandidates } from '../../helpers/store-files.js';
import { RunStore, type StoredResult } from '../../../src/store/run-store.js';
import { FAULT_ENV, FAULTY_CLI } from '../../fixtures/pool/faulty-worker.js';
import { FIXTURES, inThread, MSFT, msftSmaCross, population, sameBits } from '../../fixtures/pool/setup.js';
import { runCli, runCliInProcess, withTestConfig } from '../../helpers/cli.js';
import { TEST_CONFIG_DIR, testConfig } from '../../helpers/config.js';
import { buildContext } from '../../../src/jobs/context.js';
import { loadMarketData } from '../../../src/data/load.js';

const N = 120;
/**
 * SIGINT comes while only the hung batch is in flight, which never finishes: a short interrupt grace
 * instead of the configured 2 s wait for it (the grace itself: tests/pool/coordinator.test.ts).
 */
const SHORT_GRACE = ['--set', 'runtime.pool.interrupt_grace_s=0.1'];
let layout: ParamLayout;
let ctx: SimulationContext;
let dir: string;
let input: string;
let X: Float64Array;

function options(over: Partial<EvaluateOptions>): EvaluateOptions {
  return { data: [MSFT], strategy: 'sma_cross', candidates: input, out: join(dir, 'out.csv'), db: join(dir, 'default.db'), workers: 2, configDir: TEST_CONFIG_DIR, ...over };
}

function parseMetric(text: string): number {
  return text === 'nan' ? NaN : text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
}

/** Read the store of a finished run (in this process or a child that has exited) through RunStore. */
function readStore<T>(db: string, read: (store: RunStore) => T): T {
  const dbm = new DatabaseManager(db);
  try {
    return read(new RunStore(dbm));
  } finally {
    dbm.close();
  }
}

function storedCandidates(db: string, runId: string): StoredResult[] {
  return readStore(db, (store) => [...store.results(runId)]);
}

let uninterrupted: Promise<{ summary: EvaluateSummary; out: string; db: string }> | undefined;

/** Every candidate evaluated in one go (the default options): what an interrupted and resumed run must end as. Run once. */
function uninterruptedRun(): Promise<{ summary: EvaluateSummary; out: string; db: string }> {
  const out = join(dir, 'ordered.csv');
  const db = join(dir, 'ordered.db');
  uninterrupted ??= runEvaluate(options({ out, db })).then((summary) => ({ summary, out, db }));
  return uninterrupted;
}

beforeAll(async () => {
  ({ layout, ctx } = await msftSmaCross());
  dir = mkdtempSync(join(tmpdir(), 'pnlopt-evaluate-'));
  X = population(layout, N, 11);
  // Rows written as a person would: spaces, a repeated candidate; the column order differs from the layout's.
  const d = layout.params.length;
  const lines = ['slow,fast'];
  for (let i = 0; i < N; i++) lines.push(`${X[i * d + layout.column.get('slow')!]},${i % 10 === 3 ? ' ' : ''}${X[i * d + layout.column.get('fast')!]}`);
  input = join(dir, 'in.csv');
  writeFileSync(input, lines.join('\n') + '\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnlopt evaluate', () => {
  it('writes the input rows in input order with the metrics of the in-thread evaluator, and records the run', async () => {
    const { summary, out, db } = await uninterruptedRun();
    expect(summary).toMatchObject({ status: 'completed', candidates: N, evaluated: N, failed: 0, already_done: 0, out });

    const inLines = readFileSync(input, 'utf8').split('\n');
    const outLines = readFileSync(out, 'utf8').split('\n');
    expect(outLines[0]).toBe(`slow,fast,${METRIC_NAMES.join(',')}`);
    expect(outLines).toHaveLength(N + 2);
    const reference = inThread(layout, ctx, X);
    const F = new Float64Array(N * METRIC_COUNT);
    for (let i = 0; i < N; i++) {
      const line = outLines[i + 1];
      expect(line.startsWith(inLines[i + 1] + ',')).toBe(true);
      line.slice(inLines[i + 1].length + 1).split(',').forEach((cell, j) => (F[i * METRIC_COUNT + j] = parseMetric(cell)));
    }
    expect(sameBits(F, reference)).toBe(true);

    const run = readStore(db, (store) => store.run(summary.run_id))!;
    expect(run).toMatchObject({ status: 'completed', family: 'sma_cross', budget: N, code_version: expect.any(String), config_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(run.finished_at).not.toBeNull();
    expect(storedCandidates(db, summary.run_id)).toHaveLength(N);
  });

  it('--start / --end: the candidates trade the bars of those dates (found by hand in the CSV), printed and recorded with the run', async () => {
    const rows = readFileSync(MSFT, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    // 2001-01-01 was a holiday, 2001-06-30 a Saturday: bars 2001-01-02 .. 2001-06-29.
    const start = rows.findIndex((d) => d >= '2001-01-01');
    const end = rows.filter((d) => d <= '2001-06-30').length;
    expect([rows[start], rows[end - 1]]).toEqual(['2001-01-02', '2001-06-29']);
    const out = join(dir, 'windowed.csv');
    const db = join(dir, 'windowed.db');
    const summary = await runEvaluate(options({ out, db, start: '2001-01-01', end: '2001-06-30' }));
    expect(summary.window).toEqual({ start, end, dates: ['2001-01-02', '2001-06-29'] });

    // The reference: the in-thread evaluator on a context of that window.
    const windowCtx = await buildContext(testConfig(), layout, ctx.panel, loadMarketData([MSFT]).hash, { start, end });
    const reference = inThread(layout, windowCtx, X);
    const F = new Float64Array(N * METRIC_COUNT);
    readFileSync(out, 'utf8').trim().split('\n').slice(1).forEach((line, i) => line.split(',').slice(2).forEach((cell, j) => (F[i * METRIC_COUNT + j] = parseMetric(cell))));
    expect(sameBits(F, reference)).toBe(true);
    expect(sameBits(F, inThread(layout, ctx, X))).toBe(false);

    const run = readStore(db, (store) => store.run(summary.run_id))!;
    expect(JSON.parse(run.data_window_json!)).toMatchObject({ start, end, dates: ['2001-01-02', '2001-06-29'] });
    expect(JSON.parse(run.invocation_json!)).toMatchObject({ options: { start: '2001-01-01', end: '2001-06-30' } });
    const text = (await runCliInProcess(['show', summary.run_id, '--db', db])).stdout;
    expect(text).toContain(`window: 2001-01-02 .. 2001-06-29 (${end - start} bars: [${start}, ${end}) of the data)`);
  });

  it('refuses a bad date naming the option, and dates outside the data naming their bounds, with exit 2 and nothing stored', async () => {
    const db = join(dir, 'bad-dates.db');
    const args = ['evaluate', '--data', MSFT, '--strategy', 'sma_cross', '--candidates', input, '--out', join(dir, 'never.csv'), '--db', db];
    const bad = await runCliInProcess([...args, '--end', '2001-6-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`option '--end <date>' argument '2001-6-30' is invalid. expected a date YYYY-MM-DD`);
    const outside = await runCliInProcess([...args, '--start', '2000-01-03']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('evaluation.start 2000-01-03 (--start, or ');
    expect(outside.stderr).toContain('is outside the data: the data has 249 bars, 2000-09-27 .. 2001-09-27');
    expect(existsSync(db)).toBe(false);
  });

  it('reports every bad row by row number before it opens the store or starts a worker', async () => {
    const db = join(dir, 'never.db');
    const err = await runEvaluate(options({ candidates: join(FIXTURES, 'sma_bad_rows.csv'), db })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).violations.map((v) => v.row)).toEqual([3, 4, 5, 6, 8, 9]);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses an output folder it cannot write before it evaluates anything', async () => {
    const db = join(dir, 'never-either.db');
    await expect(runEvaluate(options({ out: join(dir, 'missing-folder', 'out.csv'), db }))).rejects.toThrow(/--out .*missing-folder.*: the folder .*missing-folder does not exist/);
    expect(existsSync(db)).toBe(false);
  });

  it('exits 130 on SIGINT leaving an interrupted run, which --resume completes exactly as an uninterrupted run', async () => {
    const db = join(dir, 'interrupted.db');
    const out = join(dir, 'resumed.csv');
    // One worker, batches of 10; the batch of candidate 35 hangs, so batches 0-2 are stored when SIGINT comes.
    const child = spawn(
      process.execPath,
      [FAULTY_CLI, ...withTestConfig(['evaluate', '--data', MSFT, '--strategy', 'sma_cross', '--candidates', input, '--out', out, '--db', db, '--workers', '1', '--batch', '10', ...SHORT_GRACE])],
      { env: { ...process.env, [FAULT_ENV]: JSON.stringify({ candidate: 35, mode: 'hang' }) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => countStored(db) === 30, () => `no 30 stored rows; child stderr:\n${stderr}`);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(EXIT_INTERRUPTED);
    expect(stderr).toMatch(/interrupted; continue with --resume \S+/);

    const run = readStore(db, (store) => store.runs()[0]);
    expect(run.status).toBe('interrupted');
    expect(storedCandidates(db, run.run_id)).toHaveLength(30);
    expect(existsSync(out)).toBe(false);

    await expect(runEvaluate(options({ db, out, resume: run.run_id, feeBps: 7 }))).rejects.toThrow(/--fee-bps: the run has null, this command has 7/);
    await expect(runEvaluate(options({ db, out, resume: 'no-such-run' }))).rejects.toThrow(UsageError);

    // The id alone: data, strategy, candidates, output and config come from the run's record.
    const resumed = await runEvaluate({ db, resume: run.run_id });
    expect(resumed).toMatchObject({ run_id: run.run_id, status: 'completed', already_done: 30, evaluated: N - 30 });

    const reference = await uninterruptedRun();
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference.out, 'utf8'));
    expect(storedCandidates(db, run.run_id)).toEqual(storedCandidates(reference.db, reference.summary.run_id));
  });

  it('--out -: an interrupted run prints nothing on stdout, and --resume alone from another folder prints the CSV, creating no file named -', async () => {
    const db = join(dir, 'stdout.db');
    const child = spawn(
      process.execPath,
      [FAULTY_CLI, ...withTestConfig(['evaluate', '--data', MSFT, '--strategy', 'sma_cross', '--candidates', input, '--out', '-', '--db', db, '--workers', '1', '--batch', '10', ...SHORT_GRACE])],
      { env: { ...process.env, [FAULT_ENV]: JSON.stringify({ candidate: 35, mode: 'hang' }) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => countStored(db) === 30, () => `no 30 stored rows; child stderr:\n${stderr}`);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(EXIT_INTERRUPTED);
    expect(stdout).toBe('');
    const runId = readStore(db, (store) => store.runs()[0].run_id);

    const elsewhere = mkdtempSync(join(tmpdir(), 'pnlopt-elsewhere-'));
    const resumed = runCli(['evaluate', '--resume', runId, '--db', db], { cwd: elsewhere });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(resumed.stdout).toBe(readFileSync((await uninterruptedRun()).out, 'utf8'));
    expect(resumed.stderr).toContain(`run ${runId}: completed`);
    rmSync(elsewhere, { recursive: true, force: true });
  });
});

const countStored = (db: string): number => countCandidates(db, true);

async function waitFor(ready: () => boolean, why: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(why());
}
