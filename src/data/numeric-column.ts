/**
 * One named numeric column of any CSV with a header, read as given (no dates, no ticker, no
 * OHLCV rules): for series that are not prices, e.g. returns for `pnlopt fit --column`. The file
 * goes through the project's CSV tokenizer (strict UTF-8, quoting, BOM, CRLF, rows numbered by
 * line, header = 1). Every cell of the column must be a finite decimal number; every bad cell or
 * row is listed in one `DataError`.
 */
import { DataError, UsageError, type DataViolation } from '../errors.js';
import { displayPath } from '../paths.js';
import { csvField, forEachCsvRecordInFile } from './csv.js';
import { parseNumber } from './validate.js';

/**
 * The values of column `column` (named exactly as in the header), in file order.
 * @param flag the option that named the file, for messages (e.g. `--data`)
 */
export function readNumericColumn(path: string, column: string, flag: string): Float64Array {
  const file = displayPath(path);
  let header: string[] | undefined;
  let at = -1;
  const values: number[] = [];
  const violations: DataViolation[] = [];
  forEachCsvRecordInFile(path, file, (r) => {
    if (header === undefined) {
      header = r.fields.slice(0, r.count);
      if (r.problem !== undefined) throw new DataError([{ file, row: r.row, column: '*', problem: r.problem }]);
      at = header.indexOf(column);
      if (at < 0) throw new UsageError(`${flag} ${file}: no column ${JSON.stringify(column)}; its columns: ${header.map(csvField).join(', ')}`);
      if (header.indexOf(column, at + 1) >= 0) throw new UsageError(`${flag} ${file}: column ${JSON.stringify(column)} appears more than once in the header`);
      return;
    }
    if (r.problem !== undefined) {
      violations.push({ file, row: r.row, column: header[r.problemField] ?? '*', problem: r.problem });
      return;
    }
    if (r.count !== header.length) {
      const problem = r.start === r.end ? 'empty row' : `expected ${header.length} fields as in the header, found ${r.count}`;
      violations.push({ file, row: r.row, column: '*', problem });
      return;
    }
    const cell = r.fields[at];
    const v = parseNumber(cell);
    if (v === undefined || !Number.isFinite(v)) violations.push({ file, row: r.row, column, problem: `expected a finite number, got "${cell}"` });
    else values.push(v);
  });
  if (header === undefined) throw new UsageError(`${flag} ${file}: expected a header row naming the columns`);
  if (violations.length > 0) throw new DataError(violations);
  return Float64Array.from(values);
}
