/**
 * The NSGA-II island model from the command line (`optimize --optimizer nsga2 --shard I/N`, `merge
 * --migrate`, `optimize --migrants`): two islands merge into one run whose candidates are the union
 * of theirs, ranked as a whole; an island is reproducible; --migrate writes `optimizer.nsga2.migrants`
 * rows per island, which the next epoch's island has as the last rows of its first generation; a
 * migrants file of another run is refused (exit 2, nothing written).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MigrantsFile } from '../../src/jobs/islands.js';
import { emigrants, joinResults } from '../../src/search/islands.js';
import type { SearchResult } from '../../src/search/optimize.js';
import type { OptimizationSummary } from '../../src/jobs/optimize.js';
import { DatabaseManager } from '../../src/store/database.js';
import { RunStore } from '../../src/store/run-store.js';
import { runCliInProcess } from '../helpers/cli.js';
import { configDirWith } from '../helpers/config-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-islands-'));
const at = (name: string) => join(tmp, name);
/** Generations of 20, so an island of 100 candidates evolves 5 of them; 3 migrants per island. */
const POPULATION = 20;
const MIGRANTS = 3;
/** All-in sma_cross may be feasible (as in tests/jobs/optimize.test.ts), so the merged front is not empty. */
const CONFIG = configDirWith(
  'strategy_optimization_config.yml',
  (d) => {
    d.setIn(['optimizer', 'nsga2', 'population'], POPULATION);
    d.setIn(['optimizer', 'nsga2', 'migrants'], MIGRANTS);
  },
  configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1)),
);
const RUN = ['--config-dir', CONFIG, '--family', 'sma_cross', '--optimizer', 'nsga2', '--budget', '200', '--workers', '1', '--json', '-q'];

