/** Candidates CSV in (every bad row reported by its line number) and out (input rows, input order, metrics appended). */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import type { PnloptConfig } from '../../src/config/load.js';
import { DataError, InputError } from '../../src/errors.js';
import { formatMetric, parseCandidatesCsv, readCandidatesCsv, writeResultsCsv } from '../../src/data/candidates-csv.js';
import { paramLayout } from '../../src/config/param-layout.js';
import { readCsvRecords } from '../../src/data/csv.js';
import { FIXTURES } from '../fixtures/pool/setup.js';
import { testConfig } from '../helpers/config.js';

const sma = paramLayout(testConfig(), 'sma_cross', []);

/** A family of its own, so the test does not follow the shipped search spaces: a categorical and a conditional parameter. */
const toy = paramLayout(
  {
    files: { strategy: 'toy.yml' },
    strategy: {
    param_groups: {},
    families: {
      toy: {
        kernel: 'sma_cross',
        groups: [],
        params: {
          n: { type: 'int', low: 1, high: 10 },
          mode: { type: 'categorical', choices: ['calm', 'wild'] },
          level: { type: 'uniform', low: 0, high: 1, when: { mode: 'wild' } },
        },
        constraints: [],
      },
    },
  },
  } as unknown as PnloptConfig,
  'toy',
  [],
);

function violations(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as DataError).violations.map((v) => `${v.row}:${v.column}: ${v.problem}`);
  }
  throw new Error('expected a DataError');
}

describe('readCandidatesCsv', () => {
  it('refuses a file that is not UTF-8 at its line and character', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-cand-latin1-'));
    const path = join(dir, 'latin1.csv');
    writeFileSync(path, Buffer.from('fast,slow\n5,20\n"café",30\n', 'latin1'));
    try {
      expect(violations(() => readCandidatesCsv(path, sma))).toEqual(['3:5: invalid UTF-8 (byte 0xe9); the file must be UTF-8 text']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every bad row by its line number, all at once', () => {
    expect(violations(() => readCandidatesCsv(join(FIXTURES, 'sma_bad_rows.csv'), sma))).toEqual([
      '3:*: slow = 3 is out of range: expected an integer in [5, 300]',
      '4:*: fast = 1 is out of range: expected an integer in [2, 100]',
      '5:*: fast: expected a number, got "abc"',
      '6:*: expected 2 fields as in the header, found 3',
      '8:*: missing parameter fast',
      '9:*: fast < slow is required, got fast = 20 and slow = 20',
    ]);
  });

  it('names the file and row in the message', () => {
    expect(() => readCandidatesCsv(join(FIXTURES, 'sma_bad_rows.csv'), sma)).toThrow(/sma_bad_rows\.csv:3:\*: slow = 3 is out of range/);
  });

  it('checks the header first: unknown, repeated and missing columns', () => {
    expect(violations(() => readCandidatesCsv(join(FIXTURES, 'sma_bad_header.csv'), sma))).toEqual([
      '1:slowest: unknown parameter "slowest" for sma_cross; its parameters: fast, slow',
      '1:fast: column "fast" appears twice',
      '1:slow: missing column "slow"',
    ]);
    expect(violations(() => parseCandidatesCsv('', 'empty.csv', sma, ''))).toEqual(['1:*: expected a header of parameter names: fast, slow']);
    expect(() => readCandidatesCsv(join(FIXTURES, 'no-such-file.csv'), sma)).toThrow(InputError);
  });

  it('reads categorical choices by name and empty cells as inactive parameters; CRLF and a trailing blank line are fine', () => {
    const t = readCandidatesCsv(join(FIXTURES, 'toy_candidates.csv'), toy);
    expect(t.n).toBe(3);
    // Columns n, mode (index of the choice), level (NaN when mode is calm).
    expect([...t.X]).toEqual([3, 0, NaN, 4, 1, 0.25, 5, 1, 0.1]);
    expect(t.header).toBe('n,mode,level');
    expect(t.text.slice(t.lineStart[2], t.lineEnd[2])).toBe(' 5 , wild , 1e-1 ');
    expect(t.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports conditional and categorical problems, and blank lines inside the file', () => {
    expect(violations(() => readCandidatesCsv(join(FIXTURES, 'toy_bad.csv'), toy))).toEqual([
      '2:*: level only applies when mode is wild',
      '3:*: missing parameter level',
      '4:*: mode: expected one of calm, wild, got "stormy"',
      '5:*: empty row',
    ]);
  });
});

describe('formatMetric', () => {
  it('writes nan and inf, and every finite double so that it reads back exactly (property)', () => {
    expect([NaN, Infinity, -Infinity, 0.1, -2, 1e21].map(formatMetric)).toEqual(['nan', 'inf', '-inf', '0.1', '-2', '1e+21']);
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Number(formatMetric(x))).toBe(x === 0 ? 0 : x); // the sign of zero is not kept
      }),
    );
  });
});

