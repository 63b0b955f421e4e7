/**
 * A run's stored candidates copied from one store into another under another run id, byte for byte:
 * its families, its batches (typed BLOBs, in their write order) and its failed candidates
 * (`candidate-tables.ts`). `pnlopt merge` joins shards this way; candidate ids are kept, so shards,
 * whose ids are disjoint blocks of one run, land side by side. Rankings and hold-out rows are not
 * copied: they belong to a ranked run, and the merged run is ranked anew.
 */
import type { DatabaseManager } from './database.js';

/**
 * Copy run `fromRun`'s candidates in `from` to run `toRun` in `to`; the caller holds `to`'s transaction.
 * @returns candidates copied (ok and failed)
 */
export function copyCandidates(from: DatabaseManager, fromRun: string, to: DatabaseManager, toRun: string): number {
  let copied = 0;
  const family = to.db.prepare('INSERT OR IGNORE INTO run_families (run_id, family, columns_json) VALUES (?, ?, ?)');
  for (const r of from.db.prepare('SELECT family, columns_json FROM run_families WHERE run_id = ? ORDER BY rowid').iterate(fromRun) as Iterable<{ family: string; columns_json: string }>) {
    family.run(toRun, r.family, r.columns_json);
  }
  const batch = to.db.prepare('INSERT INTO candidate_batches (run_id, family, first_id, last_id, count, ids, params, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const batches = from.db.prepare('SELECT family, first_id, last_id, count, ids, params, metrics FROM candidate_batches WHERE run_id = ? ORDER BY batch_id');
  for (const b of batches.iterate(fromRun) as Iterable<{ family: string; first_id: number; last_id: number; count: number; ids: Buffer; params: Buffer; metrics: Buffer }>) {
    batch.run(toRun, b.family, b.first_id, b.last_id, b.count, b.ids, b.params, b.metrics);
    copied += b.count;
  }
  const failure = to.db.prepare('INSERT INTO candidate_failures (run_id, candidate_id, family, params, error) VALUES (?, ?, ?, ?, ?)');
  for (const f of from.db.prepare('SELECT candidate_id, family, params, error FROM candidate_failures WHERE run_id = ? ORDER BY candidate_id').iterate(fromRun) as Iterable<{ candidate_id: number; family: string; params: Buffer; error: string }>) {
    failure.run(toRun, f.candidate_id, f.family, f.params, f.error);
    copied++;
  }
  return copied;
}
