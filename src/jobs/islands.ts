/**
 * The NSGA-II island model (`optimize --optimizer nsga2 --shard I/N`, docs/scale-out.md): shard I is
 * island I, an NSGA-II run of its own over shard I's block of the budget, on random streams keyed by
 * ('island', I, 'epoch', E) under the run's seed, its candidates numbered in its block (as a
 * population shard's are, so the islands' ids never collide and `pnlopt merge` joins them).
 *
 * The run of N islands on one machine is the N islands one after the other, their candidates ranked
 * as a whole; a merge replays it from the islands' stored rows. It is not the single NSGA-II run of
 * the same budget: each island evolves only its own population.
 *
 * Epochs: `merge --migrate FILE` writes the best `optimizer.nsga2.migrants` individuals of every
 * island (front rank, then crowding, within the island); the next epoch's islands read FILE with
 * `--migrants FILE`, and every island's generation 0 has all those rows in place of its last ones.
 * The file names the run it came from; an island of another run refuses it.
 */
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { configHash, type PnloptConfig } from '../config/load.js';
import { decodeRow, paramLayout, type ParamLayout } from '../config/param-layout.js';
import { codeVersion } from '../paths.js';
import { UsageError } from '../errors.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData } from '../data/types.js';
import { decodePoints } from '../search/encoding.js';
import { emigrants, joinResults } from '../search/islands.js';
import type { SearchJob, SearchResult } from '../search/optimize.js';
import type { OptimizerKind } from '../config/optimizer-kinds.js';
import { ISLAND_OPTIMIZER, shardBlock, type Shard } from './shards.js';

/** What an island run records (in `sampler_json`): the island count, its epoch and the migrants it read (unit-cube rows). */
export interface IslandSetup {
  readonly count: number;
  readonly epoch: number;
  readonly immigrants: readonly (readonly number[])[];
}

/** What the islands of one run share, and a migrants file names. */
export interface IslandIdentity {
  readonly config_hash: string;
  readonly data_hash: string;
  readonly code_version: string;
  readonly seed: string;
  readonly family: string;
  readonly islands: number;
}

const MigrantsFile = z.strictObject({
  /** The epoch whose islands read this file. */
  epoch: z.number().int().min(2),
  run: z.strictObject({
    config_hash: z.string(),
    data_hash: z.string(),
    code_version: z.string(),
    seed: z.string(),
    family: z.string(),
    islands: z.number().int().min(1),
  }),
  islands: z.array(z.strictObject({
    island: z.number().int().min(0),
    /** `u`: the point of the unit cube the search works in (what is read); `params`: the same row decoded, for people. */
    rows: z.array(z.strictObject({ u: z.array(z.number().min(0).lt(1)), params: z.record(z.string(), z.union([z.number(), z.string(), z.null()])) })),
  })),
});
export type MigrantsFile = z.infer<typeof MigrantsFile>;

/** The identity of the island run a stored shard belongs to (`optimize` records the seed as text and the families joined by commas). */
export function islandIdentity(run: { config_hash: string; data_hash: string; code_version: string; seed: string | number | null; family: string | null }, islands: number): IslandIdentity {
  return { config_hash: run.config_hash, data_hash: run.data_hash, code_version: run.code_version, seed: String(run.seed), family: run.family ?? '', islands };
}

/**
 * The island setup of `optimize --shard I/N [--migrants FILE]`: none for a population shard; for an
 * NSGA-II shard the first epoch, or the epoch FILE was written for, checked against this run.
 */
export function shardIslands(cfg: PnloptConfig, data: MarketData, tickers: readonly string[] | undefined, families: readonly string[], seed: number, optimizer: OptimizerKind, shard: Shard | undefined, migrants: string | undefined): IslandSetup | undefined {
  if (shard === undefined || optimizer !== ISLAND_OPTIMIZER) {
    if (migrants !== undefined) throw new UsageError(`--migrants: only an island, --optimizer ${ISLAND_OPTIMIZER} with --shard I/N, reads migrants`);
    return undefined;
  }
  if (migrants === undefined) return firstEpoch(shard.count);
  const family = families.join(',');
  const identity = islandIdentity({ config_hash: configHash(cfg), data_hash: data.hash, code_version: codeVersion(), seed, family }, shard.count);
  return readMigrants(migrants, identity, paramLayout(cfg, family, alignPanel(data, tickers).tickers).params.length);
}

