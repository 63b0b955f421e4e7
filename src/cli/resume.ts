/**
 * Self-contained resume: `pnlopt optimize --resume RUN_ID` (or `evaluate`) alone restores every
 * setting the run was started with from its record (`invocation_json`): data, tickers, families,
 * optimizer, seed, budget, windows' config, output, candidates file. An option given with
 * `--resume` must agree with the record, or the resume is refused naming each difference. Session
 * settings are not recorded: workers, batch size, quiet, json, and `--max-seconds` (a time limit
 * belongs to one session; a run it stopped is interrupted and a resume goes on without it).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readInvocation } from '../store/run-lock.js';
import type { PnloptConfig } from '../config/load.js';
import type { RunRow } from '../store/run-store.js';
import { storedJson } from '../store/run-store.js';
import { dbPath, openStoreForWrite } from './data-args.js';
import { configFrom, configWithWindows } from './command-config.js';
import type { CommonOptions } from './options.js';

/** What a run records about how it was started: its command and the options a resume restores. */
export interface Invocation {
  readonly kind: 'optimize' | 'evaluate';
  readonly options: Readonly<Record<string, unknown>>;
}

/** A path as recorded: absolute against the working directory (a resume may run elsewhere); `-` (standard output) stays `-`. */
export function absolutePath(p: string | undefined): string | undefined {
  return p === undefined || p === '-' ? p : isAbsolute(p) ? p : resolve(p);
}

/** Data sources as recorded: files absolute, `db:PATH` with an absolute PATH. */
export function absoluteSources(files: readonly string[]): string[] {
  return files.map((f) => (f.startsWith('db:') ? `db:${absolutePath(f.slice(3))!}` : absolutePath(f)!));
}

/** How an option is compared with the record: paths and path lists absolute, the rest as JSON. */
const NORMALISE: Readonly<Record<string, (v: unknown) => unknown>> = {
  configDir: (v) => absolutePath(v as string),
  config: (v) => absolutePath(v as string),
  out: (v) => absolutePath(v as string),
  candidates: (v) => absolutePath(v as string),
  data: (v) => absoluteSources(v as string[]),
};

/** The flag of an option, for messages. */
const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * `opts` with the recorded options of run `opts.resume` filled in. The run is looked up in the
 * database the options name (`--db`, $PNLOPT_DB, or the config's `runtime.database`).
 */
export function restoreInvocation<O extends CommonOptions & { resume?: string; db?: string }>(opts: O, kind: Invocation['kind']): O {
  const runId = opts.resume;
  if (runId === undefined) return opts;
  const path = dbPath(configFrom(opts), opts.db);
  if (!existsSync(path)) throw new UsageError(`--resume ${runId}: no database at ${path} (give the --db or --config-dir the run was started with)`);
  // The resumed job writes to this store, so an older pnlopt store is migrated now (said on stderr).
  const dbm = openStoreForWrite(path);
  let inv: Invocation | null;
  try {
    inv = readInvocation(dbm, runId) as Invocation | null;
  } finally {
    dbm.close();
  }
  // A run recorded without its invocation (or no such run): the job's own checks decide.
  if (inv === null) return opts;
  if (inv.kind !== kind) throw new UsageError(`--resume ${runId}: that run was started by pnlopt ${inv.kind}, not ${kind}`);
  const restored: Record<string, unknown> = { ...(opts as Record<string, unknown>), db: path };
  const differences: string[] = [];
  for (const [key, recorded] of Object.entries(inv.options)) {
    const given = (opts as Record<string, unknown>)[key];
    if (given === undefined) {
      if (recorded !== null) restored[key] = recorded;
      continue;
    }
    const now = (NORMALISE[key] ?? ((v: unknown) => v))(given);
    if (JSON.stringify(now) !== JSON.stringify(recorded)) {
      differences.push(`${flagOf(key)}: the run has ${JSON.stringify(recorded)}, this command has ${JSON.stringify(now)}`);
    }
  }
  if (differences.length > 0) throw new UsageError(`--resume ${runId}: the run was started with other options\n${differences.join('\n')}`);
  return restored as O;
}

/**
 * The config a stored run was made with, from its recorded invocation: its config folder (or
 * `configDir`, where it lives now), file, `--set` and dates; with the recorded options (its data
 * files among them). Null when the run recorded no invocation; an `InputError` when the config
 * cannot be loaded.
 */
export function runConfig(run: RunRow, configDir: string | undefined): { cfg: PnloptConfig; options: Invocation['options'] } | null {
  const inv = storedJson(run.invocation_json) as Invocation | null;
  if (inv === null) return null;
  const o = inv.options;
  const text = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const cfg = configWithWindows({ configDir: configDir ?? text('configDir'), config: text('config'), set: (o.set as string[] | undefined) ?? [], start: text('start'), end: text('end'), holdoutStart: text('holdoutStart') });
  return { cfg, options: o };
}
