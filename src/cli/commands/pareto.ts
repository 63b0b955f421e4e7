/**
 * `pnlopt pareto`: Pareto rank and crowding distance of every row of a metrics CSV.
 *
 * In: a header, then one record per candidate, in the CSV dialect of `forEachCsvRecord` (strict
 * UTF-8, quoted fields, BOM, CRLF; rows numbered by their first line, header = 1). Only the columns named in
 * --minimize / --maximize are read (names as in the header, exactly; a name holding a comma is
 * quoted as in CSV: --maximize '"ret, %"'): a number, `inf` / `-inf`, or `nan` / an empty cell (the
 * worst value, whatever the direction). Out: `rank,crowding` per input row, in input order, to
 * --out (`-` for standard output); rank 0 is the first front, and an infinite crowding distance (a
 * front's ends) is written `inf`.
 */
import { readFileSync } from 'node:fs';
import { displayPath } from '../../paths.js';
import { DataError, UsageError, type DataViolation } from '../../errors.js';
import { parseNumber } from '../../data/validate.js';
import { csvField, forEachCsvRecord, maxRecords, readCsvRecords } from '../../data/csv.js';
import { decodeUtf8 } from '../../data/input.js';
import { checkOutputPath, writeOutput } from '../../output.js';
import { objectiveColumns, objectiveMatrix } from '../../search/objectives.js';
import { createRankingWorkspace, rankAndCrowd } from '../../search/ranking.js';
import type { Direction } from '../../config/optimizer-settings.js';
import { printResult } from '../options.js';

export interface ParetoOptions {
  in: string;
  minimize?: string;
  maximize?: string;
  out: string;
  json?: boolean;
}

/** Run `pnlopt pareto` (declared in pareto-command.ts, which loads this module when the command runs). */
export function paretoAction(opts: ParetoOptions): void {
  const specs = [...objectivesFrom(opts.minimize, 'minimize'), ...objectivesFrom(opts.maximize, 'maximize')];
  if (specs.length === 0) throw new UsageError('give at least one column in --minimize or --maximize');
  const names = specs.map((s) => s.metric);
  const twice = names.find((c, i) => names.indexOf(c) !== i);
  if (twice !== undefined) throw new UsageError(`column "${twice}" is named more than once in --minimize / --maximize`);

  checkOutputPath(opts.out, '--out');
  const table = readMetricColumns(opts.in, names);
  const { n } = table;
  const m = specs.length;
  const F = new Float64Array(n * m);
  objectiveMatrix(table.M, m, n, objectiveColumns(specs, names), F);
  const rank = new Int32Array(n);
  const crowding = new Float64Array(n);
  // No constraints here: with every row feasible, constrained ranks are the plain Pareto fronts.
  const fronts = rankAndCrowd(F, new Float64Array(n), n, m, rank, crowding, createRankingWorkspace(n, m));

  const lines = new Array<string>(n + 1);
  lines[0] = 'rank,crowding';
  for (let i = 0; i < n; i++) lines[i + 1] = `${rank[i]},${crowding[i] === Infinity ? 'inf' : String(crowding[i])}`;
  writeOutput(opts.out, lines.join('\n') + '\n', '--out');
  let firstFront = 0;
  for (let i = 0; i < n; i++) if (rank[i] === 0) firstFront++;
  const summary = { in: opts.in, out: opts.out, rows: n, fronts, first_front: firstFront };
  const text = () => `ranked ${n} row(s) into ${fronts} front(s), ${firstFront} on the first; wrote ${opts.out}`;
  printResult(opts, summary, text, opts.out);
}

/** The column names of a --minimize / --maximize list: comma-separated, quoted as in CSV when a name holds a comma. */
function objectivesFrom(list: string | undefined, direction: Direction): { metric: string; direction: Direction }[] {
  if (list === undefined) return [];
  const records = readCsvRecords(list);
  const names = records.length === 1 && records[0].problem === undefined ? records[0].fields : [];
  if (names.length === 0 || names.some((s) => s === '')) {
    throw new UsageError(`--${direction}: expected comma-separated column names (a name with a comma quoted as in CSV: '"ret, %"'), got "${list}"`);
  }
  return names.map((metric) => ({ metric, direction }));
}

/**
 * Read the named columns of a CSV into M (rows × columns.length, in the order of `columns`).
 * Throws a `UsageError` for a missing column and a `DataError` listing every bad cell or row.
 */
function readMetricColumns(path: string, columns: readonly string[]): { n: number; M: Float64Array } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`--in ${path}: no such file`);
    throw new UsageError(`--in ${path}: cannot read it: ${(err as Error).message}`);
  }
  const file = displayPath(path);
  const text = decodeUtf8(bytes, file);
  const k = columns.length;
  const capacity = maxRecords(text);
  let M = new Float64Array(0);
  let header: string[] | undefined;
  // Field position -> objective column, -1 for fields not read.
  let target = new Int32Array(0);
  let rows = 0;
  const violations: DataViolation[] = [];

  forEachCsvRecord(text, (r) => {
    if (header === undefined) {
      header = r.fields.slice(0, r.count);
      if (header.every((h) => h === '')) throw new UsageError(`--in ${file}: expected a header row naming the columns`);
      if (r.problem !== undefined) throw new DataError([{ file, row: r.row, column: '*', problem: r.problem }]);
      target = columnTargets(file, header, columns);
      M = new Float64Array(capacity * k);
      return;
    }
    const i = rows++;
    const row = r.row;
    if (r.problem !== undefined) {
      violations.push({ file, row, column: header[r.problemField] ?? '*', problem: r.problem });
      return;
    }
    if (r.count !== header.length) {
      const problem = r.start === r.end ? 'empty row' : `expected ${header.length} fields as in the header, found ${r.count}`;
      violations.push({ file, row, column: '*', problem });
      return;
    }
    for (let f = 0; f < r.count; f++) {
      const j = target[f];
      if (j < 0) continue;
      const cell = r.fields[f];
      const v = parseCell(cell);
      if (v === undefined) violations.push({ file, row, column: columns[j], problem: `expected a number, inf, nan or an empty cell, got "${cell}"` });
      else M[i * k + j] = v;
    }
  });
  if (header === undefined) throw new UsageError(`--in ${file}: expected a header row naming the columns`);
  if (violations.length > 0) throw new DataError(violations);
  return { n: rows, M: M.subarray(0, rows * k) };
}

/** For each header field, the index in `columns` of the objective it holds, or -1. */
function columnTargets(file: string, header: readonly string[], columns: readonly string[]): Int32Array<ArrayBuffer> {
  const target = new Int32Array(header.length).fill(-1);
  columns.forEach((c, j) => {
    const at = header.indexOf(c);
    if (at < 0) {
      const hint = header.some((h) => h.includes(',')) ? ` (a name with a comma is quoted as in CSV: --maximize '"ret, %"')` : '';
      throw new UsageError(`--in ${file}: no column ${JSON.stringify(c)}; its columns: ${header.map(csvField).join(', ')}${hint}`);
    }
    if (header.indexOf(c, at + 1) >= 0) throw new UsageError(`--in ${file}: column ${JSON.stringify(c)} appears more than once in the header`);
    target[at] = j;
  });
  return target;
}

/** A cell's value: NaN for an empty cell, else as data files read numbers (`parseNumber`: decimal, nan, inf), undefined when it is not one. */
function parseCell(cell: string): number | undefined {
  return cell === '' ? NaN : parseNumber(cell);
}
