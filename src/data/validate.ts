/**
 * Validation shared by every data reader. A reader fills a `RawTable` (columns as read, one record
 * per data row, NaN where a cell could not be read, with the reason kept in `cellProblems`), and
 * `validateTable` puts timestamps in canonical form (`canonicalDays`), checks every rule on every
 * row, collecting all violations before it throws one `DataError`, or splits the table into one
 * shared-memory `OhlcvSeries` per ticker.
 */
import { basename, extname } from 'node:path';
import { DataError, UsageError, type DataViolation } from '../errors.js';
import { escapeControl } from '../terminal-text.js';
import { sharedFloat64 } from './shared.js';
import type { OhlcvSeries } from './types.js';

/** Every column a data file may have, in canonical order; all but `ticker` are required. */
export const COLUMNS = ['date', 'open', 'high', 'low', 'close', 'volume', 'ticker'] as const;

/** Index of each column in `COLUMNS` and in `RawTable.columns`. */
export const COL = { date: 0, open: 1, high: 2, low: 3, close: 4, volume: 5, ticker: 6 } as const;

const NCOL = COLUMNS.length;
const REQUIRED = COLUMNS.filter((c) => c !== 'ticker');
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** `RawTable.midnightOffset` of a timestamp written with a time of day other than midnight. */
const NOT_MIDNIGHT = -0x8000;

/** Columns of one file as read, before validation; record i is the i-th data row. */
export interface RawTable {
  readonly file: string;
  /** Row number of the header (1 for CSV, 0 for the Arrow schema), for file-level problems. */
  readonly headerRow: number;
  /** Appended to error messages when row numbers need explaining (Arrow). */
  readonly rowNote: string | undefined;
  /** Records read so far; the arrays below have room for more (`growRawTable`). */
  n: number;
  /** File row number of each record. */
  row: Int32Array;
  /** time (epoch ms), open, high, low, close, volume, indexed by `COL`; a cell that could not be read is NaN. */
  readonly columns: Float64Array[];
  /**
   * Per record, the UTC offset in minutes its date was written in, when it was written as a date or
   * as midnight (`2000-01-03`: 0, `2000-01-03T00:00:00-05:00`: -300), else `NOT_MIDNIGHT`. Values
   * read as instants (Arrow dates, timestamps and numbers) keep 0. See `canonicalDays`.
   */
  midnightOffset: Int16Array;
  /** Index into `tickers` per record; -1 when the ticker cell could not be read. */
  tickerId: Int32Array;
  /** Ticker names in order of first appearance, with their index. */
  readonly tickers: Map<string, number>;
  /** Why a cell holds NaN, keyed by `record * COLUMNS.length + column`, when the reader knows. */
  readonly cellProblems: Map<number, string>;
  /** Problems with rows the reader dropped (e.g. a wrong field count). */
  readonly violations: DataViolation[];
}

/** Options every reader takes. */
export interface ReadOptions {
  /** Ticker for a file without a ticker column; defaults to the file's base name without extension. */
  ticker?: string;
  /** Where a reader's notes go (e.g. the CSV columns it ignores); default: a `pnlopt: ...` line on standard error. */
  note?: (message: string) => void;
}

/** An empty table with room for `capacity` records. */
export function createRawTable(file: string, capacity: number, headerRow: number, rowNote?: string): RawTable {
  return {
    file,
    headerRow,
    rowNote,
    n: 0,
    row: new Int32Array(capacity),
    columns: Array.from({ length: COL.volume + 1 }, () => new Float64Array(capacity)),
    midnightOffset: new Int16Array(capacity),
    tickerId: new Int32Array(capacity),
    tickers: new Map(),
    cellProblems: new Map(),
    violations: [],
  };
}

/** Room for at least twice the records `t` has room for (a reader that cannot count its records in advance grows it when full). */
export function growRawTable(t: RawTable): void {
  const capacity = Math.max(16, 2 * t.row.length);
  t.row = copyInto(t.row, new Int32Array(capacity));
  t.tickerId = copyInto(t.tickerId, new Int32Array(capacity));
  t.midnightOffset = copyInto(t.midnightOffset, new Int16Array(capacity));
  for (let c = 0; c < t.columns.length; c++) t.columns[c] = copyInto(t.columns[c], new Float64Array(capacity));
}

