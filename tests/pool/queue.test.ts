/**
 * The distributed queue end to end: a private redis-server (Debian's, tests/helpers/redis-server.ts),
 * the built CLI as coordinator (`optimize --queue`) and as worker processes (`worker`), against a
 * local run of the same search. Workers run tests/fixtures/cli/pnlopt-slow.mjs, the CLI with each
 * batch slowed down (PNLOPT_FIXTURE_DELAY_MS), so that a worker can be killed while it holds jobs.
 * Needs dist/ (`npm test` builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseManager } from '../../src/store/database.js';
import { RunStore } from '../../src/store/run-store.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { TEST_CONFIG_DIR } from '../helpers/config.js';
import { REDIS_SERVER, startRedis } from '../helpers/redis-server.js';

const redis = await startRedis();
afterAll(() => redis?.stop());

const SLOW_CLI = join(ROOT, 'tests', 'fixtures', 'cli', 'pnlopt-slow.mjs');
// 120 candidates of a random search (one generation) in jobs of 6: 20 jobs.
const BUDGET = 120;
const BATCH = 6;
const JOBS = BUDGET / BATCH;
const SEARCH = ['--config-dir', TEST_CONFIG_DIR, '--family', 'sma_cross', '--optimizer', 'random', '--budget', String(BUDGET), '--seed', '11', '--batch', String(BATCH)];
/** Short locks, so that a killed worker's jobs come back within seconds. */
const TIMING = ['--set', 'runtime.queue.lock_duration_s=2', '--set', 'runtime.queue.stalled_interval_s=1'];
const DELAY_MS = '150';

interface Proc {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly stdout: () => string;
  readonly exit: Promise<number | null>;
}

function start(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err, stdout: () => out, exit };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startWorker(queueName: string): Promise<Proc> {
  const w = start(SLOW_CLI, ['worker', '--config-dir', TEST_CONFIG_DIR, '--queue', redis!.url, '--workers', '1', ...TIMING, '--set', `runtime.queue.name=${queueName}`], { PNLOPT_FIXTURE_DELAY_MS: DELAY_MS });
  await until('a worker to be ready', () => w.stderr().includes('worker ready') || w.child.exitCode !== null);
  expect(w.child.exitCode, w.stderr()).toBeNull();
  return w;
}

/** Every stored candidate of the run: ids, stored states, families, parameter and metric bytes. */
function storedRows(db: string, runId: string): { ids: number[]; stored: number[]; params: Buffer; metrics: Buffer } {
  const dbm = new DatabaseManager(db, undefined, 'read');
  try {
    const ids: number[] = [];
    const stored: number[] = [];
    const params: Buffer[] = [];
    const metrics: Buffer[] = [];
    for (const c of new RunStore(dbm).chunks(runId)) {
      for (let k = 0; k < c.count; k++) ids.push(c.first + k);
      stored.push(...c.stored);
      params.push(Buffer.from(c.params.buffer, c.params.byteOffset, c.params.byteLength));
      metrics.push(Buffer.from(c.metrics.buffer, c.metrics.byteOffset, c.metrics.byteLength));
    }
    return { ids, stored, params: Buffer.concat(params), metrics: Buffer.concat(metrics) };
  } finally {
    dbm.close();
  }
}

/** The local run both queued runs must equal (run once). */
let local: Promise<{ db: string; runId: string; summary: Record<string, unknown> }> | undefined;
function localRun(dir: string): Promise<{ db: string; runId: string; summary: Record<string, unknown> }> {
  local ??= (async () => {
    const db = join(dir, 'local.db');
    const p = start(BIN, ['optimize', ...SEARCH, '--db', db, '--out', join(dir, 'local'), '--json', '-q']);
    expect(await p.exit, p.stderr()).toBe(0);
    const summary = JSON.parse(p.stdout()) as Record<string, unknown>;
    return { db, runId: summary.run_id as string, summary };
  })();
  return local;
}

function expectSameRows(queued: { db: string; runId: string }, reference: { db: string; runId: string }): void {
  const a = storedRows(queued.db, queued.runId);
  const b = storedRows(reference.db, reference.runId);
  // Each candidate once (a batch evaluated twice is stored once), all evaluated.
  expect(a.ids).toEqual(Array.from({ length: BUDGET }, (_, i) => i));
  expect(new Set(a.stored).size).toBe(1);
  expect(a.ids).toEqual(b.ids);
  expect(a.stored).toEqual(b.stored);
  expect(a.params.equals(b.params)).toBe(true);
  expect(a.metrics.equals(b.metrics)).toBe(true);
}

