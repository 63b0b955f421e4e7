/**
 * The write queue flushes on size and on time, whole, in one transaction, and keeps what a failed
 * flush could not write; through the built CLI, a search whose space is exhausted (every
 * candidate a repeat, no generation simulating anything) still stores as it goes: killed with
 * SIGKILL, at most `runtime.flush_rows` of the candidates it reported are missing from the store,
 * and the resume finishes from the stored rows without simulating again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { WriteQueue } from '../../src/jobs/run-lifecycle.js';
import type { RunStore } from '../../src/store/run-store.js';
import { runCli } from '../helpers/cli.js';
import { spawnCli } from '../helpers/cli-child.js';
import { storedCandidates } from '../helpers/store-files.js';

/** A store whose transactions are counted and can be made to fail. */
function fakeStore() {
  const s = { transactions: 0, fail: false };
  const store = {
    transaction(fn: () => void) {
      if (s.fail) throw new Error('disk full');
      s.transactions++;
      fn();
    },
  } as unknown as RunStore;
  return { s, store };
}

describe('WriteQueue', () => {
  it('flushes everything queued, in one transaction, once `rows` candidates wait', () => {
    const { s, store } = fakeStore();
    const queue = new WriteQueue(store, { rows: 100, intervalMs: Infinity }, () => 0);
    const written: number[] = [];
    queue.push(() => written.push(1), 60);
    queue.push(() => written.push(2), 39);
    expect(written).toEqual([]);
    queue.push(() => written.push(3), 1);
    expect(written).toEqual([1, 2, 3]);
    expect(s.transactions).toBe(1);
    // The count starts again after a flush.
    queue.push(() => written.push(4), 99);
    expect(written).toEqual([1, 2, 3]);
  });

  it('flushes on time, however few rows wait', () => {
    const { store } = fakeStore();
    let now = 0;
    const queue = new WriteQueue(store, { rows: 1e9, intervalMs: 1000 }, () => now);
    const written: number[] = [];
    queue.push(() => written.push(1), 1);
    now = 999;
    queue.push(() => written.push(2), 1);
    expect(written).toEqual([]);
    now = 1000;
    queue.push(() => written.push(3), 1);
    expect(written).toEqual([1, 2, 3]);
    // An explicit flush restarts the interval too.
    now = 1500;
    queue.flush();
    now = 2400;
    queue.push(() => written.push(4), 1);
    expect(written).toEqual([1, 2, 3]);
  });

  it('flushes on a timer when the interval passes without another push (the next batch may hang)', async () => {
    const { store } = fakeStore();
    const queue = new WriteQueue(store, { rows: 1e9, intervalMs: 20 });
    const written: number[] = [];
    queue.push(() => written.push(1), 1);
    expect(written).toEqual([]);
    await vi.waitFor(() => expect(written).toEqual([1]), { timeout: 5000, interval: 5 });
    // Nothing waits: no timer, nothing written twice.
    await new Promise((r) => setTimeout(r, 50));
    expect(written).toEqual([1]);
  });

  it('keeps what a failed flush could not write, and writes it whole on the next', () => {
    const { s, store } = fakeStore();
    const queue = new WriteQueue(store, { rows: 2, intervalMs: Infinity }, () => 0);
    const written: number[] = [];
    queue.push(() => written.push(1), 1);
    s.fail = true;
    expect(() => queue.push(() => written.push(2), 1)).toThrow(/disk full/);
    s.fail = false;
    queue.flush();
    expect(written).toEqual([1, 2]);
  });
});

/** `sma_cross` cut to fast 2..3 and slow 5..6: four configurations, exhausted by the first batch. */
const FOUR_CONFIGS = ['--set', 'strategy_optimization.families.sma_cross.params.fast.high=3', '--set', 'strategy_optimization.families.sma_cross.params.slow.high=6'];
const FLUSH_ROWS = 1000;

const stored = (db: string): number => storedCandidates(db);

/** The last progress count the child logged (`optimize: N/TOTAL ...`), 0 before the first. */
function lastProgress(stderr: string): number {
  const all = [...stderr.matchAll(/optimize: (\d+)\//g)];
  return all.length === 0 ? 0 : Number(all[all.length - 1][1]);
}

describe('optimize on an exhausted discrete space (built CLI)', () => {
  it('stores as it goes: killed with SIGKILL, under flush_rows reported candidates are missing; the resume ends from the stored rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-flush-'));
    const db = join(dir, 'f.db');
    const budget = 20_000;
    const options = [
      '--family', 'sma_cross', '--optimizer', 'random', '--budget', String(budget), '--seed', '9', '--workers', '1', '--out', join(dir, 'run'), ...FOUR_CONFIGS,
      // Size alone triggers a flush here (the interval is an hour), and progress is logged every 50 ms.
      '--set', `runtime.runtime.flush_rows=${FLUSH_ROWS}`, '--set', 'runtime.runtime.flush_interval_s=3600', '--set', 'runtime.runtime.progress_log_interval_s=0.05',
    ];
    const run = spawnCli(['optimize', ...options], { env: { PNLOPT_DB: db } });
    for (let i = 0; i < 1200 && lastProgress(run.stderr()) < 5_000 && run.child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 25));
    const reported = lastProgress(run.stderr());
    run.child.kill('SIGKILL');
    expect((await run.exit).signal, run.stderr()).toBe('SIGKILL');
    expect(reported).toBeGreaterThanOrEqual(5_000);
    // Each push flushes once FLUSH_ROWS rows wait, so fewer than that of what was reported are only in memory.
    const kept = stored(db);
    expect(kept).toBeGreaterThan(reported - FLUSH_ROWS);
    expect(kept).toBeLessThan(budget);

    const runId = /run (\S+) started/.exec(run.stderr())![1];
    const resumed = runCli(['optimize', '--resume', runId, '--workers', '1', '--json'], { env: { PNLOPT_DB: db } });
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { evaluated: number; simulated: number; stop_reason: string };
    // The four configurations are among the stored rows, so the memo has them all: nothing is simulated again.
    expect(summary).toMatchObject({ evaluated: budget, simulated: 0, stop_reason: 'candidates' });
    expect(stored(db)).toBe(budget);
  });
});
