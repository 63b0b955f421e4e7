/** `findRun`: the run of an exact id or of a unique id prefix; anything else is a usage error naming it. */
import { describe, expect, it } from 'vitest';
import { findRun } from '../../../src/cli/commands/runs.js';
import { UsageError } from '../../../src/errors.js';
import { DatabaseManager } from '../../../src/store/database.js';
import { RunStore, type NewRun } from '../../../src/store/run-store.js';

const run: NewRun = {
  command: 'pnlopt evaluate --strategy sma_cross', family: 'sma_cross', optimizer: null, seed: null,
  configHash: 'c'.repeat(64), dataHash: 'd'.repeat(64), codeVersion: '0.1.0',
  sampler: { candidates_csv: 'in.csv', sha256: 'e'.repeat(64), candidates: 1 }, dataWindow: { start: 0, end: 10 }, budget: 1,
};

describe('findRun', () => {
  const store = new RunStore(new DatabaseManager(':memory:'));
  for (const id of ['4998baf9-1', '4998baf9', '36605c90-a', '36605c91-b']) store.createRun(run, id);
  const open = { path: 'runs.db', store, cfg: undefined };

  it('prefers an exact id over a longer id it is a prefix of', () => {
    expect(findRun(open, '4998baf9').run_id).toBe('4998baf9');
  });

  it('resolves a unique prefix', () => {
    expect(findRun(open, '36605c90').run_id).toBe('36605c90-a');
    expect(findRun(open, '4998baf9-').run_id).toBe('4998baf9-1');
  });

  it('refuses a prefix two runs share, an unknown id and an empty one, naming the store', () => {
    expect(() => findRun(open, '36605c9')).toThrow(new UsageError('run 36605c9: more than one run id starts with it in runs.db; give more of the id'));
    expect(() => findRun(open, 'ffff')).toThrow(/run ffff: no such run in runs\.db/);
    expect(() => findRun(open, '')).toThrow(/no such run/);
  });
});
