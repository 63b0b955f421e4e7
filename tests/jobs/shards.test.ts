/**
 * Sharded runs and their merge: the blocks of candidate ids partition the budget, and shards
 * 0..N-1 merged are the single-machine run bit for bit (stored candidates, rankings, hold-out rows,
 * front, best, summary.json) for random and LHS with N = 1, 2, 3; a merge refuses a shard of another
 * run and lists missing and duplicate shards, writing nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { loadMarketData } from '../../src/data/load.js';
import { UsageError } from '../../src/errors.js';
import { checkShards, mergeShards, shardRuns, type ShardRun } from '../../src/jobs/merge.js';
import { runOptimization, type OptimizationRequest, type OptimizationSummary } from '../../src/jobs/optimize.js';
import { parseShard, shardBlock, type Shard } from '../../src/jobs/shards.js';
import { poolSettings } from '../../src/pool/settings.js';
import { DatabaseManager } from '../../src/store/database.js';
import { RunStore } from '../../src/store/run-store.js';
import { configDirWith } from '../helpers/config-dir.js';

const SP500 = join(import.meta.dirname, '..', '..', 'data', 'sp500_daily_ohlcv_2000_2020.csv');
const data = loadMarketData([SP500]);
/** All-in sma_cross may be feasible (as in optimize.test.ts), so the front, best and hold-out gate are not empty. */
const cfg: PnloptConfig = loadConfig({ dir: configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1)) });
/** 301 = 3 * 100 + 1: unequal blocks (101, 100, 100) for N = 3, and with `sampling.batch_size` 256 a block that spans two batches. */
const BUDGET = 301;

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const db = () => new DatabaseManager(join(tmp('pnlopt-shard-'), 's.db'));

function request(over: Partial<OptimizationRequest> & { dbm: DatabaseManager }): OptimizationRequest {
  return { cfg, data, families: ['sma_cross'], optimizer: 'random', budget: BUDGET, maxSeconds: Infinity, seed: 7, pool: poolSettings(cfg, { workers: 1 }), outDir: tmp('pnlopt-run-'), ...over };
}

/** Every stored candidate (result, ranking, hold-out metrics), without the run id (as in optimize.test.ts). */
function candidates(dbm: DatabaseManager, runId: string) {
  const store = new RunStore(dbm);
  const rankings = [...store.rankings(runId)];
  return [...store.results(runId)].map((r, i) => ({ ...r, ...rankings[i] }));
}

/** A summary without what differs between two runs of one job (id, timing, folder, session work). */
function comparable(s: OptimizationSummary): unknown {
  const { run_id, elapsed_s, candidates_per_s, out_dir, simulated, ...rest } = s;
  void run_id, elapsed_s, candidates_per_s, out_dir, simulated;
  return rest;
}

/** The shards of a run made with `over`, each in its own store, as `merge` finds them. */
async function shards(count: number, over: Partial<Omit<OptimizationRequest, 'dbm'>> = {}): Promise<ShardRun[]> {
  const found: ShardRun[] = [];
  for (let index = 0; index < count; index++) {
    const dbm = db();
    const s = await runOptimization(request({ dbm, shard: { index, count }, ...over }));
    const block = shardBlock({ index, count }, BUDGET);
    expect(s.status).toBe('completed');
    expect(s.shard).toEqual({ index, count, first_id: block.first, end_id: block.end });
    // Only the block is stored, under its global ids.
    expect([...new RunStore(dbm).results(s.run_id)].map((r) => r.candidateId)).toEqual(Array.from({ length: block.end - block.first }, (_, k) => block.first + k));
    found.push(...shardRuns(`shard${index}.db`, dbm));
  }
  return found;
}

describe('shardBlock', () => {
  it('splits the budget into N contiguous blocks in order, sizes differing by at most one', () => {
    // Reference: 10 / 3 = 3 rem 1: the first shard takes one more: 0..3, 4..6, 7..9.
    expect([0, 1, 2].map((index) => shardBlock({ index, count: 3 }, 10))).toEqual([{ first: 0, end: 4 }, { first: 4, end: 7 }, { first: 7, end: 10 }]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), (budget, count) => {
        const first = shardBlock({ index: 0, count }, budget);
        const last = shardBlock({ index: count - 1, count }, budget);
        expect(first.first).toBe(0);
        expect(last.end).toBe(budget);
        const i = Math.floor(count / 2);
        const a = shardBlock({ index: i, count }, budget);
        if (i + 1 < count) expect(shardBlock({ index: i + 1, count }, budget).first).toBe(a.end);
        const size = a.end - a.first;
        expect(size === Math.floor(budget / count) || size === Math.ceil(budget / count)).toBe(true);
      }),
    );
  });

  it('parses I/N and says what is wrong otherwise', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('3/3')).toMatch(/I from 0 to N - 1 = 2/);
    expect(parseShard('0/0')).toMatch(/N >= 1/);
    expect(parseShard('-1/2')).toMatch(/expected I\/N/);
    expect(parseShard('1')).toMatch(/expected I\/N/);
  });
});