function copyInto<T extends { set(from: ArrayLike<number>): void }>(from: ArrayLike<number>, to: T): T {
  to.set(from);
  return to;
}

/** A `DataError` whose message ends with `note` when given. */
export function dataError(violations: readonly DataViolation[], note?: string): DataError {
  const err = new DataError(violations);
  if (note !== undefined) err.message += `\n(${note})`;
  return err;
}

/**
 * Map a file's column names (exactly the names in `COLUMNS`, case-insensitive: the Arrow reader)
 * to `COL` indices, or throw one `DataError` listing every missing, unknown or repeated column.
 * @returns the `COL` index of each file column, in file order
 */
export function resolveColumns(file: string, names: readonly string[], headerRow: number, rowNote?: string): number[] {
  const colOf = names.map((name) => (COLUMNS as readonly string[]).indexOf(name.trim().toLowerCase()));
  const unknown = (name: string): string => `unknown column '${name}'; expected ${REQUIRED.join(', ')} and optionally ticker`;
  const violations = columnViolations(file, names, colOf, headerRow, unknown);
  if (violations.length > 0) throw dataError(violations, rowNote);
  return colOf;
}

/**
 * The column each header name of a CSV file stands for, compared trimmed and case-insensitively.
 * `Adj Close` is not `close`: it is an extra column, ignored like any other.
 */
export const HEADER_ALIASES: ReadonlyMap<string, number> = new Map<string, number>([
  ['date', COL.date],
  ['datetime', COL.date],
  ['timestamp', COL.date],
  ['time', COL.date],
  ['open', COL.open],
  ['high', COL.high],
  ['low', COL.low],
  ['close', COL.close],
  ['volume', COL.volume],
  ['vol', COL.volume],
  ['ticker', COL.ticker],
  ['symbol', COL.ticker],
]);

/**
 * Map a CSV header to `COL` indices by `HEADER_ALIASES`. A leading unnamed column (the index
 * pandas' `to_csv()` writes) is ignored silently; any other column that names nothing we read
 * (`Adj Close`, `Dividends`, ...) is ignored with one note naming them all. Throws one `DataError`
 * listing every missing or repeated column.
 * @returns the `COL` index of each file column, in file order; -1 for an ignored column
 */
export function resolveHeader(file: string, names: readonly string[], headerRow: number, note?: (message: string) => void): number[] {
  const colOf = names.map((name) => HEADER_ALIASES.get(name.trim().toLowerCase()) ?? -1);
  const violations = columnViolations(file, names, colOf, headerRow);
  if (violations.length > 0) throw dataError(violations);
  const ignored = names
    .map((name, f) => (colOf[f] >= 0 || (f === 0 && name.trim() === '') ? undefined : name.trim() === '' ? `(unnamed column ${f + 1})` : `'${name.trim()}'`))
    .filter((name) => name !== undefined);
  if (ignored.length > 0) (note ?? noteOnStderr)(`${file}: ignoring column(s) ${ignored.join(', ')}`);
  return colOf;
}

function noteOnStderr(message: string): void {
  process.stderr.write(`pnlopt: ${escapeControl(message)}\n`);
}

/**
 * Repeated and missing columns, given the `COL` index of each name (-1 for none), in header order;
 * with `unknown`, a name of no column is a violation too (the strict Arrow reader), and without it
 * a missing column's message lists its aliases (the CSV reader).
 */
function columnViolations(
  file: string,
  names: readonly string[],
  colOf: readonly number[],
  headerRow: number,
  unknown?: (name: string) => string,
): DataViolation[] {
  const violations: DataViolation[] = [];
  const seenAt = new Map<number, number>();
  names.forEach((name, f) => {
    const c = colOf[f];
    if (c < 0) {
      if (unknown !== undefined) violations.push({ file, row: headerRow, column: name, problem: unknown(name) });
    } else if (seenAt.has(c)) violations.push({ file, row: headerRow, column: name, problem: `column '${name}' repeats column ${seenAt.get(c)! + 1}` });
    else seenAt.set(c, f);
  });
  for (const name of REQUIRED) {
    if (seenAt.has(COL[name])) continue;
    const also = unknown === undefined ? [...HEADER_ALIASES].filter(([alias, c]) => c === COL[name] && alias !== name).map(([alias]) => alias) : [];
    const problem = `missing required column '${name}'${also.length > 0 ? ` (also read as ${also.join(', ')})` : ''}`;
    violations.push({ file, row: headerRow, column: name, problem });
  }
  return violations;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?)(?:(nan)|inf|infinity)$/i;

