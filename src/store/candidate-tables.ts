/**
 * A run's candidates in columnar form (migration 4): each stored batch is one `candidate_batches`
 * row holding its ids, parameter rows and metric rows as typed BLOBs, so storing a batch costs one
 * INSERT whatever its size, and reading a run back is a copy of bytes, not a parse per value.
 *
 * - `run_families`: how a family's parameter rows decode (`ParamColumn`s, JSON), once per run.
 * - `candidate_batches`: ids (int32), parameters (float64, the layout's encoding: numbers as
 *   themselves, a categorical as its choice index, an inactive conditional parameter NaN), metrics
 *   (float64, METRIC_NAMES order; a change of the metric set is a schema change). Infinities and
 *   NaN are stored as they are: the bytes round-trip exactly.
 * - `candidate_failures`: a failed candidate, one row each (rare); an `ok` batch that later stores
 *   it (a resume tries failed candidates again) removes the row.
 * - `candidate_rankings`: front rank (int32, -1 unranked), crowding and violation (float64) per
 *   candidate id, one row per run.
 * - `candidate_holdout`: the hold-out metric row of the candidates evaluated on it.
 *
 * BLOBs are in the machine's byte order, little-endian on every platform Node 20 supports.
 * Governance queries read them through `pnlopt export` (one CSV row per candidate, docs/optimization.md).
 */
import type { Database, Statement } from 'better-sqlite3';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { ParamColumn } from '../config/param-layout.js';

