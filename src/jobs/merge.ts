/**
 * `pnlopt merge`: the shards of one sharded run (`optimize --shard I/N`, shards.ts) joined into the
 * run one machine would have made, with the same candidates, ranking, front, best and summary.json.
 *
 * The shards must be every shard of one run, once each, completed: same config, data, code,
 * seed, optimizer, budget, families, search settings, tickers and windows, and shard count; a shard
 * of another run is refused naming what differs, and missing or duplicate shards are listed
 * (`UsageError`, nothing written). The merged run is then recorded like the single-machine run (its
 * record is the shards' without the shard), their candidates are copied into it, and it is
 * finished as a resume of that run (`runOptimization` with `resume`): the search is replayed with
 * the stored rows in place of evaluations, which ranks the whole population, gates the best on the
 * hold-out, adopts it and writes summary.json by the single-machine code. Nothing stored is
 * simulated again; a candidate a shard stored as failed is tried again, as a resume would.
 * NSGA-II shards are islands (islands.ts): the replay runs each island on its own streams and block.
 */
import type { PnloptConfig } from '../config/load.js';
import { configHash } from '../config/load.js';
import type { OptimizerKind } from '../config/optimizer-kinds.js';
import type { MarketData } from '../data/types.js';
import { UsageError } from '../errors.js';
import { codeVersion } from '../paths.js';
import type { PoolSettings } from '../pool/coordinator.js';
import { storeOf, type DatabaseManager, type StoreSource } from '../store/database.js';
import { copyCandidates } from '../store/run-copy.js';
import { RunLocks } from '../store/run-lock.js';
import { RunStore, runFamilies, storedJson, type NewRun, type RunRow } from '../store/run-store.js';
import { runOptimization, type OptimizationSummary } from './optimize.js';
import type { ShardRecord } from './shards.js';
import type { IslandSetup } from './islands.js';
import type { SearchResult } from '../search/optimize.js';
import { join } from 'node:path';

/** A shard's run found in a store. */
export interface ShardRun {
  readonly path: string;
  readonly dbm: DatabaseManager;
  readonly run: RunRow;
  readonly shard: ShardRecord;
}

/** The sampler record of a run (`runOptimization`'s `{ optimizer, settings, shard? }`). */
function samplerOf(run: RunRow): Record<string, unknown> {
  const s = storedJson(run.sampler_json);
  return s !== null && typeof s === 'object' ? (s as Record<string, unknown>) : {};
}

/** The optimize runs of a store that are shards, oldest first. */
export function shardRuns(path: string, dbm: DatabaseManager): ShardRun[] {
  return new RunStore(dbm).runs().flatMap((run) => {
    const shard = samplerOf(run).shard as ShardRecord | undefined;
    return shard === undefined ? [] : [{ path, dbm, run, shard }];
  });
}

/** The island setup an NSGA-II shard recorded; undefined for a population shard. */
export function islandSetup(run: RunRow): IslandSetup | undefined {
  return samplerOf(run).islands as IslandSetup | undefined;
}

const label = (s: ShardRun): string => `${s.path}: shard ${s.shard.index} of ${s.shard.count} (run ${s.run.run_id})`;

/** What the shards of one run share, each as text to compare, with its name for the message. */
function identity(s: ShardRun): [what: string, value: string][] {
  const { shard: _shard, ...search } = samplerOf(s.run);
  const r = s.run;
  return [
    ['config (config_hash)', r.config_hash],
    ['data (data_hash)', r.data_hash],
    ['code version', r.code_version],
    ['seed', String(r.seed)],
    ['optimizer', String(r.optimizer)],
    ['budget', String(r.budget)],
    ['families', String(r.family)],
    ['shard count', String(s.shard.count)],
    ['search settings', JSON.stringify(search)],
    ['tickers and windows', String(r.data_window_json)],
  ];
}

/** How `s` differs from `ref` in what the shards of one run share; empty: the same run. */
function differences(s: ShardRun, ref: ShardRun): string[] {
  const expected = identity(ref);
  return identity(s).flatMap(([what, v], k) => (v === expected[k][1] ? [] : [`${what}: ${v}, not ${expected[k][1]}`]));
}

/**
 * Check that the completed shard runs among `shards` are every shard of one run, once each, each
 * with its whole block stored (see the header). A run that did not complete is left out when its
 * shard completed in another run (a retried attempt, as a Kubernetes pod restart leaves), and named,
 * with the command that finishes it, when its shard is missing.
 * @returns the shards by index
 */
