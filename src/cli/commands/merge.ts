/**
 * `pnlopt merge SHARD.db... --out MERGED.db`: the shards of a sharded run joined into one run
 * (src/jobs/merge.ts). The config and data are the shards' own, restored from their recorded
 * invocation as `pnlopt backtest --run` restores a run's (`runConfig`); `--config-dir` and
 * `--data` say where they live on this machine, and must hash as the shards recorded.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkShards, islandSetup, mergeShards, shardRuns, type ShardRun } from '../../jobs/merge.js';
import { islandIdentity, migrantsFile } from '../../jobs/islands.js';
import { paramLayout } from '../../config/param-layout.js';
import { alignPanel } from '../../data/panel.js';
import type { SearchResult } from '../../search/optimize.js';
import { checkOutputPath } from '../../output.js';
import { writeFileAtomic } from '../../write-atomic.js';
import type { OptimizationSummary } from '../../jobs/optimize.js';
import { UsageError } from '../../errors.js';
import { poolSettings } from '../../pool/settings.js';
import { DatabaseManager } from '../../store/database.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { loadData, openStoreForWrite } from '../data-args.js';
import { frontTable } from '../front-table.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import { configDirOf, note, printResult, type CommonOptions } from '../options.js';
import { checkDistinct, checkOutputFolder, checkStorePath } from '../path-checks.js';
import { absolutePath, runConfig, type Invocation } from '../resume.js';
import type { CliDeps } from './index.js';

export interface MergeOptions extends CommonOptions {
  out: string;
  data?: string[];
  runDir?: string;
  migrate?: string;
  workers?: number;
  allowOversubscribe?: boolean;
}

/** One thread: a merge simulates only the candidates a shard stored as failed. */
const MERGE_WORKERS = 1;

/**
 * Check the shards, restore their config and data, and merge them into `--out`; nothing is written
 * unless every check passes.
 */
export async function runMerge(paths: readonly string[], opts: MergeOptions, signal?: AbortSignal, deps: CliDeps = {}): Promise<OptimizationSummary> {
  if (opts.set !== undefined && opts.set.length > 0) throw new UsageError('--set: the shards recorded their config overrides; merge takes none');
  for (const p of paths) if (!existsSync(p)) throw new UsageError(`${p}: no such shard file`);
  checkStorePath(opts.out, '--out');
  checkDistinct(opts.out, '--out', paths.map((p) => ['shard', p]));
  if (opts.runDir !== undefined) checkOutputFolder(opts.runDir, '--run-dir');
  if (opts.migrate !== undefined) {
    checkOutputPath(opts.migrate, '--migrate');
    checkDistinct(opts.migrate, '--migrate', [['--out', opts.out], ...paths.map((p): [string, string] => ['shard', p])]);
  }
  // Read-only: a shard is never written.
  const stores: DatabaseManager[] = [];
  let out: DatabaseManager | undefined;
  try {
    const found: ShardRun[] = [];
    for (const p of paths) {
      const dbm = new DatabaseManager(p, MIGRATIONS, 'read');
      stores.push(dbm);
      const runs = shardRuns(p, dbm);
      if (runs.length === 0) throw new UsageError(`${p}: no shard run in this store (pnlopt optimize --shard I/N --db ${p} makes one)`);
      found.push(...runs);
    }
    const shards = checkShards(found);
    const { run } = shards[0];
    const restored = runConfig(run, configDirOf(opts));
    if (restored === null) throw new UsageError(`${shards[0].path}: run ${run.run_id} recorded no settings to restore its config and data from`);
    const { cfg, options } = restored;
    const data = loadData(cfg, opts.data ?? (options.data as string[]), opts.quiet);
    if (opts.runDir === undefined) checkOutputFolder(cfg.runtime.runtime.runs_dir, 'runtime.runs_dir');
    const tickers = (options.tickers as string[] | null) ?? undefined;
    const islands = islandSetup(run);
    const k = cfg.strategy.optimizer.nsga2.migrants;
    if (opts.migrate !== undefined && islands === undefined) throw new UsageError(`--migrate: ${shards[0].path} holds population shards (--optimizer ${run.optimizer}); only islands (--optimizer nsga2) migrate`);
    let islandResults: readonly SearchResult[] = [];
    // The merged run records the shards' invocation without the shard: `pnlopt optimize --resume` continues it.
    const invocation = (outDir: string): Invocation => ({ kind: 'optimize', options: { ...options, shard: null, migrants: null, out: absolutePath(outDir) } });
    const summary = await mergeShards({
      shards,
      cfg,
      data,
      ...(tickers !== undefined ? { tickers } : {}),
      pool: poolSettings(cfg, { workers: opts.workers ?? MERGE_WORKERS, allowOversubscribe: opts.allowOversubscribe, workerFile: deps.workerFile }),
      dbm: () => (out ??= openStoreForWrite(opts.out)),
      ...(opts.runDir !== undefined ? { outDir: opts.runDir } : {}),
      ...(signal !== undefined ? { signal } : {}),
      invocation,
      onIslands: (r) => (islandResults = r),
    });
    if (opts.migrate !== undefined && islands !== undefined && summary.status === 'completed') {
      const file = migrantsFile(islandIdentity(run, islands.count), islands, islandResults, k, paramLayout(cfg, run.family ?? '', alignPanel(data, tickers).tickers));
      writeFileAtomic(opts.migrate, JSON.stringify(file, null, 2) + '\n');
      note(opts, `migrants of epoch ${file.epoch} (${k} per island) written to ${opts.migrate}`);
    }
    note(opts, `merged ${shards.length} shard(s) into run ${summary.run_id} in ${opts.out}`);
    return summary;
  } finally {
    out?.close();
    for (const s of stores) s.close();
  }
}

/** Run `pnlopt merge` (declared in merge-command.ts, which loads this module when the command runs). */
export async function mergeAction(paths: string[], opts: MergeOptions, deps: CliDeps): Promise<void> {
  let interrupt: AbortSignal | undefined;
  const summary = await withInterrupt((signal) => {
    interrupt = signal;
    return runMerge(paths, opts, signal, deps);
  }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
  if (summary === undefined) return;
  printResult(opts, summary, () => frontTable(summary));
  // As optimize does: the run's page beside its summary.json.
  if (summary.status === 'completed') {
    const { writeReport } = await import('./report.js');
    note(opts, `report: ${(await writeReport({ ...opts, db: opts.out }, summary.run_id, join(summary.out_dir, 'report.html'), { regimes: false })).out}`);
  }
  reportRunEnd(summary.run_id, summary.status, interrupt, summary);
}