/** A decimal number (NaN and ±Inf(inity) spelled out are read, to be reported as not finite); `undefined` if `text` is not one. */
export function parseNumber(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const m = NON_FINITE.exec(text);
  if (m === null) return undefined;
  if (m[2] !== undefined) return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?))?$/;

/**
 * Epoch ms of `YYYY-MM-DD` (UTC midnight) or an ISO-8601 date-time with `Z` or a UTC offset
 * (seconds and up to 3 fraction digits optional); `undefined` for anything else. This is the
 * instant as written: a data file's daily bars are then put on their calendar date by `canonicalDays`.
 */
export function parseDate(text: string): number | undefined {
  const m = DATE.exec(text);
  return m === null ? undefined : instantOf(m);
}

/** Epoch ms of a `DATE` match; `undefined` for a date or time that does not exist. */
function instantOf(m: RegExpExecArray): number | undefined {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = utcMs(year, month, day);
  if (ms === undefined) return undefined;
  if (m[4] === undefined) return ms;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  const fraction = Number((m[7] ?? '').padEnd(3, '0'));
  const [offHour, offMinute] = [Number(m[10] ?? 0), Number(m[11] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59 || offHour > 23 || offMinute > 59) return undefined;
  const offset = (m[9] === '-' ? -1 : 1) * (offHour * 60 + offMinute) * MS_PER_MINUTE;
  return ms + ((hour * 60 + minute) * 60 + second) * 1000 + fraction - offset;
}

/** For a `DATE` match: its UTC offset in minutes when it names a date or a midnight, else `NOT_MIDNIGHT`. */
function midnightOffsetOf(m: RegExpExecArray): number {
  if (m[4] === undefined) return 0;
  if (Number(m[4]) !== 0 || Number(m[5]) !== 0 || Number(m[6] ?? 0) !== 0 || Number(m[7] ?? 0) !== 0) return NOT_MIDNIGHT;
  return (m[9] === '-' ? -1 : 1) * (Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0));
}

/** Epoch ms of a calendar date at UTC midnight, or `undefined` if there is no such date. */
function utcMs(year: number, month: number, day: number): number | undefined {
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  d.setUTCFullYear(year, month - 1, day);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? d.getTime() : undefined;
}

/** `YYYY-MM-DD` for a UTC midnight, else the full ISO-8601 form; both parse back with `parseDate`. */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % MS_PER_DAY === 0 ? iso.slice(0, 10) : iso;
}

/**
 * Name the single ticker of a file without a ticker column (every record keeps tickerId 0); a
 * ticker override for a file that has one is a usage error.
 */
export function setFileTicker(t: RawTable, hasTickerColumn: boolean, opts: ReadOptions): void {
  if (hasTickerColumn) {
    if (opts.ticker !== undefined) throw new UsageError(`${t.file} has a ticker column; a ticker override applies only to files without one`);
    return;
  }
  t.tickers.set(opts.ticker ?? basename(t.file, extname(t.file)), 0);
}

/** Store a numeric cell read as text. */
export function setNumberText(t: RawTable, i: number, c: number, text: string): void {
  const x = parseNumber(text);
  t.columns[c][i] = x ?? NaN;
  if (x === undefined) t.cellProblems.set(i * NCOL + c, text === '' ? `empty ${COLUMNS[c]}` : `cannot parse '${text}' as a number`);
}

