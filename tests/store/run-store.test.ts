/** Runs and candidates in SQLite: run lifecycle, per-batch writes, what a resume reads back. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { RunStore, type NewRun } from '../../src/store/run-store.js';
import { paramLayout } from '../../src/config/param-layout.js';
import { DatabaseManager } from '../../src/store/database.js';
import { testConfig } from '../helpers/config.js';

const layout = paramLayout(testConfig(), 'sma_cross', []);
const run: NewRun = {
  command: 'pnlopt evaluate --strategy sma_cross',
  family: 'sma_cross',
  optimizer: null,
  seed: null,
  configHash: 'c'.repeat(64),
  dataHash: 'd'.repeat(64),
  codeVersion: '0.1.0',
  sampler: { candidates_csv: 'in.csv', sha256: 'e'.repeat(64), candidates: 4 },
  dataWindow: { start: 0, end: 250 },
  budget: 4,
};
// Candidates (fast, slow): (2, 5), (3, 9), (4, 12), (5, 30).
const X = Float64Array.from([2, 5, 3, 9, 4, 12, 5, 30]);

function metricRows(rows: number, seed: number): Float64Array {
  return Float64Array.from({ length: rows * METRIC_COUNT }, (_, k) => seed + k / 7);
}

describe('RunStore', () => {
  it('records a run, its batches as they come, and closes it', () => {
    const dbm = new DatabaseManager(':memory:');
    const store = new RunStore(dbm);
    const id = store.createRun(run, 'run-1', new Date('2024-01-02T03:04:05Z'));
    expect(store.run(id)).toMatchObject({ run_id: 'run-1', status: 'running', created_at: '2024-01-02T03:04:05.000Z', family: 'sma_cross', config_hash: run.configHash, data_hash: run.dataHash, code_version: '0.1.0', budget: 4, seed: null });

    const F = metricRows(2, 1);
    store.writeEvaluated(id, layout, X, Int32Array.from([2, 0]), F);
    store.writeFailed(id, layout, X, Int32Array.from([3]), 'worker exited with code: 1');
    expect([...store.evaluatedMask(id, 4)]).toEqual([1, 0, 1, 0]);

    const results = [...store.results(id)];
    expect(results.map(({ candidateId, status, paramsJson, error }) => ({ candidateId, status, paramsJson, error }))).toEqual([
      { candidateId: 0, status: 'ok', paramsJson: '{"fast":2,"slow":5}', error: null },
      { candidateId: 2, status: 'ok', paramsJson: '{"fast":4,"slow":12}', error: null },
      { candidateId: 3, status: 'failed', paramsJson: '{"fast":5,"slow":30}', error: 'worker exited with code: 1' },
    ]);
    // Batch rows were given in the order of ids [2, 0].
    expect(results[0].metrics).toEqual(F.subarray(METRIC_COUNT, 2 * METRIC_COUNT));
    expect(results[1].metrics).toEqual(F.subarray(0, METRIC_COUNT));
    expect(results[2].metrics).toBeNull();

    store.finishRun(id, 'interrupted', { evaluated: 2 }, new Date('2024-01-02T04:00:00Z'));
    expect(store.run(id)).toMatchObject({ status: 'interrupted', finished_at: '2024-01-02T04:00:00.000Z', summary_json: '{"evaluated":2}' });

    // A resume evaluates the failed candidate again: the failure is replaced.
    store.writeEvaluated(id, layout, X, Int32Array.from([3, 1]), metricRows(2, 5));
    expect([...store.evaluatedMask(id, 4)]).toEqual([1, 1, 1, 1]);
    expect(store.countStored(id)).toBe(4);
    expect([...store.results(id)].map((r) => [r.candidateId, r.status, r.error])).toEqual([[0, 'ok', null], [1, 'ok', null], [2, 'ok', null], [3, 'ok', null]]);
    expect(store.candidate(id, 3)!.metrics).toEqual(metricRows(2, 5).subarray(0, METRIC_COUNT));
    dbm.close();
  });

  it('finds run ids by prefix, literally (an _ or % in the prefix is no wildcard)', () => {
    const store = new RunStore(new DatabaseManager(':memory:'));
    for (const id of ['ab_1', 'ab_2', 'abx3', 'b%c']) store.createRun(run, id);
    expect(store.runIdsStartingWith('ab')).toEqual(['ab_1', 'ab_2']);
    expect(store.runIdsStartingWith('ab', 5)).toEqual(['ab_1', 'ab_2', 'abx3']);
    expect(store.runIdsStartingWith('ab_')).toEqual(['ab_1', 'ab_2']);
    expect(store.runIdsStartingWith('b%')).toEqual(['b%c']);
    expect(store.runIdsStartingWith('b_')).toEqual([]);
    expect(store.runIdsStartingWith('zz')).toEqual([]);
  });

  it('reads back runs, rankings and hold-out metrics as written', () => {
    const dbm = new DatabaseManager(':memory:');
    const store = new RunStore(dbm);
    const late = store.createRun(run, 'late', new Date('2024-01-03T00:00:00Z'));
    const early = store.createRun(run, 'early', new Date('2024-01-02T00:00:00Z'));
    expect(store.runs().map((r) => r.run_id)).toEqual([early, late]);

    store.writeEvaluated(late, layout, X, Int32Array.from([0, 1, 2]), metricRows(3, 2));
    const unranked = [...store.rankings(late)];
    expect(unranked.map((r) => [r.candidateId, r.feasible, r.violation, r.frontRank, r.crowding, r.holdoutMetrics])).toEqual([
      [0, null, null, null, null, null],
      [1, null, null, null, null, null],
      [2, null, null, null, null, null],
    ]);
    store.writeRanking(late, Int32Array.from([0, 1, 0]), Float64Array.from([Infinity, 0.5, Infinity]), Float64Array.from([0, 0.25, NaN]));
    const H = metricRows(1, 9);
    H[Metric.sharpe] = NaN;
    H[Metric.profit_factor] = Infinity;
    store.writeHoldout(late, 0, H);
    const ranked = [...store.rankings(late)];
    expect(ranked.map((r) => [r.candidateId, r.feasible, r.violation, r.frontRank, r.crowding])).toEqual([
      [0, true, 0, 0, null],
      [1, false, 0.25, 1, 0.5],
      [2, false, null, 0, null],
    ]);
    expect(ranked[0].holdoutMetrics).toEqual(H); // by the rules of results(): NaN stays NaN, +Infinity stays +Infinity
    expect(ranked[1].holdoutMetrics).toBeNull();

    dbm.close();
  });

  it('keeps runs apart', () => {
    const dbm = new DatabaseManager(':memory:');
    const store = new RunStore(dbm);
    const a = store.createRun(run, 'a');
    const b = store.createRun(run, 'b');
    store.writeEvaluated(a, layout, X, Int32Array.from([1]), metricRows(1, 0));
    expect([...store.evaluatedMask(b, 4)]).toEqual([0, 0, 0, 0]);
    expect([...store.results(b)]).toEqual([]);
    dbm.close();
  });
});

describe('non-finite metrics', () => {
  it('round-trip +Infinity, -Infinity and NaN in every metric through the store exactly', () => {
    const dbm = new DatabaseManager(':memory:');
    const store = new RunStore(dbm);
    const id = store.createRun(run, 'non-finite');
    // Row 0: +inf, -inf, NaN cycling over every column; row 1: the other way round; row 2: finite.
    const specials = [Infinity, -Infinity, NaN];
    const F = metricRows(3, 0.3);
    for (let j = 0; j < METRIC_COUNT; j++) {
      F[j] = specials[j % 3];
      F[METRIC_COUNT + j] = specials[(j + 1) % 3];
    }
    store.writeEvaluated(id, layout, X, Int32Array.from([0, 1, 2]), F);
    const back = [...store.results(id)].map((r) => r.metrics);
    expect(back).toEqual([F.subarray(0, METRIC_COUNT), F.subarray(METRIC_COUNT, 2 * METRIC_COUNT), F.subarray(2 * METRIC_COUNT)]);
    expect(Object.is(back[0]![Metric.total_return], Infinity) && Object.is(back[0]![Metric.total_profit], -Infinity)).toBe(true);
    expect(Number.isNaN(back[0]![Metric.max_drawdown])).toBe(true);

    store.writeHoldout(id, 1, F.subarray(METRIC_COUNT, 2 * METRIC_COUNT));
    expect([...store.rankings(id)][1].holdoutMetrics).toEqual(F.subarray(METRIC_COUNT, 2 * METRIC_COUNT));

    dbm.close();
  });
});

describe('RunStore reads for runs / show / export', () => {
  it('counts stored candidates per run in one query', () => {
    const dbm = new DatabaseManager(':memory:');
    const store = new RunStore(dbm);
    const a = store.createRun(run, 'a');
    const b = store.createRun(run, 'b');
    store.createRun(run, 'none');
    store.writeEvaluated(a, layout, X, Int32Array.from([0, 1, 2]), metricRows(3, 0));
    store.writeFailed(a, layout, X, Int32Array.from([3]), 'boom');
    store.writeEvaluated(b, layout, X, Int32Array.from([1]), metricRows(1, 0));
    expect(store.storedCounts()).toEqual(new Map([['a', 4], ['b', 1]]));
    expect(store.storedCounts().get('a')).toBe(store.countStored('a'));
    dbm.close();
  });

  it('reads one candidate with its family and ranking, as results() and rankings() read them', () => {
    const dbm = new DatabaseManager(':memory:');
    const store = new RunStore(dbm);
    const id = store.createRun(run, 'ranked');
    store.writeEvaluated(id, layout, X, Int32Array.from([2, 0, 1]), metricRows(3, 4));
    store.writeFailed(id, layout, X, Int32Array.from([3]), 'worker exited');
    // Not ranked yet (an interrupted run): every ranking field null.
    expect([0, 1, 2, 3].map((k) => store.candidate(id, k)).map((r) => [r!.candidateId, r!.feasible, r!.violation, r!.frontRank, r!.crowding])).toEqual([
      [0, null, null, null, null],
      [1, null, null, null, null],
      [2, null, null, null, null],
      [3, null, null, null, null],
    ]);
    store.writeRanking(id, Int32Array.from([0, 1, 0, 2]), Float64Array.from([Infinity, 0.5, 1.25, Infinity]), Float64Array.from([0, 0.25, 0, NaN]));
    const joined = [0, 1, 2, 3].map((k) => store.candidate(id, k)!);
    const results = [...store.results(id)];
    const rankings = [...store.rankings(id)];
    expect(joined).toEqual(results.map((r, i) => ({ ...r, ...rankings[i], family: 'sma_cross' })));
    expect(joined.map((r) => [r.candidateId, r.status, r.feasible, r.violation, r.frontRank, r.crowding])).toEqual([
      [0, 'ok', true, 0, 0, null],
      [1, 'ok', false, 0.25, 1, 0.5],
      [2, 'ok', true, 0, 0, 1.25],
      [3, 'failed', false, null, 2, null],
    ]);
    expect(joined[3].metrics).toBeNull();
    expect(store.candidate(id, 4)).toBeUndefined();
    expect(store.candidate('other', 0)).toBeUndefined();
    dbm.close();
  });

  it('reads several queries on one snapshot while another connection writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-store-snapshot-'));
    const reader = new DatabaseManager(join(dir, 's.db'));
    const writer = new DatabaseManager(join(dir, 's.db'));
    const store = new RunStore(reader);
    const other = new RunStore(writer);
    const id = store.createRun(run, 'snap');
    store.writeEvaluated(id, layout, X, Int32Array.from([0]), metricRows(1, 0));
    const seen = store.snapshot(() => {
      const before = [...store.results(id)].length;
      other.writeEvaluated(id, layout, X, Int32Array.from([1, 2]), metricRows(2, 0));
      return [before, [...store.results(id)].length, store.countStored(id)];
    });
    expect(seen).toEqual([1, 1, 1]);
    expect(store.countStored(id)).toBe(3);
    reader.close();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