export function checkShards(shards: readonly ShardRun[]): ShardRun[] {
  if (shards.length === 0) throw new UsageError('no shard run in the files given: make them with pnlopt optimize --shard I/N --db FILE');
  const done = shards.filter((s) => s.run.status === 'completed');
  const finishIt = (s: ShardRun) => `${label(s)} is ${s.run.status}: finish it (pnlopt optimize --resume ${s.run.run_id} --db ${s.path})`;
  if (done.length === 0) throw new UsageError(`no completed shard run in the files given\n${shards.map(finishIt).join('\n')}`);
  const [ref] = done;
  for (const s of done.slice(1)) {
    const d = differences(s, ref);
    if (d.length > 0) throw new UsageError(`${label(s)} belongs to another run than ${label(ref)}\n${d.join('\n')}`);
  }
  for (const s of done) {
    const stored = new RunStore(s.dbm).countStored(s.run.run_id);
    const block = s.shard.end_id - s.shard.first_id;
    if (stored !== block) throw new UsageError(`${label(s)} stores ${stored} candidates, not the ${block} of its block: the store was changed after the run`);
  }
  const byIndex = new Map<number, ShardRun[]>();
  for (const s of done) byIndex.set(s.shard.index, [...(byIndex.get(s.shard.index) ?? []), s]);
  const count = ref.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  const unfinished = shards.filter((s) => s.run.status !== 'completed' && missing.includes(s.shard.index) && differences(s, ref).length === 0);
  const problems = [
    ...(missing.length > 0 ? [`missing shard(s) ${missing.join(', ')} of ${count}: run pnlopt optimize --shard I/${count} with the other shards' settings for each`] : []),
    ...unfinished.map(finishIt),
    ...[...byIndex.values()].filter((g) => g.length > 1).map((g) => `shard ${g[0].shard.index} of ${count} is given ${g.length} times: ${g.map((s) => `${s.path} (run ${s.run.run_id})`).join(', ')}`),
  ];
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)![0]);
}

/** The record of the run the shards make up: theirs without the shard, as the single-machine run records itself. */
function wholeRun(run: RunRow): NewRun {
  const { shard: _shard, ...sampler } = samplerOf(run);
  const json = (text: string | null): unknown => storedJson(text) ?? undefined;
  return {
    command: run.command, family: run.family ?? '', optimizer: run.optimizer, seed: run.seed, configHash: run.config_hash, dataHash: run.data_hash, codeVersion: run.code_version,
    sampler, dataWindow: storedJson(run.data_window_json), budget: run.budget ?? 0,
    paramRanges: json(run.param_ranges_json), regime: json(run.regime_json), constraints: json(run.constraints_json),
  };
}

export interface MergeRequest {
  /** As `checkShards` returns them. */
  readonly shards: readonly ShardRun[];
  /** The shards' config and data (restored from their record): checked against their hashes. */
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  /** The shards' `--tickers`. */
  readonly tickers?: readonly string[];
  /** For the candidates a shard stored as failed, tried again. */
  readonly pool: PoolSettings;
  /** The store the merged run is written to. */
  readonly dbm: StoreSource;
  /** Folder for summary.json; default `runtime.runs_dir/<run id>`. */
  readonly outDir?: string;
  readonly signal?: AbortSignal;
  /** The settings a resume of the merged run restores, given its output folder. */
  readonly invocation?: (outDir: string) => unknown;
  /** Islands (NSGA-II shards): each island's own result once the merged run completes (`merge --migrate`). */
  readonly onIslands?: (islands: readonly SearchResult[]) => void;
}

/**
 * Join the shards into one run and finish it as the single-machine run finishes.
 * @returns the merged run's summary (also its summary.json)
 */
export async function mergeShards(req: MergeRequest): Promise<OptimizationSummary> {
  const { cfg, data } = req;
  const { run } = req.shards[0];
  // The replay must propose what the shards evaluated: checked before anything is written.
  const inputs: [what: string, shards: string, here: string, fix: string][] = [
    ['config (config_hash)', run.config_hash, configHash(cfg), 'give --config-dir with the shards\' config'],
    ['data (data_hash)', run.data_hash, data.hash, 'give --data with the shards\' data'],
    ['code version', run.code_version, codeVersion(), 'merge with the pnlopt that made the shards'],
  ];
  const differences = inputs.filter(([, a, b]) => a !== b).map(([what, a, b, fix]) => `${what}: the shards have ${a}, this merge has ${b}: ${fix}`);
  if (differences.length > 0) throw new UsageError(`the shards were made with other inputs\n${differences.join('\n')}`);
  const dbm = storeOf(req.dbm);
  const store = new RunStore(dbm);
  const outDir = (id: string) => req.outDir ?? join(cfg.runtime.runtime.runs_dir, id);
  const runId = store.transaction(() => {
    const id = store.createRun(wholeRun(run));
    new RunLocks(dbm, cfg.runtime.runtime.lock_stale_s * 1000).setInvocation(id, req.invocation?.(outDir(id)) ?? null);
    for (const s of req.shards) copyCandidates(s.dbm, s.run.run_id, dbm, id);
    return id;
  });
  const islands = islandSetup(run);
  return runOptimization({
    cfg,
    data,
    ...(req.tickers !== undefined ? { tickers: req.tickers } : {}),
    families: runFamilies(run),
    optimizer: run.optimizer as OptimizerKind,
    budget: run.budget ?? 0,
    maxSeconds: Infinity,
    seed: Number(run.seed),
    pool: req.pool,
    dbm,
    outDir: outDir(runId),
    resume: runId,
    ...(req.signal !== undefined ? { signal: req.signal } : {}),
    // Islands are replayed island by island, each on its own streams and block (islands.ts).
    ...(islands !== undefined ? { islands } : {}),
    ...(req.onIslands !== undefined ? { onIslands: req.onIslands } : {}),
  });
}
