/**
 * CSV: the one tokenizer every CSV reader of the project goes through (`CsvTokenizer`, fed by
 * `forEachCsvRecord` and `forEachCsvRecordInFile`), and the OHLCV reader built on it (`readCsv` /
 * `parseCsv`).
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
 * Text is strict UTF-8 (`src/data/input.ts`). A file is read in chunks (`forEachCsvRecordInFile`),
 * so its size is not bounded by V8's longest string (about 512 MiB).
 *
 * The tokenizer is hand-written: the csv-parse package (7.0.3) took 5-7 s just to tokenize a
 * 1,000,000-bar file (70 MB) that the OHLCV reader tokenizes in about 0.25 s and parses into typed
 * columns in about 1.5 s. The tests check it against csv-parse on generated texts.
 */
import { DataError } from '../errors.js';
import { forEachTextChunk, TEXT_CHUNK_BYTES } from './input.js';
import type { OhlcvSeries } from './types.js';
import {
  COL,
  createRawTable,
  dataError,
  growRawTable,
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
  /** [start, end) of the record in the text (the piece, see `CsvTokenizer.push`), as written, without its line break. */
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
 * The tokenizer, fed text in pieces (`push`): a record may be split between pieces anywhere, a
 * quoted field's line breaks and a CRLF included. It keeps the row count and the empty lines not
 * yet handed on; `forEachCsvRecord` feeds it one whole text, `forEachCsvRecordInFile` a file's chunks.
 */
export class CsvTokenizer {
  private readonly rec: CsvRecord = { fields: [], count: 0, row: 0, start: 0, end: 0, problem: undefined, problemField: -1 };
  /** Line of the file the next record starts on. */
  private line = 1;
  /** Empty lines not yet handed on (dropped if only empty lines follow them): how many, from which line. */
  private blanks = 0;
  private blankFrom = 0;
  private started = false;

  constructor(private readonly onRecord: (record: CsvRecord) => void) {}

  /** Line of the file the next record starts on (the one a piece left unfinished). */
  get nextRow(): number {
    return this.line;
  }

  /**
   * Tokenize `text`, the file's next piece, handing on every record that ends in it (`start` and
   * `end` are positions in `text`; an empty line is handed on when the next record starts, with
   * `start === end`). Unless `final`, the record the piece may end inside is left: the caller
   * passes `text.slice(returned)` again, ahead of the next piece.
   * @returns where the unfinished record starts (`text.length` when there is none)
   */
  push(text: string, final: boolean): number {
    const len = text.length;
    const rec = this.rec;
    const fields = rec.fields;
    const onRecord = this.onRecord;
    let pos = 0;
    if (!this.started && len > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) pos = 1;
    }
    let line = this.line;
    // One pass of charCodeAt over the text. (String.prototype.indexOf was tried for the line and
    // comma search: under Node 20 its optimized code sometimes became ~100x slower on a 70 MB text.)
    while (pos < len) {
      let c = text.charCodeAt(pos);
      if (c === LF || (c === CR && (pos + 1 === len || text.charCodeAt(pos + 1) === LF))) {
        // A CR at the end of a piece may be the first half of a CRLF.
        if (c === CR && pos + 1 === len && !final) break;
        if (this.blanks === 0) this.blankFrom = line;
        this.blanks++;
        line++;
        pos += c === LF ? 1 : 2;
        continue;
      }
      // Not the end of the text: the empty lines before this record are inside it.
      for (; this.blanks > 0; this.blanks--) {
        fields[0] = '';
        setRecord(rec, 1, this.blankFrom++, pos, pos);
        onRecord(rec);
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
      // p is at the record's \n, or at the end of the text: there, only the last piece ends the record.
      if (p >= len && !final) break;
      rec.count = count;
      rec.row = line;
      rec.start = pos;
      rec.end = p > pos && text.charCodeAt(p - 1) === CR ? p - 1 : p;
      line += 1 + innerLines;
      onRecord(rec);
      pos = p + 1;
    }
    this.line = line;
    return Math.min(pos, len);
  }
}

/**
 * Tokenize CSV text (dialect in the file header), calling `onRecord` once per record in file order.
 * Nothing is allocated per record but its field strings.
 */
export function forEachCsvRecord(text: string, onRecord: (record: CsvRecord) => void): void {
  new CsvTokenizer(onRecord).push(text, true);
}

/** How `forEachCsvRecordInFile` reads a file (tests make both small). */
export interface CsvChunking {
  /** Bytes read at a time. */
  chunkBytes: number;
  /** The longest record read, in characters: a longer one is most likely a quote left open. */
  maxRecordChars: number;
}

export const CSV_CHUNKING: CsvChunking = { chunkBytes: TEXT_CHUNK_BYTES, maxRecordChars: 64 << 20 };

/**
 * Tokenize a CSV file as `forEachCsvRecord` does its text, reading `chunking.chunkBytes` at a time (strict
 * UTF-8: `forEachTextChunk`), so no string holds more than a chunk plus the record it cut: files
 * longer than V8's longest string are read too. A record's `start` / `end` are positions in a
 * piece of text the callback does not see: only `start === end` (an empty line) tells anything.
 * @param file name used in messages
 */
export function forEachCsvRecordInFile(path: string, file: string, onRecord: (record: CsvRecord) => void, chunking = CSV_CHUNKING): void {
  const tokenizer = new CsvTokenizer(onRecord);
  forEachTextChunk(
    path,
    file,
    (text, final) => {
      const unused = text.length - tokenizer.push(text, final);
      if (unused > chunking.maxRecordChars) {
        const problem = `a record longer than ${chunking.maxRecordChars} characters (is a quote left open?)`;
        throw new DataError([{ file, row: tokenizer.nextRow, column: '*', problem }]);
      }
      return unused;
    },
    chunking.chunkBytes,
  );
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

/**
 * Read and validate one CSV file, in chunks (`forEachCsvRecordInFile`).
 * @returns one series per ticker, in order of first appearance
 */
export function readCsv(path: string, opts: ReadOptions = {}, chunking = CSV_CHUNKING): OhlcvSeries[] {
  const reader = ohlcvRecords(path, opts);
  forEachCsvRecordInFile(path, path, reader.onRecord, chunking);
  return validateTable(reader.table());
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
  const reader = ohlcvRecords(file, opts);
  forEachCsvRecord(text, reader.onRecord);
  return reader.table();
}

/** The record callback that fills an OHLCV `RawTable` (`parseCsv`), and the table once every record is in. */
function ohlcvRecords(file: string, opts: ReadOptions): { onRecord: (r: CsvRecord) => void; table: () => RawTable } {
  let t: RawTable | undefined;
  let colOf: number[] = [];
  let names: string[] = [];
  let width = 0;
  const onRecord = (r: CsvRecord): void => {
    if (t === undefined) {
      if (r.problem !== undefined) throw dataError([{ file, row: r.row, column: '*', problem: r.problem }]);
      names = r.start === r.end ? [] : r.fields.slice(0, r.count);
      colOf = resolveHeader(file, names, r.row, opts.note);
      width = names.length;
      t = createRawTable(file, 1024, r.row);
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
      if (t.n === t.row.length) growRawTable(t);
      const i = t.n++;
      t.row[i] = row;
      for (let f = 0; f < width; f++) {
        const c = colOf[f];
        if (c === COL.date) setDateText(t, i, fields[f]);
        else if (c === COL.ticker) setTicker(t, i, fields[f]);
        else if (c >= 0) setNumberText(t, i, c, fields[f]);
      }
    }
  };
  const table = (): RawTable => {
    if (t === undefined) {
      // No header at all (an empty file): report the missing columns.
      resolveHeader(file, [], 1, opts.note);
      throw new Error('unreachable: a header without columns is rejected');
    }
    return t;
  };
  return { onRecord, table };
}

/** Upper bound on the records of `text` from position `from` on: the line breaks there, plus one. */
export function maxRecords(text: string, from = 0): number {
  let n = 1;
  for (let p = text.indexOf('\n', from); p >= 0; p = text.indexOf('\n', p + 1)) n++;
  return n;
}