async function island(index: number, name: string, extra: readonly string[] = []): Promise<OptimizationSummary> {
  const r = await runCliInProcess(['optimize', ...RUN, '--seed', '3', '--shard', `${index}/2`, '--db', at(`${name}.db`), '--out', at(name), ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as OptimizationSummary;
}

/** Stored parameters by candidate id. */
function params(db: string, runId: string): Map<number, unknown> {
  const dbm = new DatabaseManager(db, undefined, 'read');
  try {
    return new Map([...new RunStore(dbm).results(runId)].map((r) => [r.candidateId, JSON.parse(r.paramsJson) as unknown]));
  } finally {
    dbm.close();
  }
}

let islands: OptimizationSummary[];
beforeAll(async () => {
  islands = [await island(0, 'i0'), await island(1, 'i1')];
}, 120_000);

describe('NSGA-II islands', () => {
  it('each island evolves its block of ids on streams of its own, reproducibly', async () => {
    expect(islands.map((s) => s.shard)).toEqual([
      { index: 0, count: 2, first_id: 0, end_id: 100 },
      { index: 1, count: 2, first_id: 100, end_id: 200 },
    ]);
    // 100 candidates in generations of 20.
    expect(islands.map((s) => s.generations)).toEqual([5, 5]);
    const p0 = params(at('i0.db'), islands[0].run_id);
    const p1 = params(at('i1.db'), islands[1].run_id);
    expect([...p0.keys()]).toEqual(Array.from({ length: 100 }, (_, k) => k));
    expect([...p1.keys()]).toEqual(Array.from({ length: 100 }, (_, k) => 100 + k));
    // Another stream: island 1's first point is not island 0's.
    expect(p1.get(100)).not.toEqual(p0.get(0));
    const again = await island(0, 'i0-again');
    expect([...params(at('i0-again.db'), again.run_id)]).toEqual([...p0]);
  }, 60_000);

  it('merge joins the islands into one ranked run and --migrate writes the best of each', async () => {
    const r = await runCliInProcess(['merge', '--config-dir', CONFIG, '--out', at('merged.db'), at('i0.db'), at('i1.db'), '--migrate', at('m.json'), '--run-dir', at('merged'), '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const merged = JSON.parse(r.stdout) as OptimizationSummary;
    expect(merged.status).toBe('completed');
    expect(merged.shard).toBeUndefined();
    const union = new Map([...params(at('i0.db'), islands[0].run_id), ...params(at('i1.db'), islands[1].run_id)]);
    expect([...params(at('merged.db'), merged.run_id)]).toEqual([...union]);
    // Ranked as a whole: the front is the union's, so it may hold candidates of either island.
    expect(merged.front.length).toBeGreaterThan(0);
    expect(merged.front.every((c) => c.front_rank === 0 && union.has(c.candidate_id))).toBe(true);

    const file = JSON.parse(readFileSync(at('m.json'), 'utf8')) as MigrantsFile;
    expect(file.epoch).toBe(2);
    expect(file.run.seed).toBe('3');
    expect(file.run.islands).toBe(2);
    expect(file.islands.map((i) => i.island)).toEqual([0, 1]);
    for (const { island: i, rows } of file.islands) {
      expect(rows).toHaveLength(MIGRANTS);
      // Each migrant is one of its own island's candidates.
      const own = [...union].filter(([id]) => Math.floor(id / 100) === i).map(([, p]) => JSON.stringify(p));
      for (const row of rows) expect(own).toContain(JSON.stringify(row.params));
    }
  }, 60_000);

  it('an island of the next epoch has the migrants as the last rows of its first generation', async () => {
    const file = JSON.parse(readFileSync(at('m.json'), 'utf8')) as MigrantsFile;
    const epoch2 = await island(0, 'e2', ['--migrants', at('m.json')]);
    const p = params(at('e2.db'), epoch2.run_id);
    const migrants = file.islands.flatMap((i) => i.rows.map((r) => r.params));
    // 6 migrants replace rows 14..19 of the first generation of 20, in file order.
    expect(Array.from({ length: migrants.length }, (_, k) => p.get(POPULATION - migrants.length + k))).toEqual(migrants);
    // The rest of the generation is the island's own sample of epoch 2, not epoch 1's.
    expect(p.get(0)).not.toEqual(params(at('i0.db'), islands[0].run_id).get(0));
  }, 60_000);

  it('refuses the migrants of another run (exit 2, nothing written)', async () => {
    const r = await runCliInProcess(['optimize', ...RUN, '--seed', '4', '--shard', '0/2', '--db', at('other.db'), '--out', at('other'), '--migrants', at('m.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--migrants .*m\.json: written for another run than this island's\nseed: 3, not 4/);
    expect(existsSync(at('other.db'))).toBe(false);
  });
});

/** A one-family result of feasible rows with 2 minimised objectives, each row ranked within `F` alone. */
function result(F: number[][], rank: number[], crowding: number[]): SearchResult {
  const n = F.length;
  return {
    n, dims: 1, m: 2, U: Float64Array.from(F.map((_, i) => i / 10)), family: new Int32Array(n), arm: new Int32Array(n),
    F: Float64Array.from(F.flat()), violation: new Float64Array(n), rank: Int32Array.from(rank), crowding: Float64Array.from(crowding),
    best: 0, arms: [{ family: 'f', method: 'nsga2' }], retired: [], generations: 1, stopReason: 'candidates', repairs: { rejected: 0, repaired: 0 },
  };
}

describe('joinResults and emigrants', () => {
  it('ranks the union as a whole, not island by island', () => {
    // Each island's only row is its own front; together (1,1) is dominated by (0,0).
    const joined = joinResults([result([[1, 1]], [0], [Infinity]), result([[0, 0], [2, 0]], [0, 1], [Infinity, Infinity])], 0);
    expect(joined.n).toBe(3);
    expect([...joined.rank]).toEqual([1, 0, 1]);
    expect(joined.best).toBe(1);
    expect([...joined.U]).toEqual([0, 0, 0.1]);
    expect(joined.generations).toBe(2);
  });

  it('takes an island\'s best rows by front rank, then crowding', () => {
    // Rows 3 and 1 are front 0 (3 less crowded), row 0 front 1, row 2 front 2.
    const island = result([[1, 1], [0, 2], [3, 3], [2, 0]], [1, 0, 2, 0], [5, 1, Infinity, 2]);
    expect([...emigrants(island, 3)]).toEqual([0.3, 0.1, 0]);
    expect([...emigrants(island, 10)]).toEqual([0.3, 0.1, 0, 0.2]);
  });
});
