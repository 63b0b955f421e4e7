/**
 * The one CSV tokenizer (`forEachCsvRecord` / `readCsvRecords`): RFC 4180 cases, problems, and
 * csv-parse as an oracle; fed in pieces (`CsvTokenizer`) and read from a file in chunks
 * (`forEachCsvRecordInFile`), it reads what it reads from the whole text.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvTokenizer, csvField, forEachCsvRecord, forEachCsvRecordInFile, maxRecords, readCsvRecords, type CsvRecord } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';

/** [row, ...fields] of every record. */
const rows = (text: string) => readCsvRecords(text).map((r) => [r.row, ...r.fields]);

describe('RFC 4180', () => {
  it('splits records at LF and CRLF, the last one with or without a line break', () => {
    expect(rows('a,b\nc,d')).toEqual([[1, 'a', 'b'], [2, 'c', 'd']]);
    expect(rows('a,b\r\nc,d\r\n')).toEqual([[1, 'a', 'b'], [2, 'c', 'd']]);
    expect(rows('a,b\nc,d\r\ne,f\n')).toEqual([[1, 'a', 'b'], [2, 'c', 'd'], [3, 'e', 'f']]);
  });

  it('skips a byte-order mark', () => {
    expect(rows('\ufeffdate,open\r\n1,2\r\n')).toEqual([[1, 'date', 'open'], [2, '1', '2']]);
  });

  it('keeps empty fields, a trailing comma included', () => {
    expect(rows('a,,c\n,,\nx,\n')).toEqual([[1, 'a', '', 'c'], [2, '', '', ''], [3, 'x', '']]);
  });

  it('reads commas, doubled quotes and line breaks inside quoted fields', () => {
    expect(rows('"a,b","say ""hi""",c\n')).toEqual([[1, 'a,b', 'say "hi"', 'c']]);
    expect(rows('"",""""\n')).toEqual([[1, '', '"']]);
    expect(rows('x,"line 1\nline 2",y\nnext,1,2\n')).toEqual([[1, 'x', 'line 1\nline 2', 'y'], [3, 'next', '1', '2']]);
    // A CRLF inside quotes is text; the CRLF after the closing quote ends the record.
    expect(rows('"a\r\nb"\r\n"c"\r\n')).toEqual([[1, 'a\r\nb'], [3, 'c']]);
  });

  it('trims unquoted fields, keeps quoted text exactly, and ignores blanks around the quotes', () => {
    expect(rows(' a , b\t,c \n')).toEqual([[1, 'a', 'b', 'c']]);
    expect(rows('  " a " , "b"\t\n')).toEqual([[1, ' a ', 'b']]);
  });

  it('numbers a record by the line it starts on, and gives its span as written', () => {
    const text = 'h1,h2\n"multi\nline",1\n"x",2\r\n';
    const records = readCsvRecords(text);
    expect(records.map((r) => r.row)).toEqual([1, 2, 4]);
    expect(records.map((r) => text.slice(r.start, r.end))).toEqual(['h1,h2', '"multi\nline",1', '"x",2']);
  });

  it('hands on an empty line inside the text as one empty field, and drops empty lines at the end', () => {
    const records = readCsvRecords('a\n\n\r\nb\n\n\r\n\n');
    expect(records.map((r) => [r.row, r.fields, r.start === r.end])).toEqual([
      [1, ['a'], false],
      [2, [''], true],
      [3, [''], true],
      [4, ['b'], false],
    ]);
    expect(readCsvRecords('')).toEqual([]);
    expect(readCsvRecords('\n\n')).toEqual([]);
    // A line of blanks is not empty: one empty field.
    expect(rows('a\n  \n')).toEqual([[1, 'a'], [2, '']]);
  });

  it('reuses one record object: a callback keeps what it copies', () => {
    const seen: unknown[] = [];
    forEachCsvRecord('a,b\nc\n', (r) => seen.push(r));
    expect(seen[0]).toBe(seen[1]);
  });
});

describe('quoting problems', () => {
  it('reports a quote inside an unquoted field, text after a closing quote and an open quote, by field; later records are read', () => {
    const records = readCsvRecords('ok,1\nab"c,2\n"x"y,3\nfine,4\nlast,"open\nstill open');
    expect(records.map((r) => [r.row, r.problemField ?? -1, r.problem ?? ''])).toEqual([
      [1, -1, ''],
      [2, 0, 'field 1: a quote inside an unquoted field (quote the whole field, and write the quote as "")'],
      [3, 0, 'field 1: text after the closing quote of a quoted field (a quote inside a field is written "")'],
      [4, -1, ''],
      [5, 1, 'field 2: the quote opened here is not closed before the end of the file'],
    ]);
    expect(records[3].fields).toEqual(['fine', '4']);
  });
});