describe('writeResultsCsv', () => {
  it('repeats the input rows in input order with the metrics appended; a row without metrics gets empty cells', () => {
    const t = readCandidatesCsv(join(FIXTURES, 'toy_candidates.csv'), toy);
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-out-'));
    const out = join(dir, 'out.csv');
    const m0 = Float64Array.from({ length: METRIC_COUNT }, (_, j) => j + 0.5);
    const m2 = new Float64Array(METRIC_COUNT).fill(NaN);
    m2[1] = Infinity;
    // Two blocks, as the store reads them: candidates 0-1 (1 not stored) and 2.
    const first = new Float64Array(2 * METRIC_COUNT).fill(7);
    first.set(m0);
    writeResultsCsv(out, t, [
      { first: 0, count: 2, stored: Uint8Array.of(1, 0), metrics: first },
      { first: 2, count: 1, stored: Uint8Array.of(1), metrics: m2 },
    ]);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines[0]).toBe(`n,mode,level,${METRIC_NAMES.join(',')}`);
    expect(lines[1]).toBe(`3,calm,,${[...m0].join(',')}`);
    expect(lines[2]).toBe(`4,wild,0.25${','.repeat(METRIC_COUNT)}`);
    expect(lines[3]).toBe(` 5 , wild , 1e-1 ,nan,inf,${Array<string>(METRIC_COUNT - 2).fill('nan').join(',')}`);
    expect(lines.slice(4)).toEqual(['']);
    expect(readdirSync(dir)).toEqual(['out.csv']); // the temp file was renamed away
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('inputs people have', () => {
  it('ignores the unnamed index column of a pandas to_csv() file, and echoes it in the results', () => {
    const t = parseCandidatesCsv(',fast,slow\n0,5,20\n1,10,50\n', 'pandas.csv', sma, '');
    expect([t.n, ...t.X]).toEqual([2, 5, 20, 10, 50]);
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-out-'));
    const out = join(dir, 'out.csv');
    writeResultsCsv(out, t, [{ first: 1, count: 1, stored: Uint8Array.of(1), metrics: new Float64Array(METRIC_COUNT).fill(1) }]);
    const back = readCsvRecords(readFileSync(out, 'utf8'));
    expect(back.map((r) => r.fields.slice(0, 3))).toEqual([['', 'fast', 'slow'], ['0', '5', '20'], ['1', '10', '50']]);
    expect(back[0].fields.slice(3)).toEqual([...METRIC_NAMES]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads quoted fields, a BOM and CRLF', () => {
    const t = parseCandidatesCsv('\ufeff"n","mode","level"\r\n3,"calm",\r\n"4", "wild" ,"0.25"\r\n', 'q.csv', toy, '');
    expect([...t.X]).toEqual([3, 0, NaN, 4, 1, 0.25]);
    expect(t.header).toBe('"n","mode","level"');
    expect(t.text.slice(t.lineStart[1], t.lineEnd[1])).toBe('"4", "wild" ,"0.25"');
  });

  it('numbers rows by the line a record starts on, and locates quoting problems by column', () => {
    const text = 'n,mode,level\n3,"ca\nlm",\n4,wi"ld,0.5\n5,wild,x\n';
    expect(violations(() => parseCandidatesCsv(text, 'bad.csv', toy, ''))).toEqual([
      '2:*: mode: expected one of calm, wild, got "ca\nlm"',
      '4:mode: field 2: a quote inside an unquoted field (quote the whole field, and write the quote as "")',
      '5:*: level: expected a number, got "x"',
    ]);
  });
});
