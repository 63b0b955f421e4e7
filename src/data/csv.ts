/**
 * CSV: the one tokenizer every CSV reader of the project goes through (`forEachCsvRecord`), and
 * the OHLCV reader built on it (`readCsv` / `parseCsv`).
 *
 * The dialect is RFC 4180 with the leniencies of common writers (Excel, pandas, Yahoo):
 * - fields are separated by `,` and records end at `\n` or `\r\n`; a leading byte-order mark is
 *   skipped; the last record may lack its line break;
 * - a field that starts with `"` (after optional spaces or tabs) is quoted: it ends at the next
 *   lone `"`, may hold commas and line breaks, and reads `""` as one `"`; its text is kept exactly,
 *   and spaces or tabs after the closing quote are ignored;
 * - an unquoted field is trimmed of surrounding white space (`String.prototype.trim`);
 * - a `"` inside an unquoted field, text after a closing quote, and a quote left open at the end of
 *   the file break the record: it is still handed on, read leniently, with `problem` set;
 * - an empty line inside the text is a record of one empty field (`start === end`: the OHLCV and
 *   candidates readers report it as an empty row; pareto reads it as an empty cell when the file
 *   has one column); empty lines at the end of the text are dropped;
 * - a lone \r (not before \n) is text.
 *
 * Row numbers are line numbers of the file (the header, on the first line, is row 1). A record
 * whose quoted field spans several lines is numbered by the line it starts on, so the next record's
 * row is its own first line too, and a row number is always a line an editor can jump to.
 *
 * The tokenizer is hand-written: the csv-parse package (7.0.3) took 5-7 s just to tokenize a
 * 1,000,000-bar file (70 MB) that the OHLCV reader tokenizes in about 0.25 s and parses into typed
 * columns in about 1.5 s. The tests check it against csv-parse on generated texts.
 */
import type { OhlcvSeries } from './types.js';
import {
  COL,
  createRawTable,
  dataError,
  readDataFile,
  resolveHeader,
  setDateText,
  setFileTicker,
  setNumberText,
  setTicker,
  validateTable,
  type RawTable,
  type ReadOptions,
} from './validate.js';

/**
 * One record, as handed to a `forEachCsvRecord` callback. The callback gets the same object (and
 * the same `fields` array) for every record: copy what it keeps.
 */
export interface CsvRecord {
  /** The values are `fields[0 .. count)`; entries past `count` are left over from earlier records. */
  readonly fields: string[];
  count: number;
  /** Line of the file the record starts on (the first line is 1). */
  row: number;
  /** [start, end) of the record in the text, as written, without its line break. */
  start: number;
  end: number;
  /** Why the record breaks the quoting rules, if it does (its fields are then read leniently). */
  problem: string | undefined;
  /** 0-based index of the field the problem is in (-1 without a problem). */
  problemField: number;
}

/** A record kept by `readCsvRecords`. */
export interface CsvRow {
  row: number;
  fields: string[];
  start: number;
  end: number;
  problem?: string;
  problemField?: number;
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;

/**
 * Tokenize CSV text (dialect in the file header), calling `onRecord` once per record in file order.
 * Nothing is allocated per record but its field strings.
 */
export function forEachCsvRecord(text: string, onRecord: (record: CsvRecord) => void): void {
  const len = text.length;
  const rec: CsvRecord = { fields: [], count: 0, row: 0, start: 0, end: 0, problem: undefined, problemField: -1 };
  const fields = rec.fields;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  // Empty lines not yet handed on: they are dropped if only empty lines follow them.
  let blankFrom = 0;
  const blankAt: number[] = [];
  // One pass of charCodeAt over the text. (String.prototype.indexOf was tried for the line and
  // comma search: under Node 20 its optimized code sometimes became ~100x slower on a 70 MB text.)
  while (pos < len) {
    let c = text.charCodeAt(pos);
    if (c === LF || (c === CR && (pos + 1 === len || text.charCodeAt(pos + 1) === LF))) {
      if (blankAt.length === 0) blankFrom = line;
      blankAt.push(pos);
      line++;
      pos += c === LF ? 1 : 2;
      continue;
    }
    if (blankAt.length > 0) {
      for (let b = 0; b < blankAt.length; b++) {
        fields[0] = '';
        setRecord(rec, 1, blankFrom + b, blankAt[b], blankAt[b]);
        onRecord(rec);
      }
      blankAt.length = 0;
    }
    rec.problem = undefined;
    rec.problemField = -1;
    let count = 0;
    let innerLines = 0;
    let p = pos;
    for (;;) {
      // One field, from p.
      const s = p;
      while (p < len && (c = text.charCodeAt(p)) !== COMMA && c !== LF && c !== QUOTE) p++;
      let value: string;
      if (p < len && c === QUOTE && onlyBlanks(text, s, p)) {
        // A quoted field: "" is one quote; commas and line breaks are text.
        let q = p + 1;
        let seg = q;
        value = '';
        for (;;) {
          while (q < len && (c = text.charCodeAt(q)) !== QUOTE) {
            if (c === LF) innerLines++;
            q++;
          }
          if (q >= len) {
            fail(rec, count, `field ${count + 1}: the quote opened here is not closed before the end of the file`);
            value += text.slice(seg, len);
            break;
          }
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(seg, q + 1);
            q += 2;
            seg = q;
            continue;
          }
          value += text.slice(seg, q);
          q++;
          break;
        }
        while (q < len && ((c = text.charCodeAt(q)) === SPACE || c === TAB)) q++;
        if (q < len && c === CR && (q + 1 === len || text.charCodeAt(q + 1) === LF)) {
          q++; // now at the line break's \n (or the end)
          c = LF;
        } else if (q < len && c !== COMMA && c !== LF) {
          fail(rec, count, `field ${count + 1}: text after the closing quote of a quoted field (a quote inside a field is written "")`);
          const from = q;
          while (q < len && (c = text.charCodeAt(q)) !== COMMA && c !== LF) q++;
          value += text.slice(from, q).trim();
        }
        p = q;
      } else {
        if (p < len && c === QUOTE) {
          fail(rec, count, `field ${count + 1}: a quote inside an unquoted field (quote the whole field, and write the quote as "")`);
          while (p < len && (c = text.charCodeAt(p)) !== COMMA && c !== LF) p++;
        }
        value = text.slice(s, p).trim();
      }
      fields[count++] = value;
      if (p < len && c === COMMA) {
        p++;
        continue;
      }
      break;
    }
    // p is at the record's \n, or at the end of the text.
    rec.count = count;
    rec.row = line;
    rec.start = pos;
    rec.end = p > pos && text.charCodeAt(p - 1) === CR ? p - 1 : p;
    line += 1 + innerLines;
    onRecord(rec);
    pos = p + 1;
  }
}

