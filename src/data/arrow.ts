/**
 * Arrow IPC reader (`.arrow`, `.feather`, `.ipc`; file or stream format). Same columns as CSV.
 * `date` may be a Date or Timestamp column, an integer or float column of epoch milliseconds, or
 * a text column in the CSV date format. Arrow has no header line, so violations count the records
 * from 1 and schema problems sit at row 0; every `DataError` from here says so.
 */
import { DataType, tableFromIPC, type Table, type Vector } from 'apache-arrow';
import { InputError, type DataViolation } from '../errors.js';
import { readDataFile } from './input.js';
import type { OhlcvSeries } from './types.js';
import {
  COL,
  COLUMNS,
  createRawTable,
  dataError,
  resolveColumns,
  setDateText,
  setFileTicker,
  setNumberValue,
  setTicker,
  setUnreadable,
  validateTable,
  type RawTable,
  type ReadOptions,
} from './validate.js';

/** Explains Arrow row numbers in every error message. */
export const ARROW_ROW_NOTE = 'row numbers in an Arrow file count its records from 1; row 0 is the schema';

/** Read and validate one Arrow IPC file. @returns one series per ticker, in order of first appearance */
export function readArrow(path: string, opts: ReadOptions = {}): OhlcvSeries[] {
  const bytes = readDataFile(path);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new InputError(`${path} is not a readable Arrow IPC file: ${(err as Error).message}`);
  }
  return validateTable(arrowToRawTable(table, path, opts));
}

/** Copy an Arrow table's columns into a `RawTable`; record i gets row i + 1. */
export function arrowToRawTable(table: Table, file: string, opts: ReadOptions = {}): RawTable {
  const fields = table.schema.fields;
  const colOf = resolveColumns(file, fields.map((f) => f.name), 0, ARROW_ROW_NOTE);
  const typeViolations: DataViolation[] = [];
  fields.forEach((field, f) => {
    const expected = typeProblem(colOf[f], field.type);
    if (expected !== undefined) {
      typeViolations.push({ file, row: 0, column: field.name, problem: `column type ${String(field.type)} is not supported; expected ${expected}` });
    }
  });
  if (typeViolations.length > 0) throw dataError(typeViolations, ARROW_ROW_NOTE);

  const n = table.numRows;
  const t = createRawTable(file, n, 0, ARROW_ROW_NOTE);
  t.n = n;
  for (let i = 0; i < n; i++) t.row[i] = i + 1;
  setFileTicker(t, colOf.includes(COL.ticker), opts);
  fields.forEach((field, f) => {
    const c = colOf[f];
    const vec: Vector = table.getChildAt(f)!;
    if (c === COL.ticker) {
      for (let i = 0; i < n; i++) setTicker(t, i, vec.get(i) as string | null);
    } else if (c === COL.date && isText(field.type)) {
      for (let i = 0; i < n; i++) {
        const text = vec.get(i) as string | null;
        if (text === null) setNumberValue(t, i, c, null);
        else setDateText(t, i, text);
      }
    } else {
      // Date and Timestamp values come back as epoch ms; 64-bit integers as bigint.
      for (let i = 0; i < n; i++) {
        let value: number | bigint | null;
        try {
          value = vec.get(i) as number | bigint | null;
        } catch (err) {
          // apache-arrow refuses to convert a 64-bit timestamp beyond 2^53 to a number.
          setUnreadable(t, i, c, `cannot read ${COLUMNS[c]}: ${(err as Error).message}`);
          continue;
        }
        setNumberValue(t, i, c, value);
      }
    }
  });
  return t;
}

/** What column `c` should hold, if `type` is not acceptable for it. */
function typeProblem(c: number, type: DataType): string | undefined {
  if (c === COL.ticker) return isText(type) ? undefined : 'text (utf8 or dictionary of utf8)';
  const numeric = DataType.isInt(type) || DataType.isFloat(type);
  if (c === COL.date) {
    const ok = numeric || DataType.isDate(type) || DataType.isTimestamp(type) || isText(type);
    return ok ? undefined : 'Date, Timestamp, epoch-ms integer or float, or YYYY-MM-DD / ISO-8601 text';
  }
  return numeric ? undefined : `integer or float for ${COLUMNS[c]}`;
}

function isText(type: DataType): boolean {
  return (
    DataType.isUtf8(type) ||
    DataType.isLargeUtf8(type) ||
    DataType.isUtf8View(type) ||
    (DataType.isDictionary(type) && isText(type.dictionary))
  );
}
