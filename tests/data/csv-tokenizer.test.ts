/** The one CSV tokenizer (`forEachCsvRecord` / `readCsvRecords`): RFC 4180 cases, problems, and csv-parse as an oracle. */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, forEachCsvRecord, maxRecords, readCsvRecords } from '../../src/data/csv.js';

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
