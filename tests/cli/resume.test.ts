/**
 * Runs as a CI job uses them, through the built CLI: `optimize --resume ID` alone (the run's record
 * restores every option) after SIGKILL and after SIGINT ends equal to an uninterrupted run; a second
 * process resuming a running run is refused; SIGTERM exits 143; `--set` may tighten a guardrail and
 * never loosen one; `--version`, $PNLOPT_DB / $PNLOPT_DATA, `-q` and `--fail-if-not-adopted`. The
 * runs that get a signal are child processes; the others run in this process (`runCliInProcess`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_INTERRUPTED, EXIT_NOT_ADOPTED, EXIT_TERMINATED } from '../../src/errors.js';
import { codeVersion } from '../../src/paths.js';
import { DatabaseManager } from '../../src/store/database.js';
import { RunStore } from '../../src/store/run-store.js';
import { FAULT_ENV, FAULTY_CLI } from '../fixtures/pool/faulty-worker.js';
import { ROOT, runCliInProcess, withTestConfig } from '../helpers/cli.js';
import { storedCandidates } from '../helpers/store-files.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const GENERATIONS_OF_10 = 'strategy_optimization.optimizer.sampling.batch_size=10';
/**
 * A signal comes while only the hung batch is in flight, which never finishes: a short interrupt grace
 * instead of the configured 2 s wait for it (the grace itself: tests/pool/coordinator.test.ts).
 */
const SHORT_GRACE = 'runtime.pool.interrupt_grace_s=0.1';
const tmp = () => mkdtempSync(join(tmpdir(), 'pnlopt-resume-'));

const stored = (db: string): number => storedCandidates(db);

