/**
 * Who is running a stored run, so that two processes never run (or resume) the same run at once.
 * The owner (pid and host) is written with the run and refreshed by a heartbeat while it runs; it
 * is cleared when the run ends. A lock is stale, and may be taken over, when its owner is gone: on
 * the same host, when no process has its pid; on another host, when its heartbeat is older than
 * the configured `runtime.lock_stale_s`. A run left `running` by a killed process is therefore
 * resumable at once on the same machine.
 */
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import type { DatabaseManager } from './database.js';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/** This process. */
export function thisProcess(): LockOwner {
  return { pid: process.pid, host: hostname() };
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunLocks {
  constructor(
    private readonly dbm: DatabaseManager,
    /** How long another host's heartbeat may be silent before its lock is stale, ms. */
    private readonly staleMs: number,
  ) {}

  /**
   * Take the lock of `runId` for `owner`, in one IMMEDIATE transaction with the caller's checks.
   * A run that is `running` under a live owner is refused with a `UsageError` naming it.
   */
  claim(runId: string, owner: LockOwner, now = new Date()): void {
    this.dbm.transaction(() => {
      const row = this.dbm.db.prepare('SELECT status, lock_owner, heartbeat_at FROM optimization_runs WHERE run_id = ?').get(runId) as
        | { status: string; lock_owner: string | null; heartbeat_at: string | null }
        | undefined;
      if (row === undefined) throw new UsageError(`run ${runId}: no such run in ${this.dbm.path}`);
      if (row.status === 'running' && row.lock_owner !== null) {
        const held = JSON.parse(row.lock_owner) as LockOwner;
        const beat = row.heartbeat_at === null ? 0 : Date.parse(row.heartbeat_at);
        const live = held.host === owner.host ? alive(held.pid) && held.pid !== owner.pid : now.getTime() - beat < this.staleMs;
        if (live) {
          throw new UsageError(
            `run ${runId} is running in process ${held.pid} on ${held.host} (last heartbeat ${row.heartbeat_at ?? 'never'}): ` +
              'wait for it or stop it; a lock from a process that no longer runs is taken over',
          );
        }
      }
      this.dbm.db
        .prepare(`UPDATE optimization_runs SET status = 'running', finished_at = NULL, lock_owner = ?, heartbeat_at = ? WHERE run_id = ?`)
        .run(JSON.stringify(owner), now.toISOString(), runId);
    });
  }

  /** Refresh the owner's heartbeat. */
  heartbeat(runId: string, now = new Date()): void {
    this.dbm.db.prepare('UPDATE optimization_runs SET heartbeat_at = ? WHERE run_id = ? AND lock_owner IS NOT NULL').run(now.toISOString(), runId);
  }

  /** Clear the lock (the run has ended). */
  release(runId: string): void {
    this.dbm.db.prepare('UPDATE optimization_runs SET lock_owner = NULL, heartbeat_at = NULL WHERE run_id = ?').run(runId);
  }

  /** Record the settings a resume restores. */
  setInvocation(runId: string, invocation: unknown): void {
    this.dbm.db.prepare('UPDATE optimization_runs SET invocation_json = ? WHERE run_id = ?').run(JSON.stringify(invocation), runId);
  }

}

/** The settings recorded with a run, or null (no such run, or one from before they were recorded). */
export function readInvocation(dbm: DatabaseManager, runId: string): unknown {
  const text = dbm.db.prepare('SELECT invocation_json FROM optimization_runs WHERE run_id = ?').pluck().get(runId) as string | null | undefined;
  return text === null || text === undefined ? null : (JSON.parse(text) as unknown);
}