/** Every record of `text` as its own object (for small files; large ones use `forEachCsvRecord`). */
export function readCsvRecords(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  forEachCsvRecord(text, (r) => {
    const row: CsvRow = { row: r.row, fields: r.fields.slice(0, r.count), start: r.start, end: r.end };
    if (r.problem !== undefined) {
      row.problem = r.problem;
      row.problemField = r.problemField;
    }
    rows.push(row);
  });
  return rows;
}

/** `value` as one CSV field: quoted (with `"` doubled) when it holds a comma, quote, line break or edge white space. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function setRecord(rec: CsvRecord, count: number, row: number, start: number, end: number): void {
  rec.count = count;
  rec.row = row;
  rec.start = start;
  rec.end = end;
  rec.problem = undefined;
  rec.problemField = -1;
}

/** Whether text[from, to) is only spaces and tabs (what may precede an opening quote). */
function onlyBlanks(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

/** Keep the record's first quoting problem. */
function fail(rec: CsvRecord, field: number, problem: string): void {
  if (rec.problem !== undefined) return;
  rec.problem = problem;
  rec.problemField = field;
}

/** Read and validate one CSV file. @returns one series per ticker, in order of first appearance */
export function readCsv(path: string, opts: ReadOptions = {}): OhlcvSeries[] {
  return validateTable(parseCsv(readDataFile(path).toString('utf8'), path, opts));
}

/**
 * Parse OHLCV CSV text into a `RawTable`, cells straight into typed columns (no object per row).
 * The header names the columns in any order (see `resolveHeader`: aliases such as `Datetime` or
 * `Vol`, a leading unnamed index column and extra columns such as `Adj Close` are ignored, the
 * extra ones with one note through `opts.note`); header problems throw a `DataError` at once.
 * Data rows keep their row number (see the file header); an empty line inside the data, a wrong
 * field count and a quoting problem are reported by `validateTable` with the rest.
 * @param file name used in messages and, without extension, as the default ticker
 */
export function parseCsv(text: string, file: string, opts: ReadOptions = {}): RawTable {
  let t: RawTable | undefined;
  let colOf: number[] = [];
  let names: string[] = [];
  let width = 0;
  forEachCsvRecord(text, (r) => {
    if (t === undefined) {
      if (r.problem !== undefined) throw dataError([{ file, row: r.row, column: '*', problem: r.problem }]);
      names = r.start === r.end ? [] : r.fields.slice(0, r.count);
      colOf = resolveHeader(file, names, r.row, opts.note);
      width = names.length;
      t = createRawTable(file, maxRecords(text, r.end + 1), r.row);
      setFileTicker(t, colOf.includes(COL.ticker), opts);
      return;
    }
    const { row, fields, count } = r;
    if (r.problem !== undefined) {
      t.violations.push({ file, row, column: names[r.problemField] ?? '*', problem: r.problem });
    } else if (r.start === r.end) {
      t.violations.push({ file, row, column: '*', problem: 'empty row' });
    } else if (count !== width) {
      t.violations.push({ file, row, column: '*', problem: `expected ${width} fields as in the header, found ${count}` });
    } else {
      const i = t.n++;
      t.row[i] = row;
      for (let f = 0; f < width; f++) {
        const c = colOf[f];
        if (c === COL.date) setDateText(t, i, fields[f]);
        else if (c === COL.ticker) setTicker(t, i, fields[f]);
        else if (c >= 0) setNumberText(t, i, c, fields[f]);
      }
    }
  });
  if (t === undefined) {
    // No header at all (an empty file): report the missing columns.
    resolveHeader(file, [], 1, opts.note);
    throw new Error('unreachable: a header without columns is rejected');
  }
  return t;
}

/** Upper bound on the records of `text` from position `from` on: the line breaks there, plus one. */
export function maxRecords(text: string, from = 0): number {
  let n = 1;
  for (let p = text.indexOf('\n', from); p >= 0; p = text.indexOf('\n', p + 1)) n++;
  return n;
}