/** The CLI whose pool (one worker) hangs on its fourth batch, as a child; resolves its exit code and stderr. */
function hanging(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [FAULTY_CLI, ...withTestConfig(args)], {
    cwd,
    env: { ...process.env, ...env, [FAULT_ENV]: JSON.stringify({ afterTasks: 3, mode: 'hang' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit, stderr: () => stderr };
}

async function until(what: () => boolean, why: () => string): Promise<void> {
  for (let i = 0; i < 1200 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(what(), why()).toBe(true);
}

function runRow(db: string, runId: string) {
  const dbm = new DatabaseManager(db);
  try {
    const store = new RunStore(dbm);
    return { row: store.run(runId), count: store.countStored(runId) };
  } finally {
    dbm.close();
  }
}

const pick = (s: string) => {
  const j = JSON.parse(s) as Record<string, unknown>;
  return { best: j.best, front: j.front, evaluated: j.evaluated, adopted: j.adopted, seed: j.seed, budget: j.budget };
};

describe('optimize --resume RUN_ID alone', () => {
  it('after SIGKILL and after SIGINT ends equal to an uninterrupted run; a concurrent resume is refused', async () => {
    const dir = tmp();
    const env = { PNLOPT_DB: join(dir, 'o.db') };
    const db = env.PNLOPT_DB;
    // Generations of ten: each is stored while the next runs, so three are stored when the fourth hangs.
    const options = ['--family', 'sma_cross', '--optimizer', 'random', '--budget', '200', '--seed', '5', '--set', GENERATIONS_OF_10, '--set', SHORT_GRACE, '--out', join(dir, 'run')];
    // 1. Killed with SIGKILL (a CI timeout) after three batches of ten: the run stays `running`.
    const first = hanging(['optimize', ...options, '--workers', '1', '--batch', '10'], dir, env);
    await until(() => stored(db) === 30, first.stderr);
    const runId = /run (\S+) started/.exec(first.stderr())?.[1];
    expect(runId, first.stderr()).toBeDefined();
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    expect(runRow(db, runId!).row?.status).toBe('running');

    // 2. Resumed with nothing but the id (hanging again after three batches): the killed owner's lock is stale.
    const second = hanging(['optimize', '--resume', runId!, '--workers', '1', '--batch', '10'], dir, env);
    await until(() => second.stderr().includes(`run ${runId} resumed`), second.stderr);
    // 3. A second process resuming the same run while it runs is refused, and changes nothing.
    const third = await runCliInProcess(['optimize', '--resume', runId!], { cwd: dir, env });
    expect(third.code, third.stderr).toBe(2);
    expect(third.stderr).toMatch(new RegExp(`run ${runId} is running in process \\d+`));
    // 4. A resume with an option that contradicts the record is refused, naming it.
    const other = await runCliInProcess(['optimize', '--resume', runId!, '--seed', '6'], { cwd: dir, env });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--seed: the run has 5, this command has 6/);
    // Its worker does three more batches, then hangs: 60 stored when SIGINT comes, kept after it.
    await until(() => stored(db) === 60, second.stderr);
    second.child.kill('SIGINT');
    expect((await second.exit).code, second.stderr()).toBe(EXIT_INTERRUPTED);
    expect(runRow(db, runId!)).toMatchObject({ row: { status: 'interrupted' }, count: 60 });

    // 5. Resumed again, alone, to the end: equal to the same search run straight through elsewhere.
    const resumed = await runCliInProcess(['optimize', '--resume', runId!, '--json'], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(join(dir, 'run', 'summary.json'))).toBe(true);
    const straight = await runCliInProcess(['optimize', ...options.slice(0, -1), join(dir, 'straight'), '--db', join(dir, 'straight.db'), '--json'], { cwd: dir });
    expect(straight.code, straight.stderr).toBe(0);
    expect(pick(resumed.stdout)).toEqual(pick(straight.stdout));
    expect(runRow(db, runId!).row?.status).toBe('completed');
  });

  it('exits 143 on SIGTERM, keeping what finished', async () => {
    const dir = tmp();
    const db = join(dir, 't.db');
    const run = hanging(['optimize', '--family', 'sma_cross', '--optimizer', 'random', '--budget', '100', '--set', GENERATIONS_OF_10, '--set', SHORT_GRACE, '--workers', '1', '--batch', '10', '--db', db], dir, {});
    await until(() => stored(db) === 30, run.stderr);
    run.child.kill('SIGTERM');
    expect((await run.exit).code, run.stderr()).toBe(EXIT_TERMINATED);
    expect(stored(db)).toBe(30);
    expect(run.stderr()).toMatch(/interrupted; continue with --resume \S+/);
  });
});

describe('--set', () => {
  const base = ['optimize', '--family', 'sma_cross', '--optimizer', 'random', '--budget', '40', '--json'];

  it('tightens a guardrail: the run applies the stricter value', async () => {
    const dir = tmp();
    const db = join(dir, 's.db');
    const r = await runCliInProcess([...base, '--db', db, '--out', join(dir, 'run'), '--set', 'quant_success.guardrails.max_drawdown=0.2'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const runId = (JSON.parse(r.stdout) as { run_id: string }).run_id;
    const { row } = runRow(db, runId);
    const checks = (JSON.parse(row!.constraints_json!) as { guardrails: { key: string; threshold: number }[] }).guardrails;
    expect(checks.find((c) => c.key === 'guardrails.max_drawdown')?.threshold).toBe(0.2);
  });

  it('refuses to loosen a guardrail, before anything is written', async () => {
    const dir = tmp();
    const db = join(dir, 'l.db');
    for (const [set, message] of [
      ['quant_success.guardrails.max_drawdown=0.5', /would loosen the guardrail quant_success\.guardrails\.max_drawdown from 0\.35 to 0\.5/],
      ['quant_success.guardrails.min_win_rate=0.1', /would loosen the guardrail quant_success\.guardrails\.min_win_rate from 0\.4 to 0\.1/],
      ['signal_routing.signal_routing.time_series.capital_at_risk_per_trade=0.5', /capital_at_risk_per_trade from 0\.02 to 0\.5/],
      ['quant_success.hold_out.required=false', /hold_out\.required from true to false/],
    ] as const) {
      const r = await runCliInProcess([...base, '--db', db, '--set', set], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(db)).toBe(false);
  });

  it('validates the key and value like the file, naming them', async () => {
    const dir = tmp();
    const bad = await runCliInProcess([...base, '--db', join(dir, 'b.db'), '--set', 'runtime.pool.max_retries=-1'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/runtime_config\.yml: pool\.max_retries: /);
    const unknown = await runCliInProcess([...base, '--set', 'runtime.pool.retries=1'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/runtime_config\.yml: pool: .*retries/);
    const file = await runCliInProcess([...base, '--set', 'nope.a=1'], { cwd: dir });
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/unknown config file "nope"/);
  });
});

describe('CI conveniences', () => {
  it('--version prints the version runs record', async () => {
    const r = await runCliInProcess(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`pnlopt ${codeVersion()}`);
  });

  it('reads the store and data from $PNLOPT_DB and $PNLOPT_DATA; flags win', async () => {
    const dir = tmp();
    const env = { PNLOPT_DB: join(dir, 'env.db'), PNLOPT_DATA: MSFT };
    const r = await runCliInProcess(['ingest', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(env.PNLOPT_DB)).toBe(true);
    expect((JSON.parse(r.stdout) as { tickers: { rows: number }[] }).tickers[0]?.rows).toBe(249);
    const flag = await runCliInProcess(['ingest', '--json', '--db', join(dir, 'flag.db')], { cwd: dir, env });
    expect(flag.code, flag.stderr).toBe(0);
    expect(existsSync(join(dir, 'flag.db'))).toBe(true);
  });

  it('-q prints nothing on stderr; --fail-if-not-adopted exits 3 when nothing is adopted', async () => {
    const dir = tmp();
    // sma_cross is all-in without a stop: it can never meet the capital-at-risk guardrail.
    const r = await runCliInProcess(['optimize', '-q', '--family', 'sma_cross', '--optimizer', 'random', '--budget', '30', '--db', join(dir, 'q.db'), '--out', join(dir, 'run'), '--fail-if-not-adopted'], { cwd: dir });
    expect(r.code, r.stderr).toBe(EXIT_NOT_ADOPTED);
    expect(r.stderr).toMatch(/^pnlopt: nothing adopted \(.*\); exit 3 \(--fail-if-not-adopted\)\n$/);
    const loud = await runCliInProcess(['optimize', '--family', 'sma_cross', '--optimizer', 'random', '--budget', '30', '--db', join(dir, 'q.db'), '--out', join(dir, 'run2')], { cwd: dir });
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stderr).toMatch(/run \S+ started/);
  });
});
