/**
 * CSV reader. Header `date,open,high,low,close,volume[,ticker]` in any order, names
 * case-insensitive; one bar per line; fields are not quoted. Cells are parsed straight into
 * typed columns (no object per row), then `validateTable` checks every rule.
 */
import type { OhlcvSeries } from './types.js';
import {
  COL,
  createRawTable,
  readDataFile,
  resolveColumns,
  setDateText,
  setFileTicker,
  setNumberText,
  setTicker,
  validateTable,
  type RawTable,
  type ReadOptions,
} from './validate.js';

/** Read and validate one CSV file. @returns one series per ticker, in order of first appearance */
export function readCsv(path: string, opts: ReadOptions = {}): OhlcvSeries[] {
  return validateTable(parseCsv(readDataFile(path).toString('utf8'), path, opts));
}

/**
 * Parse CSV text into a `RawTable` (header problems throw a `DataError` at once). Data rows keep
 * their line number (header = row 1); blank lines at the end are ignored, elsewhere reported.
 * @param file name used in messages and, without extension, as the default ticker
 */
export function parseCsv(text: string, file: string, opts: ReadOptions = {}): RawTable {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let headerEnd = text.indexOf('\n', start);
  if (headerEnd < 0) headerEnd = text.length;
  const header = text.slice(start, headerEnd).replace(/\r$/, '');
  const names = header === '' ? [] : header.split(',');
  const colOf = resolveColumns(file, names, 1);
  const width = names.length;
  const t = createRawTable(file, countLines(text, headerEnd), 1);
  setFileTicker(t, colOf.includes(COL.ticker), opts);

  const fields = new Array<string>(width);
  const blankRows: number[] = [];
  let row = 1;
  for (let pos = headerEnd + 1; pos < text.length; ) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const lineStart = pos;
    pos = end + 1;
    row++;
    if (lineEnd === lineStart) {
      blankRows.push(row);
      continue;
    }
    // Blank lines followed by data are holes in the file, not a trailing newline.
    for (const r of blankRows) t.violations.push({ file, row: r, column: '*', problem: 'empty row' });
    blankRows.length = 0;

    let count = 0;
    for (let s = lineStart; ; ) {
      const comma = text.indexOf(',', s);
      const e = comma < 0 || comma > lineEnd ? lineEnd : comma;
      if (count < width) fields[count] = text.slice(s, e).trim();
      count++;
      if (e === lineEnd) break;
      s = e + 1;
    }
    if (count !== width) {
      t.violations.push({ file, row, column: '*', problem: `expected ${width} fields as in the header, found ${count}` });
      continue;
    }
    const i = t.n++;
    t.row[i] = row;
    for (let f = 0; f < width; f++) {
      const c = colOf[f];
      if (c === COL.date) setDateText(t, i, fields[f]);
      else if (c === COL.ticker) setTicker(t, i, fields[f]);
      else setNumberText(t, i, c, fields[f]);
    }
  }
  return t;
}

/** Upper bound on the data rows after the header: the number of line breaks from `from` on, plus one. */
function countLines(text: string, from: number): number {
  let n = 1;
  for (let p = text.indexOf('\n', from + 1); p >= 0; p = text.indexOf('\n', p + 1)) n++;
  return n;
}
