/**
 * `pnlopt report` through the built CLI: bad input is exit 2 with a clear message and nothing
 * written (an unknown run id, a database without runs, a missing database, an --out that cannot be
 * written), and a run whose config and data cannot be restored still gets its page, saying why the
 * simulated sections are missing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCliInProcess } from '../../helpers/cli.js';

// The compiled store, as the in-process CLI opens it.
const { DatabaseManager } = (await import(join(ROOT, 'dist', 'src', 'store', 'database.js'))) as typeof import('../../../src/store/database.js');
const { MIGRATIONS } = (await import(join(ROOT, 'dist', 'src', 'store', 'migrations.js'))) as typeof import('../../../src/store/migrations.js');
const { RunStore } = (await import(join(ROOT, 'dist', 'src', 'store', 'run-store.js'))) as typeof import('../../../src/store/run-store.js');

describe('pnlopt report', () => {
  let dir: string;
  let empty: string;
  let db: string;
  let runId: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pnlopt-report-'));
    empty = join(dir, 'empty.db');
    new DatabaseManager(empty, MIGRATIONS, 'write').close();
    db = join(dir, 'runs.db');
    const dbm = new DatabaseManager(db, MIGRATIONS, 'write');
    try {
      // A run record with no candidates and no invocation: what an evaluate or a killed run may leave.
      runId = new RunStore(dbm).createRun({ command: 'optimize', family: 'sma_cross', optimizer: 'lhs', seed: '1', configHash: 'c', dataHash: 'd', codeVersion: 'v', sampler: {}, dataWindow: {}, budget: 3 });
    } finally {
      dbm.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an unknown run id: exit 2, naming it', async () => {
    const r = await runCliInProcess(['report', '--db', db, '--run', 'nope', '--out', join(dir, 'a.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`run nope: no such run in ${db}`);
    expect(existsSync(join(dir, 'a.html'))).toBe(false);
  });

  it('refuses a database without runs, and a missing one: exit 2', async () => {
    const r = await runCliInProcess(['report', '--db', empty, '--run', 'x', '--out', join(dir, 'b.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${empty}: no runs stored yet`);
    const missing = await runCliInProcess(['report', '--db', join(dir, 'none.db'), '--run', 'x', '--out', join(dir, 'b.html')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('none.db: no such file');
    expect(existsSync(join(dir, 'b.html'))).toBe(false);
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
  });

  it('refuses an --out that cannot be written: exit 2, naming it', async () => {
    const out = join(dir, 'no-folder', 'r.html');
    const r = await runCliInProcess(['report', '--db', db, '--run', runId, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out ${out}: the folder ${join(dir, 'no-folder')} does not exist`);
    const folder = await runCliInProcess(['report', '--db', db, '--run', runId, '--out', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('is a folder, not a file');
  });

  it('writes the page of a run it cannot re-simulate, saying why, by a unique id prefix', async () => {
    const out = join(dir, 'r.html');
    const r = await runCliInProcess(['report', '--db', db, '--run', runId.slice(0, 8), '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ run_id: runId, out });
    const html = readFileSync(out, 'utf8');
    // Booleans, not toContain: a failure would print the whole page with its inlined library.
    expect(html.includes('No candidate with metrics is stored for this run')).toBe(true);
    expect(html.includes('the run recorded no settings to restore its config and data from')).toBe(true);
    expect(html.includes('<div class="chart"')).toBe(false);
  });
});