/** The bytes of a typed array, for a BLOB parameter (no copy). */
export function blobOf(a: Float64Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A float64 BLOB read back (copied: the buffer SQLite returns need not be 8-byte aligned). */
export function float64s(b: Buffer): Float64Array {
  const out = new Float64Array(b.byteLength / Float64Array.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** An int32 BLOB read back (copied, see `float64s`). */
export function int32s(b: Buffer): Int32Array {
  const out = new Int32Array(b.byteLength / Int32Array.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Candidate ids per chunk of `chunks`: bounds the memory a read of any run takes. */
export const CHUNK_IDS = 1 << 16;

/** Per candidate of a chunk, whether the store has it. */
export const Stored = { none: 0, ok: 1, failed: 2 } as const;

/**
 * Candidates `first` .. `first + count - 1` of a run, in typed arrays reused from chunk to chunk
 * (read them before asking for the next).
 */
export interface CandidateChunk {
  readonly first: number;
  readonly count: number;
  /** Parameter slots per candidate in `params`. */
  readonly width: number;
  /** `Stored` value per candidate. */
  readonly stored: Uint8Array;
  /** Index into `CandidateReader.families` per candidate; -1 where none is stored. */
  readonly family: Int32Array;
  /** `width` values per candidate: its family's columns, then NaN. */
  readonly params: Float64Array;
  /** METRIC_COUNT values per candidate; NaN where not `ok`. */
  readonly metrics: Float64Array;
  /** The error of each failed candidate, by id. */
  readonly errors: ReadonlyMap<number, string>;
}

/** A run's stored families: their names and columns, in the order they were first stored. */
export interface StoredFamily {
  readonly name: string;
  readonly columns: readonly ParamColumn[];
}

/** A run's ranking as stored by `writeRanking`, or null when it has none. */
export interface StoredRankingColumns {
  readonly frontRank: Int32Array;
  readonly crowding: Float64Array;
  readonly violation: Float64Array;
}

interface BatchRow {
  family: string;
  ids: Buffer;
  params: Buffer;
  metrics: Buffer;
}

/** Writes and reads the candidate tables on one connection. */
export class CandidateTables {
  private readonly insertBatch: Statement<[string, string, number, number, number, Buffer, Buffer, Buffer]>;
  private readonly insertFamily: Statement<[string, string, string]>;
  private readonly insertFailure: Statement<[string, number, string, Buffer, string]>;
  private readonly anyFailure: Statement<[string, number, number]>;
  private readonly deleteFailure: Statement<[string, number]>;
  /** Families already recorded, by run id: a batch does not write its family's columns again. */
  private readonly known = new Map<string, Set<string>>();

  constructor(private readonly db: Database) {
    this.insertBatch = db.prepare('INSERT INTO candidate_batches (run_id, family, first_id, last_id, count, ids, params, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insertFamily = db.prepare('INSERT OR IGNORE INTO run_families (run_id, family, columns_json) VALUES (?, ?, ?)');
    this.insertFailure = db.prepare('INSERT OR REPLACE INTO candidate_failures (run_id, candidate_id, family, params, error) VALUES (?, ?, ?, ?, ?)');
    this.anyFailure = db.prepare('SELECT 1 FROM candidate_failures WHERE run_id = ? AND candidate_id BETWEEN ? AND ? LIMIT 1');
    this.deleteFailure = db.prepare('DELETE FROM candidate_failures WHERE run_id = ? AND candidate_id = ?');
  }

  /** Record how `family`'s rows decode, once per run. */
  family(runId: string, family: string, columns: readonly ParamColumn[]): void {
    let families = this.known.get(runId);
    if (families === undefined) this.known.set(runId, (families = new Set()));
    if (families.has(family)) return;
    this.insertFamily.run(runId, family, JSON.stringify(columns));
    families.add(family);
  }

  /**
   * Store evaluated candidates: `ids` (any order), their parameter rows `params` (ids.length x d) and
   * metric rows `metrics` (ids.length x METRIC_COUNT), in the order of `ids`. The caller holds the transaction.
   */
  ok(runId: string, family: string, ids: Int32Array, params: Float64Array, metrics: Float64Array): void {
    if (ids.length === 0) return;
    let lo = ids[0], hi = ids[0];
    for (let i = 1; i < ids.length; i++) {
      if (ids[i] < lo) lo = ids[i];
      else if (ids[i] > hi) hi = ids[i];
    }
    this.insertBatch.run(runId, family, lo, hi, ids.length, blobOf(ids), blobOf(params), blobOf(metrics.subarray(0, ids.length * METRIC_COUNT)));
    if (this.anyFailure.get(runId, lo, hi) !== undefined) for (const id of ids) this.deleteFailure.run(runId, id);
  }

  /** Store failed candidates with the error; `params` as in `ok`, d values per candidate. */
  failed(runId: string, family: string, ids: Int32Array, params: Float64Array, d: number, error: string): void {
    ids.forEach((id, r) => this.insertFailure.run(runId, id, family, blobOf(params.subarray(r * d, (r + 1) * d)), error));
  }

  /** A run's families, in the order first stored. */
  families(runId: string): StoredFamily[] {
    const rows = this.db.prepare('SELECT family, columns_json FROM run_families WHERE run_id = ? ORDER BY rowid').all(runId) as { family: string; columns_json: string }[];
    return rows.map((r) => ({ name: r.family, columns: JSON.parse(r.columns_json) as ParamColumn[] }));
  }

  /** Candidates stored (ok or failed). */
  count(runId: string): number {
    const ok = this.db.prepare('SELECT COALESCE(SUM(count), 0) FROM candidate_batches WHERE run_id = ?').pluck().get(runId) as number;
    return ok + (this.db.prepare('SELECT COUNT(*) FROM candidate_failures WHERE run_id = ?').pluck().get(runId) as number);
  }

  /** Candidates stored per run id, for every run with any. */
  counts(): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT run_id, SUM(n) AS n FROM (SELECT run_id, SUM(count) AS n FROM candidate_batches GROUP BY run_id
         UNION ALL SELECT run_id, COUNT(*) AS n FROM candidate_failures GROUP BY run_id) GROUP BY run_id`,
      )
      .all() as { run_id: string; n: number }[];
    return new Map(rows.map((r) => [r.run_id, r.n]));
  }

  /** Which of candidates 0..n-1 are stored as ok (1) or not (0). */
  okMask(runId: string, n: number): Uint8Array {
    const done = new Uint8Array(n);
    for (const blob of this.db.prepare('SELECT ids FROM candidate_batches WHERE run_id = ?').pluck().iterate(runId) as Iterable<Buffer>) {
      for (const id of int32s(blob)) if (id >= 0 && id < n) done[id] = 1;
    }
    return done;
  }

  /** Store the run's ranking, replacing any earlier one (candidate id = index). */
  writeRanking(runId: string, frontRank: Int32Array, crowding: Float64Array, violation: Float64Array): void {
    this.db
      .prepare('INSERT OR REPLACE INTO candidate_rankings (run_id, count, front_rank, crowding, violation) VALUES (?, ?, ?, ?, ?)')
      .run(runId, frontRank.length, blobOf(frontRank), blobOf(crowding), blobOf(violation));
  }

  ranking(runId: string): StoredRankingColumns | null {
    const r = this.db.prepare('SELECT front_rank, crowding, violation FROM candidate_rankings WHERE run_id = ?').get(runId) as { front_rank: Buffer; crowding: Buffer; violation: Buffer } | undefined;
    return r === undefined ? null : { frontRank: int32s(r.front_rank), crowding: float64s(r.crowding), violation: float64s(r.violation) };
  }

  writeHoldout(runId: string, candidateId: number, metrics: Float64Array): void {
    this.db.prepare('INSERT OR REPLACE INTO candidate_holdout (run_id, candidate_id, metrics) VALUES (?, ?, ?)').run(runId, candidateId, blobOf(metrics.subarray(0, METRIC_COUNT)));
  }

  /** Hold-out metric rows by candidate id. */
  holdout(runId: string): Map<number, Float64Array> {
    const rows = this.db.prepare('SELECT candidate_id, metrics FROM candidate_holdout WHERE run_id = ?').all(runId) as { candidate_id: number; metrics: Buffer }[];
    return new Map(rows.map((r) => [r.candidate_id, float64s(r.metrics)]));
  }

  /** The highest stored candidate id, or -1. */
  private lastId(runId: string): number {
    const a = this.db.prepare('SELECT MAX(last_id) FROM candidate_batches WHERE run_id = ?').pluck().get(runId) as number | null;
    const b = this.db.prepare('SELECT MAX(candidate_id) FROM candidate_failures WHERE run_id = ?').pluck().get(runId) as number | null;
    return Math.max(a ?? -1, b ?? -1);
  }

  /**
   * The stored candidates among ids `from` .. `to - 1` (default: all), chunk by chunk in id order
   * (`CHUNK_IDS` ids each; the last may be short), with `width` parameter slots per candidate (the
   * widest family's column count).
   */
  *chunks(runId: string, families: readonly StoredFamily[], from = 0, to = this.lastId(runId) + 1): Generator<CandidateChunk> {
    if (to <= from) return;
    const last = to - 1;
    const width = Math.max(0, ...families.map((f) => f.columns.length));
    const familyIndex = new Map(families.map((f, i) => [f.name, i]));
    const size = Math.min(CHUNK_IDS, to - from);
    const stored = new Uint8Array(size);
    const family = new Int32Array(size);
    const params = new Float64Array(size * width);
    const metrics = new Float64Array(size * METRIC_COUNT);
    const errors = new Map<number, string>();
    const batches = this.db.prepare('SELECT family, ids, params, metrics FROM candidate_batches WHERE run_id = ? AND first_id <= ? AND last_id >= ? ORDER BY batch_id');
    const failures = this.db.prepare('SELECT candidate_id, family, params, error FROM candidate_failures WHERE run_id = ? AND candidate_id BETWEEN ? AND ?');
    for (let first = from; first <= last; first += size) {
      const count = Math.min(size, last + 1 - first);
      const end = first + count - 1;
      stored.fill(Stored.none);
      family.fill(-1);
      params.fill(NaN);
      metrics.fill(NaN);
      errors.clear();
      for (const b of batches.iterate(runId, end, first) as Iterable<BatchRow>) {
        const f = familyIndex.get(b.family) ?? -1;
        const d = f < 0 ? 0 : families[f].columns.length;
        const ids = int32s(b.ids);
        const P = float64s(b.params);
        const M = float64s(b.metrics);
        for (let r = 0; r < ids.length; r++) {
          const k = ids[r] - first;
          if (k < 0 || k >= count) continue;
          stored[k] = Stored.ok;
          family[k] = f;
          params.set(P.subarray(r * d, (r + 1) * d), k * width);
          metrics.set(M.subarray(r * METRIC_COUNT, (r + 1) * METRIC_COUNT), k * METRIC_COUNT);
        }
      }
      for (const x of failures.iterate(runId, first, end) as Iterable<{ candidate_id: number; family: string; params: Buffer; error: string }>) {
        const k = x.candidate_id - first;
        if (stored[k] === Stored.ok) continue;
        const f = familyIndex.get(x.family) ?? -1;
        stored[k] = Stored.failed;
        family[k] = f;
        if (f >= 0) params.set(float64s(x.params).subarray(0, families[f].columns.length), k * width);
        errors.set(x.candidate_id, x.error);
      }
      yield { first, count, width, stored, family, params: params.subarray(0, count * width), metrics: metrics.subarray(0, count * METRIC_COUNT), errors };
    }
  }
}