/** Store a date cell read as text. */
export function setDateText(t: RawTable, i: number, text: string): void {
  const m = DATE.exec(text);
  const x = m === null ? undefined : instantOf(m);
  t.columns[COL.date][i] = x ?? NaN;
  t.midnightOffset[i] = x === undefined ? 0 : midnightOffsetOf(m!);
  if (x === undefined) {
    t.cellProblems.set(i * NCOL + COL.date, `cannot parse date '${text}'; expected YYYY-MM-DD or an ISO-8601 date-time with Z or a UTC offset`);
  }
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Store a numeric cell read as a value (Arrow); `null` is a missing value, a 64-bit integer no double holds exactly a problem. */
export function setNumberValue(t: RawTable, i: number, c: number, value: number | bigint | null): void {
  if (typeof value === 'bigint' && (value > MAX_EXACT || value < -MAX_EXACT)) {
    return setUnreadable(t, i, c, `${COLUMNS[c]} ${value} is beyond 2^53 - 1, so it cannot be read exactly`);
  }
  t.columns[c][i] = value === null ? NaN : Number(value);
  if (value === null) t.cellProblems.set(i * NCOL + c, `missing ${COLUMNS[c]} (null)`);
}

/** Mark a cell as unreadable, for `problem`. */
export function setUnreadable(t: RawTable, i: number, c: number, problem: string): void {
  t.columns[c][i] = NaN;
  t.cellProblems.set(i * NCOL + c, problem);
}

/** Store a ticker cell; an empty or missing one is a problem. */
export function setTicker(t: RawTable, i: number, name: string | null): void {
  const trimmed = name?.trim() ?? '';
  if (trimmed === '') {
    t.tickerId[i] = -1;
    t.cellProblems.set(i * NCOL + COL.ticker, name === null ? 'missing ticker (null)' : 'empty ticker');
    return;
  }
  let id = t.tickers.get(trimmed);
  if (id === undefined) {
    id = t.tickers.size;
    t.tickers.set(trimmed, id);
  }
  t.tickerId[i] = id;
}

/**
 * The canonical instant of every bar (docs/data.md, "Timestamps"). A ticker whose every timestamp
 * is written as a date or as a midnight is daily: each bar becomes its calendar date as written
 * (in the offset it is written in) at 00:00 UTC, so `2000-01-03`, `2000-01-03T00:00:00Z` and
 * `2000-01-03T00:00:00-05:00` are one bar. A ticker with any other time of day is intraday and
 * keeps its instants. Unreadable dates and tickers are left for `validateTable` to report.
 */
function canonicalDays(t: RawTable): void {
  const { tickerId, midnightOffset } = t;
  const time = t.columns[COL.date];
  const intraday = new Uint8Array(t.tickers.size);
  for (let i = 0; i < t.n; i++) {
    if (tickerId[i] >= 0 && Number.isFinite(time[i]) && midnightOffset[i] === NOT_MIDNIGHT) intraday[tickerId[i]] = 1;
  }
  for (let i = 0; i < t.n; i++) {
    const k = tickerId[i];
    if (k >= 0 && intraday[k] === 0 && midnightOffset[i] !== 0) time[i] += midnightOffset[i] * MS_PER_MINUTE;
  }
}

/**
 * Put the timestamps in canonical form (`canonicalDays`), check every rule on every record and
 * return one series per ticker in shared memory, in order of first appearance; throw a
 * `DataError` listing all violations, sorted by row then column.
 * Rules: numbers finite; open/high/low/close > 0; high >= max(open, close); low <= min(open, close);
 * volume >= 0; timestamps whole milliseconds and strictly increasing per ticker (an equal one is a
 * duplicate, a smaller one out of order); no two rows of one ticker share a timestamp.
 */
export function validateTable(t: RawTable): OhlcvSeries[] {
  canonicalDays(t);
  const violations = [...t.violations];
  const { file, row, tickerId } = t;
  const [time, open, high, low, close, volume] = t.columns;
  const add = (i: number, c: number, problem: string): void => {
    violations.push({ file, row: row[i], column: COLUMNS[c], problem });
  };
  /** Report a non-finite cell (with the reader's reason if it has one); true if the cell is unusable. */
  const bad = (i: number, c: number, x: number): boolean => {
    if (Number.isFinite(x)) return false;
    add(i, c, t.cellProblems.get(i * NCOL + c) ?? `${COLUMNS[c]} ${x} is not finite`);
    return true;
  };

  const nTickers = t.tickers.size;
  const lastTime = new Float64Array(nTickers).fill(-Infinity);
  const lastRecord = new Int32Array(nTickers);
  const disordered = new Uint8Array(nTickers);
  const reportedDuplicate = new Uint8Array(t.n);
  const names = [...t.tickers.keys()];

  for (let i = 0; i < t.n; i++) {
    const k = tickerId[i];
    if (k < 0) add(i, COL.ticker, t.cellProblems.get(i * NCOL + COL.ticker)!);
    const ti = time[i];
    if (!bad(i, COL.date, ti)) {
      if (!Number.isInteger(ti)) {
        add(i, COL.date, `timestamp ${ti} ms is not a whole number of milliseconds`);
      } else if (k >= 0) {
        if (ti === lastTime[k]) {
          add(i, COL.date, `duplicate timestamp ${formatTime(ti)} for ticker ${names[k]} (same as row ${row[lastRecord[k]]})`);
          reportedDuplicate[i] = 1;
        } else if (ti < lastTime[k]) {
          add(i, COL.date, `timestamp ${formatTime(ti)} for ticker ${names[k]} is out of order (row ${row[lastRecord[k]]} has ${formatTime(lastTime[k])})`);
          disordered[k] = 1;
        } else {
          lastTime[k] = ti;
          lastRecord[k] = i;
        }
      }
    }
    const o = open[i], h = high[i], l = low[i], c = close[i], v = volume[i];
    let pricesOk = true;
    for (let col: number = COL.open; col <= COL.close; col++) {
      const x = t.columns[col][i];
      if (bad(i, col, x)) {
        pricesOk = false;
      } else if (x <= 0) {
        add(i, col, `${COLUMNS[col]} ${x} must be > 0`);
        pricesOk = false;
      }
    }
    // high/low are only compared once all four prices are usable, so one bad cell is one violation.
    if (pricesOk && h < Math.max(o, c)) add(i, COL.high, `high ${h} is below max(open, close) = ${Math.max(o, c)}`);
    if (pricesOk && l > Math.min(o, c)) add(i, COL.low, `low ${l} is above min(open, close) = ${Math.min(o, c)}`);
    if (!bad(i, COL.volume, v) && v < 0) add(i, COL.volume, `volume ${v} must be >= 0`);
  }
  // A ticker whose timestamps only ever increase cannot repeat one; the others get a full check.
  for (let k = 0; k < nTickers; k++) {
    if (disordered[k]) reportScatteredDuplicates(t, k, names[k], reportedDuplicate, add);
  }
  if (t.n === 0 && violations.length === 0) {
    violations.push({ file, row: t.headerRow, column: '*', problem: 'no data rows' });
  }
  if (violations.length > 0) {
    const order = (v: DataViolation): number => v.row * (NCOL + 1) + (COLUMNS as readonly string[]).indexOf(v.column);
    violations.sort((a, b) => order(a) - order(b));
    throw dataError(violations, t.rowNote);
  }
  return splitByTicker(t, names);
}

/** Report each record of ticker `k` whose timestamp an earlier record already had, unless already reported as adjacent. */
function reportScatteredDuplicates(
  t: RawTable,
  k: number,
  name: string,
  reportedDuplicate: Uint8Array,
  add: (i: number, c: number, problem: string) => void,
): void {
  const time = t.columns[COL.date];
  const records: number[] = [];
  for (let i = 0; i < t.n; i++) if (t.tickerId[i] === k && Number.isInteger(time[i])) records.push(i);
  records.sort((a, b) => time[a] - time[b] || a - b);
  for (let j = 1, first = records[0]; j < records.length; j++) {
    const i = records[j];
    if (time[i] !== time[first]) first = i;
    else if (!reportedDuplicate[i]) add(i, COL.date, `duplicate timestamp ${formatTime(time[i])} for ticker ${name} (same as row ${t.row[first]})`);
  }
}

/** One shared-memory series per ticker, records kept in file order. */
function splitByTicker(t: RawTable, names: readonly string[]): OhlcvSeries[] {
  const counts = new Int32Array(names.length);
  for (let i = 0; i < t.n; i++) counts[t.tickerId[i]]++;
  const out = names.map((_, k) => t.columns.map(() => sharedFloat64(counts[k])));
  const fill = new Int32Array(names.length);
  for (let i = 0; i < t.n; i++) {
    const k = t.tickerId[i];
    const j = fill[k]++;
    for (let c = 0; c < out[k].length; c++) out[k][c][j] = t.columns[c][i];
  }
  return names.map((ticker, k) => {
    const [time, open, high, low, close, volume] = out[k];
    return { ticker, n: counts[k], time, open, high, low, close, volume };
  });
}
