/**
 * A population as CSV, in and out. In: a header of parameter names, one candidate per row,
 * categorical parameters by their choice text, an inactive conditional parameter as an empty cell;
 * fields are not quoted. Every problem of every row is found before anything is evaluated. Out: the
 * input rows, as they were written and in input order, with the metric columns appended.
 */
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import { displayPath } from '../paths.js';
import { readDataFile } from './validate.js';
import { DataError, type DataViolation } from '../errors.js';
import { encodeNamedValues, type ParamLayout } from '../config/param-layout.js';
import { writeAtomicWith } from '../write-atomic.js';

/** A parsed population: X in layout column order, plus what is needed to echo its rows. */
export interface CandidateTable {
  readonly file: string;
  /** SHA-256 hex of the file's bytes. */
  readonly sha256: string;
  /** Number of candidates. */
  readonly n: number;
  /** n x layout.params.length, row-major. */
  readonly X: Float64Array;
  readonly header: string;
  /** The file's text; candidate i is the line text.slice(lineStart[i], lineEnd[i]). */
  readonly text: string;
  readonly lineStart: Uint32Array;
  readonly lineEnd: Uint32Array;
}

/** Read and check a candidates file; throws a `DataError` listing every bad row. */
export function readCandidatesCsv(path: string, layout: ParamLayout): CandidateTable {
  const bytes = readDataFile(path);
  return parseCandidatesCsv(bytes.toString('utf8'), displayPath(path), layout, createHash('sha256').update(bytes).digest('hex'));
}

/**
 * Parse candidates CSV text. Rows are numbered as lines of the file (header = 1).
 * @param file name used in messages
 */
export function parseCandidatesCsv(text: string, file: string, layout: ParamLayout, sha256: string): CandidateTable {
  const lines = lineSpans(text);
  const header = lines.count > 0 ? text.slice(lines.start[0], lines.end[0]) : '';
  const names = header.split(',').map((s) => s.trim());
  const violations: DataViolation[] = [];
  const at = (row: number, column: string, problem: string) => violations.push({ file, row, column, problem });

  const known = new Set(layout.params.map((p) => p.name));
  const seen = new Set<string>();
  if (header.trim() === '') at(1, '*', `expected a header of parameter names: ${[...known].join(', ')}`);
  else {
    for (const name of names) {
      if (!known.has(name)) at(1, name, `unknown parameter "${name}" for ${layout.family}; its parameters: ${[...known].join(', ')}`);
      else if (seen.has(name)) at(1, name, `column "${name}" appears twice`);
      seen.add(name);
    }
    for (const p of layout.params) if (p.spec.when === undefined && !seen.has(p.name)) at(1, p.name, `missing column "${p.name}"`);
  }
  if (violations.length > 0) throw new DataError(violations);

  // Blank lines at the end of the file are ignored; elsewhere they are holes, reported as errors.
  let last = lines.count;
  while (last > 1 && lines.start[last - 1] === lines.end[last - 1]) last--;
  const n = last - 1;
  const d = layout.params.length;
  const X = new Float64Array(n * d);
  const values = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const row = i + 2;
    const fields = text.slice(lines.start[i + 1], lines.end[i + 1]).split(',');
    if (fields.length !== names.length) {
      at(row, '*', lines.start[i + 1] === lines.end[i + 1] ? 'empty row' : `expected ${names.length} fields as in the header, found ${fields.length}`);
      continue;
    }
    values.clear();
    names.forEach((name, j) => {
      const v = fields[j].trim();
      if (v !== '') values.set(name, v);
    });
    const encoded = encodeNamedValues(layout, values);
    for (const problem of encoded.problems) at(row, '*', problem);
    X.set(encoded.row, i * d);
  }
  if (violations.length > 0) throw new DataError(violations);
  return { file, sha256, n, X, header, text, lineStart: lines.start.subarray(1, last), lineEnd: lines.end.subarray(1, last) };
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
 * Write the input rows in input order with the metric columns appended, through a temp file
 * renamed into place. `results` must yield candidates in increasing id order; a candidate without
 * a metric row (failed, or never evaluated) gets empty metric cells.
 */
export function writeResultsCsv(path: string, table: CandidateTable, results: Iterable<{ candidateId: number; metrics: Float64Array | null }>): void {
  const it = results[Symbol.iterator]();
  try {
    writeAtomicWith(path, (fd) => writeRows(fd, table, it));
  } finally {
    // Results may come from an open database cursor: release it even if not read to the end.
    it.return?.();
  }
}

/** The rows, in chunks of about WRITE_CHUNK bytes. */
function writeRows(fd: number, table: CandidateTable, it: Iterator<{ candidateId: number; metrics: Float64Array | null }>): void {
  let buf = `${table.header},${METRIC_NAMES.join(',')}\n`;
  const empty = ','.repeat(METRIC_COUNT);
  let next = it.next();
  for (let i = 0; i < table.n; i++) {
    while (!next.done && next.value.candidateId < i) next = it.next();
    const metrics = !next.done && next.value.candidateId === i ? next.value.metrics : null;
    buf += table.text.slice(table.lineStart[i], table.lineEnd[i]);
    if (metrics === null) buf += empty;
    else for (let j = 0; j < METRIC_COUNT; j++) buf += ',' + formatMetric(metrics[j]);
    buf += '\n';
    if (buf.length >= WRITE_CHUNK) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
}

/** [start, end) of each line of `text` (without its \n or \r\n, after a byte-order mark). */
function lineSpans(text: string): { count: number; start: Uint32Array; end: Uint32Array } {
  let newlines = 0;
  for (let pos = text.indexOf('\n'); pos >= 0; pos = text.indexOf('\n', pos + 1)) newlines++;
  const start = new Uint32Array(newlines + 1);
  const end = new Uint32Array(newlines + 1);
  let count = 0;
  for (let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; pos < text.length; count++) {
    let e = text.indexOf('\n', pos);
    if (e < 0) e = text.length;
    start[count] = pos;
    end[count] = e > pos && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
    pos = e + 1;
  }
  return { count, start, end };
}
