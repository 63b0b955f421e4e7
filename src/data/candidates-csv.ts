/**
 * A population as CSV, in and out. In: a header of parameter names, one candidate per record,
 * categorical parameters by their choice text, an inactive conditional parameter as an empty cell;
 * the CSV dialect (strict UTF-8, quoted fields, BOM, CRLF) and the row numbers are those of `forEachCsvRecord`. A
 * leading unnamed column (the index pandas' `to_csv()` writes) is ignored. Every problem of every
 * row is found before anything is evaluated. Out: the input records, as they were written and in
 * input order, with the metric columns appended.
 */
import { createHash } from 'node:crypto';
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import { displayPath } from '../paths.js';
import { decodeUtf8, readDataFile } from './input.js';
import { forEachCsvRecord, maxRecords } from './csv.js';
import { DataError, type DataViolation } from '../errors.js';
import { encodeNamedValues, type ParamLayout } from '../config/param-layout.js';
import { writeAll, writeOutputWith } from '../output.js';

/** A parsed population: X in layout column order, plus what is needed to echo its rows. */
export interface CandidateTable {
  readonly file: string;
  /** SHA-256 hex of the file's bytes. */
  readonly sha256: string;
  /** Number of candidates. */
  readonly n: number;
  /** n x layout.params.length, row-major. */
  readonly X: Float64Array;
  /** The header record as written (without its line break). */
  readonly header: string;
  /** The file's text; candidate i is the record text.slice(lineStart[i], lineEnd[i]), as written, without its line break. */
  readonly text: string;
  readonly lineStart: Uint32Array;
  readonly lineEnd: Uint32Array;
}

/** Read and check a candidates file; throws a `DataError` listing every bad row. */
export function readCandidatesCsv(path: string, layout: ParamLayout): CandidateTable {
  const bytes = readDataFile(path);
  const file = displayPath(path);
  return parseCandidatesCsv(decodeUtf8(bytes, file), file, layout, createHash('sha256').update(bytes).digest('hex'));
}

/**
 * Parse candidates CSV text. Rows are numbered as lines of the file (header = 1; a record spanning
 * lines by its first line).
 * @param file name used in messages
 */
export function parseCandidatesCsv(text: string, file: string, layout: ParamLayout, sha256: string): CandidateTable {
  const violations: DataViolation[] = [];
  const at = (row: number, column: string, problem: string) => violations.push({ file, row, column, problem });
  const known = new Set(layout.params.map((p) => p.name));
  const d = layout.params.length;

  const capacity = maxRecords(text);
  const lineStart = new Uint32Array(capacity);
  const lineEnd = new Uint32Array(capacity);
  let X = new Float64Array(0);
  let n = 0;
  let header: string | undefined;
  let names: string[] = [];
  // Column 0 when it is a pandas index (unnamed), else -1.
  let indexColumn = -1;
  const values = new Map<string, string>();

  forEachCsvRecord(text, (r) => {
    if (header === undefined) {
      header = text.slice(r.start, r.end);
      names = r.start === r.end ? [] : r.fields.slice(0, r.count);
      if (names.every((name) => name === '')) at(r.row, '*', `expected a header of parameter names: ${[...known].join(', ')}`);
      else if (r.problem !== undefined) at(r.row, names[r.problemField] ?? '*', r.problem);
      else checkHeader(names, r.row);
      if (violations.length > 0) throw new DataError(violations);
      indexColumn = names.length > 1 && names[0] === '' ? 0 : -1;
      X = new Float64Array(capacity * d);
      return;
    }
    const i = n++;
    lineStart[i] = r.start;
    lineEnd[i] = r.end;
    const row = r.row;
    if (r.problem !== undefined) return void at(row, names[r.problemField] ?? '*', r.problem);
    if (r.start === r.end) return void at(row, '*', 'empty row');
    if (r.count !== names.length) return void at(row, '*', `expected ${names.length} fields as in the header, found ${r.count}`);
    values.clear();
    for (let j = 0; j < names.length; j++) if (j !== indexColumn && r.fields[j] !== '') values.set(names[j], r.fields[j]);
    const encoded = encodeNamedValues(layout, values);
    for (const problem of encoded.problems) at(row, '*', problem);
    X.set(encoded.row, i * d);
  });

  if (header === undefined) throw new DataError([{ file, row: 1, column: '*', problem: `expected a header of parameter names: ${[...known].join(', ')}` }]);
  if (violations.length > 0) throw new DataError(violations);
  return { file, sha256, n, X: X.slice(0, n * d), header, text, lineStart: lineStart.subarray(0, n), lineEnd: lineEnd.subarray(0, n) };

  /** Unknown, repeated and missing parameter columns (a leading unnamed column is an index). */
  function checkHeader(names: readonly string[], row: number): void {
    const seen = new Set<string>();
    names.forEach((name, j) => {
      if (j === 0 && name === '' && names.length > 1) return;
      if (!known.has(name)) at(row, name, `unknown parameter "${name}" for ${layout.family}; its parameters: ${[...known].join(', ')}`);
      else if (seen.has(name)) at(row, name, `column "${name}" appears twice`);
      seen.add(name);
    });
    for (const p of layout.params) if (p.spec.when === undefined && !seen.has(p.name)) at(row, p.name, `missing column "${p.name}"`);
  }
}

/** A metric value as CSV text: shortest round-trip decimal, or nan / inf / -inf. */
export function formatMetric(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/** Bytes of output gathered before each write. */
const WRITE_CHUNK = 1 << 20;

/**
 * Metric rows of candidates `first` .. `first + count - 1` in a typed matrix (the store's chunks
 * are one): `stored[k]` is 1 when candidate first + k has its METRIC_COUNT values at k * METRIC_COUNT.
 */
export interface MetricBlock {
  readonly first: number;
  readonly count: number;
  readonly stored: Uint8Array;
  readonly metrics: Float64Array;
}

/**
 * Write the input rows in input order with the metric columns appended to the output `path` (`-`
 * is standard output; a file is written atomically: see `writeOutputWith`). `blocks` must come in
 * increasing id order; a candidate without a metric row (failed, or never evaluated) gets empty
 * metric cells.
 */
export function writeResultsCsv(path: string, table: CandidateTable, blocks: Iterable<MetricBlock>): void {
  const it = blocks[Symbol.iterator]();
  try {
    writeOutputWith(path, (fd) => writeRows(fd, table, it), '--out');
  } finally {
    // Blocks may come from an open database cursor: release it even if not read to the end.
    it.return?.();
  }
}

/** The rows, in chunks of about WRITE_CHUNK bytes, the metric cells formatted from the blocks' matrices. */
function writeRows(fd: number, table: CandidateTable, it: Iterator<MetricBlock>): void {
  let buf = `${table.header},${METRIC_NAMES.join(',')}\n`;
  const empty = ','.repeat(METRIC_COUNT);
  let next = it.next();
  for (let i = 0; i < table.n; i++) {
    while (!next.done && next.value.first + next.value.count <= i) next = it.next();
    buf += table.text.slice(table.lineStart[i], table.lineEnd[i]);
    const block = next.done ? null : next.value;
    const k = block === null ? -1 : i - block.first;
    if (block === null || k < 0 || block.stored[k] !== 1) buf += empty;
    else for (let j = k * METRIC_COUNT, e = j + METRIC_COUNT; j < e; j++) buf += ',' + formatMetric(block.metrics[j]);
    buf += '\n';
    if (buf.length >= WRITE_CHUNK) {
      writeAll(fd, buf);
      buf = '';
    }
  }
  writeAll(fd, buf);
}
