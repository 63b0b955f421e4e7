/**
 * How runs end, through the built CLI in child processes (the pool running the fault-injecting
 * worker): failed candidates are counted in the summary, `--json`, `runs` and `show`, and exit 1
 * unless `pool.on_batch_failure` is `continue` (then a warning); a hung worker's batch is retried
 * after the batch timeout; SIGINT while forecast columns compute exits 130 within 2 s, and the next
 * run reuses the finished forecast blocks. The commands around them (`runs`, `show`, `synth`, the run
 * after the interrupt) need no process of their own: they run in this one (`runCliInProcess`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_FAILURE, EXIT_INTERRUPTED } from '../../src/errors.js';
import type { EvaluateSummary } from '../../src/jobs/evaluate.js';
import type { OptimizationSummary } from '../../src/jobs/optimize.js';
import { DatabaseManager } from '../../src/store/database.js';
import { RunStore } from '../../src/store/run-store.js';
import { FAULT_ENV, FAULTY_CLI, type FaultSpec } from '../fixtures/pool/faulty-worker.js';
import { MSFT } from '../fixtures/pool/setup.js';
import { ROOT, runCliInProcess, withTestConfig, type CliResult } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pnlopt-interrupt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `pnlopt ...args` with the pool running the faulty worker armed with `fault`. */
function faultyCli(args: readonly string[], fault: FaultSpec): Promise<CliResult> {
  const child = spawn(process.execPath, [FAULTY_CLI, ...withTestConfig(args)], {
    cwd: dir,
    env: { ...process.env, [FAULT_ENV]: JSON.stringify(fault) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Candidates of a run stored as failed, read from the store. */
function storedFailed(db: string, runId: string): number {
  const dbm = new DatabaseManager(db);
  try {
    return [...new RunStore(dbm).results(runId)].filter((r) => r.status === 'failed').length;
  } finally {
    dbm.close();
  }
}

describe('failed candidates', () => {
  // On the embedded data. Generations of 10 rows in batches of 5 on one worker: the batch holding row 3 of every
  // generation throws on every attempt, so 5 of every 10 candidates fail.
  const optimize = (name: string, ...set: string[]) => [
    'optimize', '--family', 'sma_cross', '--optimizer', 'random', '--budget', '40', '--seed', '2', '--workers', '1', '--batch', '5',
    '--set', 'strategy_optimization.optimizer.sampling.batch_size=10', ...set.flatMap((s) => ['--set', s]), '--db', join(dir, `${name}.db`), '--out', join(dir, name), '--json',
  ];
  const fault: FaultSpec = { candidate: 3, mode: 'throw' };

  it('are counted in summary.json, --json, runs and show, and exit 1 by default (fail), after the whole run', async () => {
    const r = await faultyCli(optimize('fail'), fault);
    expect(r.code, r.stderr).toBe(EXIT_FAILURE);
    const summary = JSON.parse(r.stdout) as OptimizationSummary;
    expect(summary).toMatchObject({ status: 'completed', evaluated: 40, failed: 20, first_error: 'injected fault at candidate 3', on_batch_failure: 'fail' });
    expect(storedFailed(join(dir, 'fail.db'), summary.run_id)).toBe(20);
    expect(JSON.parse(readFileSync(join(dir, 'fail', 'summary.json'), 'utf8'))).toMatchObject({ failed: 20, first_error: 'injected fault at candidate 3' });
    expect(r.stderr).toContain('pnlopt: 20 candidate(s) failed on every attempt (first error: injected fault at candidate 3)');
    expect(r.stderr).toContain('exit 1 (pool.on_batch_failure: fail; set it to continue to exit 0)');

    const runs = await runCliInProcess(['runs', '--db', join(dir, 'fail.db'), '--json']);
    expect(JSON.parse(runs.stdout)).toMatchObject([{ run_id: summary.run_id, evaluated: 40, failed: 20 }]);
    expect((await runCliInProcess(['show', summary.run_id, '--db', join(dir, 'fail.db')])).stdout).toContain(
      'failed: 20 candidate(s), stored without metrics and scored worst; first error: injected fault at candidate 3',
    );
  });

  it('exit 0 with a warning on stderr under on_batch_failure: continue', async () => {
    const r = await faultyCli(optimize('continue', 'runtime.pool.on_batch_failure=continue'), fault);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'completed', failed: 20, on_batch_failure: 'continue' });
    expect(r.stderr).toContain('pnlopt: warning: 20 candidate(s) failed on every attempt (first error: injected fault at candidate 3)');
    expect(r.stderr).toContain('exit 0 because pool.on_batch_failure is continue');
  });

  it('stop the run at the first failed batch under on_batch_failure: stop: status failed, exit 1', async () => {
    const r = await faultyCli(optimize('stop', 'runtime.pool.on_batch_failure=stop'), fault);
    expect(r.code, r.stderr).toBe(EXIT_FAILURE);
    const summary = JSON.parse(r.stdout) as OptimizationSummary;
    // The first generation's batches: rows 0-4 failed, rows 5-9 evaluated; nothing after.
    expect(summary).toMatchObject({ status: 'failed', failed: 5, simulated: 5, first_error: 'injected fault at candidate 3' });
    expect(r.stderr).toContain('pnlopt: stopped after a batch failed on every attempt (pool.on_batch_failure: stop): 5 candidate(s) failed');
    expect(JSON.parse((await runCliInProcess(['runs', '--db', join(dir, 'stop.db'), '--json'])).stdout)).toMatchObject([{ status: 'failed', failed: 5 }]);
  });
});

describe('a hung worker', () => {
  it('has its batch retried on a fresh worker after the batch timeout, and the run completes', async () => {
    const candidates = join(dir, 'cands.csv');
    writeFileSync(candidates, ['fast,slow', ...Array.from({ length: 20 }, (_, i) => `${2 + i},${30 + 2 * i}`)].join('\n') + '\n');
    const args = [
      'evaluate', '--data', MSFT, '--strategy', 'sma_cross', '--candidates', candidates, '--out', join(dir, 'hang-once.csv'), '--db', join(dir, 'hang-once.db'),
      '--workers', '1', '--batch', '5', '--set', 'runtime.pool.batch_timeout_min_s=0.5', '--set', 'runtime.pool.batch_timeout_multiple=1', '--json',
    ];
    // The batch of candidate 7 hangs on its first attempt only (the retried rows equal the in-thread
    // reference: tests/pool/coordinator.test.ts).
    const r = await faultyCli(args, { candidate: 7, mode: 'hang', attempts: 1 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout) as EvaluateSummary).toMatchObject({ status: 'completed', evaluated: 20, failed: 0 });
    const rows = readFileSync(join(dir, 'hang-once.csv'), 'utf8').trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row, row).not.toMatch(/,,|,$/);
  });
});

describe('SIGINT while forecast columns compute', () => {
  it('exits 130 within 2 s of the signal, and the next run computes only the blocks that had not finished', async () => {
    const data = join(dir, 'synth.csv');
    expect((await runCliInProcess(['synth', '--tickers', '4', '--bars', '1300', '--seed', '9', '--out', data])).code).toBe(0);
    const args = ['optimize', '--data', data, '--family', 'ts_ensemble', '--optimizer', 'random', '--budget', '10', '--seed', '1', '--workers', '2', '--db', join(dir, 'ts.db'), '--out', join(dir, 'ts')];
    const cache = join(dir, '.pnlopt', 'cache');
    const blockFiles = () => {
      try {
        return readdirSync(cache).filter((f) => /\.\d+-\d+\.f64$/.test(f) && !f.startsWith('.'));
      } catch {
        return [];
      }
    };
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'pnlopt.js'), ...withTestConfig(args)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let running = true;
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.on('exit', (code) => {
        running = false;
        resolve({ code, at: performance.now() });
      }),
    );
    // 4 tickers x (sarimax, samossa, garch) + mssa_rl (one chain, split in two for 2 threads): 14
    // blocks, garch last; the first finish in milliseconds, the GARCH blocks take a few hundred each,
    // so the signal lands mid-way.
    for (let i = 0; i < 2400 && running && blockFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(stderr).toContain('forecast columns: 14 of 14 block(s) to compute, 0 from the cache');
    const sent = performance.now();
    child.kill('SIGINT');
    const { code, at } = await exited;
    expect(code, stderr).toBe(EXIT_INTERRUPTED);
    // The bound is 2 s; the margin absorbs a loaded test machine.
    expect(at - sent).toBeLessThan(2500);
    expect(stderr).toContain('pnlopt: interrupted while computing forecast columns (the finished blocks are cached); no run was recorded');
    const kept = blockFiles().length;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(14);

    const again = await runCliInProcess(args, { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`forecast columns: ${14 - kept} of 14 block(s) to compute, ${kept} from the cache`);
    expect(blockFiles()).toEqual([]);
  });
});