function summaryCore(s: Record<string, unknown>): unknown {
  return { best: s.best, front: s.front, evaluated: s.evaluated, family_stats: s.family_stats, adopted: s.adopted };
}

// Concurrent: each test has its own queue and stores; most of the time is processes starting.
describe.skipIf(redis === null)('optimize --queue with pnlopt worker processes', { concurrent: true }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-queue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a worker killed (-9) mid-run: its jobs go to the other, and the run stores what a local run stores, bit for bit', async () => {
    const name = 'kill-test';
    const queue = new Queue(name, { connection: { url: redis!.url } });
    // Started together: each waits for its own 'worker ready'.
    const workers = await Promise.all([startWorker(name), startWorker(name)]);
    try {
      const reference = localRun(dir);
      const db = join(dir, 'queued.db');
      const coordinator = start(BIN, ['optimize', ...SEARCH, '--queue', redis!.url, ...TIMING, '--set', `runtime.queue.name=${name}`, '--db', db, '--out', join(dir, 'queued'), '--json', '-q']);
      // Both workers hold jobs (2 each) once the first have finished: kill one of them then.
      await until('the first jobs to finish', async () => (await queue.getJobCounts('completed')).completed >= 2);
      expect(coordinator.child.exitCode).toBeNull();
      const active = (await queue.getJobCounts('active')).active;
      expect(active).toBeGreaterThan(0);
      workers[0].child.kill('SIGKILL');
      expect(await coordinator.exit, coordinator.stderr()).toBe(0);
      const summary = JSON.parse(coordinator.stdout()) as Record<string, unknown>;
      // The killed worker's jobs stalled and were evaluated again by the other worker.
      const jobs = await queue.getJobs(['completed']);
      expect(jobs).toHaveLength(JOBS);
      expect(jobs.some((j) => j.stalledCounter > 0 || j.attemptsStarted > 1)).toBe(true);
      const ref = await reference;
      expectSameRows({ db, runId: summary.run_id as string }, ref);
      expect(summaryCore(summary)).toEqual(summaryCore(ref.summary));
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exit));
      await queue.close();
    }
  }, 60_000);

  it('a coordinator killed (-9) after publishing resumes with the results that reached Redis, evaluating nothing again', async () => {
    const name = 'resume-test';
    const queue = new Queue(name, { connection: { url: redis!.url } });
    try {
      const reference = localRun(dir);
      const db = join(dir, 'resumed.db');
      const args = ['--queue', redis!.url, '--set', `runtime.queue.name=${name}`, '--db', db];
      const first = start(BIN, ['optimize', ...SEARCH, ...args, '--out', join(dir, 'resumed')]);
      await until('every job to be published', async () => (await queue.getJobCounts('waiting')).waiting === JOBS);
      const runId = /run (\S+) started/.exec(first.stderr())![1];
      first.child.kill('SIGKILL');
      await first.exit;
      // A worker evaluates the jobs while no coordinator runs: the results are in Redis only.
      const worker = await startWorker(name);
      await until('every job to finish', async () => (await queue.getJobCounts('completed')).completed === JOBS);
      worker.child.kill('SIGTERM');
      expect(await worker.exit).toBe(0);
      // No worker runs now: the resumed coordinator can only take the results from Redis.
      const resumed = start(BIN, ['optimize', '--config-dir', TEST_CONFIG_DIR, '--resume', runId, ...args, '--json', '-q']);
      expect(await resumed.exit, resumed.stderr()).toBe(0);
      const summary = JSON.parse(resumed.stdout()) as Record<string, unknown>;
      expect(summary.status).toBe('completed');
      const ref = await reference;
      expectSameRows({ db, runId }, ref);
      expect(summaryCore(summary)).toEqual(summaryCore(ref.summary));
    } finally {
      await queue.close();
    }
  }, 60_000);
});

it.skipIf(redis !== null)('optimize --queue with pnlopt worker processes: skipped', () => {
  console.warn(`tests/pool/queue.test.ts skipped: ${REDIS_SERVER} is missing; install Debian's redis-server (.ci/run does)`);
});