/** Islands go with NSGA-II only, and a shard of an island run is one of its islands. */
export function checkIslands(optimizer: OptimizerKind, shard: Shard | undefined, islands: IslandSetup | undefined): void {
  if (islands === undefined) {
    if (shard !== undefined && optimizer === ISLAND_OPTIMIZER) throw new UsageError(`--shard with --optimizer ${ISLAND_OPTIMIZER}: a shard is an island; the run needs its island setup`);
    return;
  }
  if (optimizer !== ISLAND_OPTIMIZER) throw new UsageError(`islands (--migrants) need --optimizer ${ISLAND_OPTIMIZER}, not ${optimizer}`);
  if (shard !== undefined && shard.count !== islands.count) throw new UsageError(`--shard ${shard.index}/${shard.count}: the migrants are for ${islands.count} islands`);
}

/** The first epoch: no migrants. */
export function firstEpoch(count: number): IslandSetup {
  return { count, epoch: 1, immigrants: [] };
}

/**
 * Read `--migrants FILE` for an island of the run `expected` names.
 * @returns the setup of the epoch the file was written for
 */
export function readMigrants(path: string, expected: IslandIdentity, dims: number): IslandSetup {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--migrants ${path}: not a readable JSON file (${(err as Error).message})`);
  }
  const parsed = MigrantsFile.safeParse(json);
  if (!parsed.success) throw new UsageError(`--migrants ${path}: not a migrants file of pnlopt merge --migrate\n${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
  const file = parsed.data;
  const differ = (Object.keys(expected) as (keyof IslandIdentity)[]).filter((k) => file.run[k] !== expected[k]).map((k) => `${k}: ${String(file.run[k])}, not ${String(expected[k])}`);
  if (differ.length > 0) throw new UsageError(`--migrants ${path}: written for another run than this island's\n${differ.join('\n')}`);
  const immigrants = file.islands.flatMap((i) => i.rows.map((r) => r.u));
  const bad = immigrants.findIndex((u) => u.length !== dims);
  if (bad >= 0) throw new UsageError(`--migrants ${path}: row ${bad} has ${immigrants[bad].length} coordinates, the family ${dims}`);
  return { count: expected.islands, epoch: file.epoch, immigrants };
}

/** The candidates of the islands run (all, or the shard's), and each island's own result. */
export interface IslandsResult {
  readonly result: SearchResult;
  readonly islands: readonly SearchResult[];
}

/**
 * Run the islands: shard's island only, else every island one after the other.
 * @param counter the evaluation's id counter, set to each island's first id
 * @param search one NSGA-II search of `budget` candidates with the island's streams and migrants
 */
export async function islandSearch(
  setup: IslandSetup,
  shard: Shard | undefined,
  budget: number,
  primary: number,
  counter: { next: number },
  search: (budget: number, island: Pick<SearchJob, 'stream' | 'immigrants'>) => Promise<SearchResult>,
): Promise<IslandsResult> {
  const which = shard !== undefined ? [shard.index] : Array.from({ length: setup.count }, (_, i) => i);
  const immigrants = setup.immigrants.length > 0 ? Float64Array.from(setup.immigrants.flat()) : undefined;
  const islands: SearchResult[] = [];
  for (const i of which) {
    const block = shardBlock({ index: i, count: setup.count }, budget);
    counter.next = block.first;
    const r = await search(block.end - block.first, { stream: ['island', i, 'epoch', setup.epoch], ...(immigrants !== undefined ? { immigrants } : {}) });
    islands.push(r);
    if (r.stopReason === 'aborted') break;
  }
  return { result: islands.length === 1 ? islands[0] : joinResults(islands, primary), islands };
}

/** The migrants file for the epoch after `setup`'s: each island's best `k`, as unit-cube rows and decoded. */
export function migrantsFile(identity: IslandIdentity, setup: IslandSetup, islands: readonly SearchResult[], k: number, layout: ParamLayout): MigrantsFile {
  const d = layout.params.length;
  return {
    epoch: setup.epoch + 1,
    run: { ...identity },
    islands: islands.map((r, island) => {
      const U = emigrants(r, k);
      return {
        island,
        rows: Array.from({ length: U.length / d }, (_, j) => {
          const u = U.subarray(j * d, (j + 1) * d);
          const x = new Float64Array(d);
          decodePoints(layout, u, 1, x);
          return { u: [...u], params: decodeRow(layout, x) };
        }),
      };
    }),
  };
}
