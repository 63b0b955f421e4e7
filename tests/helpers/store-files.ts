/** Database files for store tests: another application's database, a damaged store, and a fingerprint to prove a file untouched. */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Another application's SQLite database (rollback journal, no user_version): a table and a row. */
export function foreignDatabase(path: string): void {
  const db = new Database(path);
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada')");
  db.close();
}

/** The file's sha256 and which SQLite side files sit beside it: equal fingerprints mean untouched. */
export function fingerprint(path: string): { sha256: string; sideFiles: string[] } {
  return {
    sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
    sideFiles: ['-wal', '-shm', '-journal'].filter((s) => existsSync(path + s)),
  };
}

/**
 * Damage page 2 of a closed (checkpointed) database, the first b-tree page after the schema: its
 * page header and cell pointers are overwritten, the file header (page 1) is left intact.
 */
export function damagePage(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const head = Buffer.alloc(18);
    readSync(fd, head, 0, 18, 0);
    const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16);
    writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, pageSize);
  } finally {
    closeSync(fd);
  }
}

/**
 * Candidates a store file holds so far, ok (and failed unless `okOnly`), read through a raw
 * read-only connection: a child may still be writing, and DatabaseManager opens read-write and
 * migrates. 0 before the child has created the database or its schema.
 */
export function storedCandidates(path: string, okOnly = false): number {
  let conn: Database.Database | undefined;
  try {
    conn = new Database(path, { readonly: true, fileMustExist: true });
    const ok = conn.prepare('SELECT COALESCE(SUM(count), 0) FROM candidate_batches').pluck().get() as number;
    return okOnly ? ok : ok + (conn.prepare('SELECT COUNT(*) FROM candidate_failures').pluck().get() as number);
  } catch {
    return 0;
  } finally {
    conn?.close();
  }
}
