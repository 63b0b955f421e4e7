/**
 * Who is running a stored run, so that two processes never run (or resume) the same run at once.
 * The owner is written with the run and refreshed by a heartbeat while it runs; it is cleared when
 * the run ends. A lock is stale, and may be taken over, when its owner is gone:
 * - when the owner can be checked from here (same host, same boot, same pid namespace), when no
 *   process has its pid with its start time (a reused pid is not the owner);
 * - otherwise (another machine, another container sharing the host name), when its heartbeat is
 *   older than the configured `runtime.lock_stale_s`.
 * A run left `running` by a killed process is therefore resumable at once on the same machine.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import type { DatabaseManager } from './database.js';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Boot id and pid namespace: pids are comparable only within one (null where /proc is missing). */
  readonly space: string | null;
  /** The process's start time in clock ticks since boot (/proc/PID/stat field 22), or null. */
  readonly started: string | null;
}

/** The field of /proc/PID/stat after the parenthesised command name (which may hold spaces). */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function pidSpace(): string | null {
  try {
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()} ${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return null;
  }
}

/** This process. */
export function thisProcess(): LockOwner {
  return { pid: process.pid, host: hostname(), space: pidSpace(), started: startTime(process.pid) };
}

/** Whether `held` still runs, when that can be checked from this process; null when it cannot. */
function ownerAlive(held: Partial<LockOwner>, self: LockOwner): boolean | null {
  if (held.host !== self.host || held.space === undefined || held.space === null || held.space !== self.space || typeof held.pid !== 'number') return null;
  if (held.pid === self.pid) return false;
  try {
    process.kill(held.pid, 0);
  } catch (err) {
    // EPERM: it exists, owned by another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return held.started === null || held.started === undefined || startTime(held.pid) === held.started;
}

/** A busy database must not end a run from a timer: a missed heartbeat is retried at the next one. */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

export class RunLocks {
  /** The owner JSON this process wrote, by run id: heartbeats and releases touch only its own lock. */
  private readonly held = new Map<string, string>();

  constructor(
    private readonly dbm: DatabaseManager,
    /** How long a heartbeat may be silent before a lock that cannot be checked directly is stale, ms. */
    private readonly staleMs: number,
  ) {}

  /**
   * Take the lock of `runId` for `owner`, in one IMMEDIATE transaction with the checks: a completed
   * run, or one `running` under a live owner, is refused with a `UsageError` naming it.
   */
  claim(runId: string, owner: LockOwner, now = new Date()): void {
    const json = JSON.stringify(owner);
    this.dbm.transaction(() => {
      const row = this.dbm.db.prepare('SELECT status, lock_owner, heartbeat_at FROM optimization_runs WHERE run_id = ?').get(runId) as
        | { status: string; lock_owner: string | null; heartbeat_at: string | null }
        | undefined;
      if (row === undefined) throw new UsageError(`run ${runId}: no such run in ${this.dbm.path}`);
      if (row.status === 'completed') throw new UsageError(`run ${runId} is already completed`);
      if (row.status === 'running' && row.lock_owner !== null) {
        const held = JSON.parse(row.lock_owner) as Partial<LockOwner>;
        const beat = row.heartbeat_at === null ? 0 : Date.parse(row.heartbeat_at);
        const live = ownerAlive(held, owner) ?? now.getTime() - beat < this.staleMs;
        if (live) {
          throw new UsageError(
            `run ${runId} is running in process ${String(held.pid)} on ${String(held.host)} (last heartbeat ${row.heartbeat_at ?? 'never'}): ` +
              'wait for it or stop it; a lock from a process that no longer runs is taken over',
          );
        }
      }
      this.dbm.db
        .prepare(`UPDATE optimization_runs SET status = 'running', finished_at = NULL, lock_owner = ?, heartbeat_at = ? WHERE run_id = ?`)
        .run(json, now.toISOString(), runId);
    });
    this.held.set(runId, json);
  }

  /** Refresh this process's heartbeat; false when the lock is no longer its own (taken over as stale). */
  heartbeat(runId: string, now = new Date()): boolean {
    const json = this.held.get(runId);
    if (json === undefined) return false;
    try {
      return this.dbm.db.prepare('UPDATE optimization_runs SET heartbeat_at = ? WHERE run_id = ? AND lock_owner = ?').run(now.toISOString(), runId, json).changes === 1;
    } catch (err) {
      if (isBusy(err)) return true;
      throw err;
    }
  }

  /** Clear this process's lock (the run has ended); a lock another process took over is left alone. */
  release(runId: string): void {
    const json = this.held.get(runId);
    this.held.delete(runId);
    if (json !== undefined) this.dbm.db.prepare('UPDATE optimization_runs SET lock_owner = NULL, heartbeat_at = NULL WHERE run_id = ? AND lock_owner = ?').run(runId, json);
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