describe('csvField', () => {
  it('quotes only what needs it, and reads back', () => {
    const values = ['plain', 'ret, %', 'say "hi"', 'two\nlines', ' edge', ''];
    expect(values.map(csvField)).toEqual(['plain', '"ret, %"', '"say ""hi"""', '"two\nlines"', '" edge"', '']);
    expect(readCsvRecords(values.map(csvField).join(',') + '\n')[0].fields).toEqual(values);
  });
});

describe('maxRecords', () => {
  it('bounds the records from a position on', () => {
    expect(maxRecords('a\nb\nc')).toBe(3);
    expect(maxRecords('a\nb\nc\n', 2)).toBe(3);
    expect(maxRecords('')).toBe(1);
  });
});

/**
 * csv-parse's reading of `text`: [first line, ...fields] per record, or 'error'. csv-parse counts
 * a CRLF inside quotes as two lines (its \r as a line break of its own): its count is corrected by
 * the CRLFs in the fields read so far (generated texts have no other \r).
 */
function oracle(text: string): (string | number)[][] | 'error' {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes as { record, info } (the sync typings do not say so).
    records = parse(text, { bom: true, trim: true, relax_column_count: true, info: true, record_delimiter: ['\r\n', '\n'] }) as unknown as typeof records;
  } catch {
    return 'error';
  }
  let first = 1;
  let innerCrlf = 0;
  return records.map((r) => {
    const row = [first, ...r.record];
    for (const f of r.record) innerCrlf += f.split('\r\n').length - 1;
    first = r.info.lines - innerCrlf + 1;
    return row;
  });
}

/** Our reading in the oracle's terms. */
function ours(text: string): (string | number)[][] | 'error' {
  const records = readCsvRecords(text);
  return records.some((r) => r.problem !== undefined) ? 'error' : records.map((r) => [r.row, ...r.fields]);
}