describe('sharded runs merged', () => {
  for (const optimizer of ['random', 'lhs'] as const) {
    it(`equal the single-machine run bit for bit (${optimizer}, N = 1, 2, 3)`, async () => {
      const one = db();
      const single = await runOptimization(request({ dbm: one, optimizer }));
      expect(single.status).toBe('completed');
      // Not vacuous: the run has a feasible front and a best gated on the hold-out.
      expect(single.front.length).toBeGreaterThan(0);
      expect(single.best?.holdout_metrics).toBeDefined();
      const expected = candidates(one, single.run_id);
      const singleJson = JSON.parse(readFileSync(join(single.out_dir, 'summary.json'), 'utf8')) as OptimizationSummary;
      for (const count of [1, 2, 3]) {
        const out = db();
        // Given in any order.
        const merged = await mergeShards({ shards: checkShards((await shards(count, { optimizer })).reverse()), cfg, data, pool: poolSettings(cfg, { workers: 1 }), dbm: out, outDir: tmp('pnlopt-merged-') });
        expect(merged.status).toBe('completed');
        expect(merged.simulated).toBe(0);
        expect(comparable(merged)).toEqual(comparable(single));
        expect(candidates(out, merged.run_id)).toEqual(expected);
        const mergedJson = JSON.parse(readFileSync(join(merged.out_dir, 'summary.json'), 'utf8')) as OptimizationSummary;
        expect(comparable(mergedJson)).toEqual(comparable(singleJson));
        // Recorded as the single-machine run: no shard in its record, so a resume of it is a plain resume.
        const record = new RunStore(out).run(merged.run_id)!;
        expect(record.sampler_json).toBe(new RunStore(one).run(single.run_id)!.sampler_json);
        expect(record.status).toBe('completed');
      }
    }, 120_000);
  }

  it('refuses a shard of another run naming what differs, and lists missing and duplicate shards, writing nothing', async () => {
    const [s0, s1] = await shards(2);
    const [, other] = await shards(2, { seed: 8 });
    expect(() => checkShards([s0, other])).toThrow(UsageError);
    expect(() => checkShards([s0, other])).toThrow(/shard1\.db: shard 1 of 2 \(run .*\) belongs to another run than shard0\.db: shard 0 of 2 .*\nseed: 8, not 7$/);
    expect(() => checkShards([s1])).toThrow(/missing shard\(s\) 0 of 2/);
    expect(() => checkShards([s0, s1, s1])).toThrow(/shard 1 of 2 is given 2 times: shard1\.db \(run .*\), shard1\.db/);
    // A shard's attempt that did not complete: left out when the shard completed elsewhere (a retried pod), else named with its fix.
    const retry = db();
    const stop = new AbortController();
    const cut = await runOptimization(request({ dbm: retry, shard: { index: 1, count: 2 }, pool: poolSettings(cfg, { workers: 1, batch: 10 }), signal: stop.signal, onProgress: (n) => n >= 10 && stop.abort() }));
    expect(cut.status).toBe('interrupted');
    const [unfinished] = shardRuns('retry.db', retry);
    expect(checkShards([unfinished, s1, s0]).map((s) => s.run.run_id)).toEqual([s0.run.run_id, s1.run.run_id]);
    expect(() => checkShards([s0, unfinished])).toThrow(/^missing shard\(s\) 1 of 2: .*\nretry\.db: shard 1 of 2 \(run (\S+)\) is interrupted: finish it \(pnlopt optimize --resume \1 --db retry\.db\)$/);
    // Inputs that are not the shards': refused before the store is opened.
    const never = () => {
      throw new Error('the store was opened');
    };
    const otherData = { ...data, hash: 'f'.repeat(64) };
    await expect(mergeShards({ shards: checkShards([s0, s1]), cfg, data: otherData, pool: poolSettings(cfg, { workers: 1 }), dbm: never })).rejects.toThrow(/data \(data_hash\): the shards have [0-9a-f]{64}, this merge has f{64}/);
  }, 60_000);

  it('refuses --shard for an optimizer that learns from its results, and with a time limit', async () => {
    const dbm = db();
    const shard: Shard = { index: 0, count: 2 };
    await expect(runOptimization(request({ dbm, optimizer: 'anneal', shard }))).rejects.toThrow(/--optimizer anneal learns from every result/);
    await expect(runOptimization(request({ dbm, shard, maxSeconds: 60 }))).rejects.toThrow(/--max-seconds/);
    expect(new RunStore(dbm).runs()).toEqual([]);
  });
});
