/** Run locks: who may run a stored run, when a lock is stale, and that a process touches only its own lock. */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseManager } from '../../src/store/database.js';
import { RunLocks, thisProcess, type LockOwner } from '../../src/store/run-lock.js';
import { RunStore, type NewRun } from '../../src/store/run-store.js';

const run: NewRun = {
  command: 'pnlopt evaluate --strategy sma_cross', family: 'sma_cross', optimizer: null, seed: null,
  configHash: 'c'.repeat(64), dataHash: 'd'.repeat(64), codeVersion: '0.1.0',
  sampler: { candidates_csv: 'in.csv', sha256: 'e'.repeat(64), candidates: 1 }, dataWindow: { start: 0, end: 10 }, budget: 1,
};
const STALE_MS = 60_000;
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

/** A live process other than this one, and its owner record as it would write it. */
function otherLiveOwner(): LockOwner {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return { ...thisProcess(), pid: child.pid!, started: null };
}

function setup(): { store: RunStore; locks: RunLocks; dbm: DatabaseManager; id: string } {
  const dbm = new DatabaseManager(':memory:');
  const store = new RunStore(dbm);
  return { store, dbm, locks: new RunLocks(dbm, STALE_MS), id: store.createRun(run, 'r1') };
}

function holdAs(dbm: DatabaseManager, id: string, owner: LockOwner, beat: Date): void {
  dbm.db.prepare(`UPDATE optimization_runs SET status = 'running', lock_owner = ?, heartbeat_at = ? WHERE run_id = ?`).run(JSON.stringify(owner), beat.toISOString(), id);
}

describe('RunLocks', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const fresh = new Date(now.getTime() - 1000);
  const old = new Date(now.getTime() - 2 * STALE_MS);

  it('refuses a run held by a live process of this machine, whatever its heartbeat', () => {
    const { dbm, locks, id } = setup();
    holdAs(dbm, id, otherLiveOwner(), old);
    expect(() => locks.claim(id, thisProcess(), now)).toThrow(/is running in process \d+/);
  });

  it('takes over from a dead process at once, and from a live pid that started at another time (a reused pid)', () => {
    const { dbm, locks, store, id } = setup();
    holdAs(dbm, id, { ...thisProcess(), pid: 2 ** 22 + 7 }, fresh); // above pid_max: no such process
    locks.claim(id, thisProcess(), now);
    expect(JSON.parse(store.run(id)!.lock_owner!)).toEqual(thisProcess());
    const reused = { ...otherLiveOwner(), started: '1' };
    holdAs(dbm, id, reused, fresh);
    locks.claim(id, thisProcess(), now);
    expect(JSON.parse(store.run(id)!.lock_owner!)).toEqual(thisProcess());
  });

  it('judges an owner it cannot check (another host, or another pid namespace) by its heartbeat', () => {
    for (const owner of [{ ...thisProcess(), host: 'elsewhere' }, { ...thisProcess(), space: 'other-boot pid:[1]' }]) {
      const { dbm, locks, id } = setup();
      holdAs(dbm, id, owner, fresh);
      expect(() => locks.claim(id, thisProcess(), now)).toThrow(/is running in process/);
      holdAs(dbm, id, owner, old);
      expect(() => locks.claim(id, thisProcess(), now)).not.toThrow();
    }
  });

  it('refuses a completed run inside the claim', () => {
    const { store, locks, id } = setup();
    store.finishRun(id, 'completed', {});
    expect(() => locks.claim(id, thisProcess(), now)).toThrow(`run ${id} is already completed`);
  });

  it('heartbeats and releases only its own lock: a process whose lock was taken over leaves the new owner alone', () => {
    const { dbm, store, id } = setup();
    const first = new RunLocks(dbm, STALE_MS);
    first.claim(id, { ...thisProcess(), host: 'gone-host' }, now);
    expect(first.heartbeat(id, fresh)).toBe(true);
    const second = new RunLocks(dbm, STALE_MS);
    second.claim(id, thisProcess(), new Date(now.getTime() + 2 * STALE_MS));
    expect(first.heartbeat(id, now)).toBe(false);
    first.release(id);
    expect(JSON.parse(store.run(id)!.lock_owner!)).toEqual(thisProcess());
    second.release(id);
    expect(store.run(id)!.lock_owner).toBeNull();
  });
});