describe('against csv-parse (property)', () => {
  // Field text: letters, blanks inside, commas, quotes and line breaks (which force quoting).
  const fieldText = fc.array(fc.constantFrom('a', 'b', '1', '.', ' ', ',', '"', '\n', '\r\n'), { maxLength: 6 }).map((parts) => parts.join(''));
  const field = fc.record({ text: fieldText, quote: fc.boolean(), pad: fc.constantFrom('', ' ', '\t ') }).map(({ text, quote, pad }) => {
    const needs = /[",\r\n]/.test(text) || text !== text.trim();
    const body = quote || needs ? `"${text.replaceAll('"', '""')}"` : text;
    return pad + body + pad;
  });
  // A record of one empty unquoted field would be an empty line: quote it.
  const record = fc.array(field, { minLength: 1, maxLength: 5 }).map((fs) => (fs.length === 1 && fs[0].trim() === '' ? '""' : fs.join(',')));
  const text = fc
    .record({ records: fc.array(record, { minLength: 1, maxLength: 8 }), eol: fc.constantFrom('\n', '\r\n'), bom: fc.boolean(), last: fc.boolean() })
    .map(({ records, eol, bom, last }) => (bom ? '\ufeff' : '') + records.join(eol) + (last ? eol : ''));

  it('reads well-formed text as csv-parse does: the same fields, and rows by first line', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(ours(t)).toEqual(oracle(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a quoting problem exactly where csv-parse throws', () => {
    const noise = fc.array(fc.constantFrom('a', ' ', ',', '"', '\n'), { minLength: 1, maxLength: 24 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(noise, (t) => {
        // Empty lines at the end are records for csv-parse and dropped by us, and csv-parse drops
        // a last line of blanks without a line break, which we read as one empty field: leave both out.
        // And csv-parse (7.0.3, trim on) takes `"" ""` for one empty field; we report text after the closing quote.
        fc.pre(!/\n$/.test(t) && /[^ ]$/.test(t) && !/"" +"/.test(t));
        expect(ours(t) === 'error').toBe(oracle(t) === 'error');
        if (ours(t) !== 'error') expect(ours(t)).toEqual(oracle(t));
      }),
      { numRuns: 3000 },
    );
  });
});

/** [row, ...fields, problem?] of each record, and whether it is an empty line: all a reader may use of a record read in pieces. */
function seen(r: CsvRecord): unknown[] {
  return [r.row, r.start === r.end, ...r.fields.slice(0, r.count), ...(r.problem === undefined ? [] : [r.problemField, r.problem])];
}

function wholeReading(text: string): unknown[][] {
  const out: unknown[][] = [];
  forEachCsvRecord(text, (r) => out.push(seen(r)));
  return out;
}

/** Feed `text` cut at `cuts` to one tokenizer, carrying each unfinished record into the next piece, as the file reader does. */
function piecewiseReading(text: string, cuts: readonly number[]): unknown[][] {
  const out: unknown[][] = [];
  const tokenizer = new CsvTokenizer((r) => out.push(seen(r)));
  const ends = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
  let from = 0;
  let carry = '';
  for (const end of [...ends, text.length]) {
    const piece = carry + text.slice(from, end);
    carry = piece.slice(tokenizer.push(piece, end === text.length));
    from = end;
    if (end === text.length) break;
  }
  return out;
}

describe('in pieces', () => {
  it('splits anywhere: inside a field, a quoted line break, a doubled quote, a CRLF, the BOM or a run of empty lines', () => {
    const text = '\ufeffh1,h2\r\n"multi\r\nline ""q""",1\r\n\r\n\n"x" ,2\nab"c,3\r\nlast,"open\n';
    const whole = wholeReading(text);
    expect(whole.map((r) => r[0])).toEqual([1, 2, 4, 5, 6, 7, 8]);
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b += 3) expect(piecewiseReading(text, [a, b])).toEqual(whole);
    }
  });

  it('reads any text cut anywhere as the whole text (property)', () => {
    const noise = fc.array(fc.constantFrom('a', ' ', ',', '"', '\n', '\r', '\r\n', '\ufeff'), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(noise, fc.array(fc.nat(45), { maxLength: 6 }), (t, cuts) => {
        expect(piecewiseReading(t, cuts)).toEqual(wholeReading(t));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('forEachCsvRecordInFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-csvfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fileOf = (bytes: Buffer): string => {
    const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(path, bytes);
    return path;
  };
  const inChunks = (path: string, chunkBytes: number, maxRecordChars = 1 << 20): unknown[][] => {
    const out: unknown[][] = [];
    forEachCsvRecordInFile(path, 'f.csv', (r) => out.push(seen(r)), { chunkBytes, maxRecordChars });
    return out;
  };

  it('reads every chunk size as the whole text: BOM, multi-byte characters, quoted line breaks and CRLF cut between chunks', () => {
    // 2-, 3- and 4-byte characters (é, €, 𝄞), inside and outside quotes, and a U+FEFF inside the text.
    const text = '\ufeffticker,note\r\nCAFÉ,"prix €\r\n2 lignes"\r\n𝄞,x\ufeffy\r\n\r\n"a""€",é\r\n';
    const whole = wholeReading(text);
    expect(whole[1]).toEqual([2, false, 'CAFÉ', 'prix €\r\n2 lignes']);
    const path = fileOf(Buffer.from(text, 'utf8'));
    for (let chunkBytes = 1; chunkBytes <= Buffer.byteLength(text) + 1; chunkBytes++) expect(inChunks(path, chunkBytes)).toEqual(whole);
  });

  it('reads a record longer than a chunk, and refuses one longer than the record limit at its first line', () => {
    const long = 'a'.repeat(100);
    const path = fileOf(Buffer.from(`h\nx\n"${long}\n${long}"\ny\n`));
    expect(inChunks(path, 7).map((r) => r[0])).toEqual([1, 2, 3, 5]);
    let err: unknown;
    try {
      inChunks(path, 7, 150);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).violations).toEqual([{ file: 'f.csv', row: 3, column: '*', problem: 'a record longer than 150 characters (is a quote left open?)' }]);
  });

  it('refuses invalid UTF-8 in a later chunk at its line and character', () => {
    const path = fileOf(Buffer.concat([Buffer.from('ticker,x\nCAFE,1\nCAF'), Buffer.from([0xc9]), Buffer.from(',2\n')]));
    for (const chunkBytes of [1, 4, 16, 1 << 16]) {
      expect(() => inChunks(path, chunkBytes)).toThrow('f.csv:3:4: invalid UTF-8 (byte 0xc9); the file must be UTF-8 text');
    }
  });
});
