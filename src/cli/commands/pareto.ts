/**
 * `pnlopt pareto`: Pareto rank and crowding distance of every row of a metrics CSV.
 *
 * In: a header, then one row per candidate; fields are not quoted. Only the columns named in
 * --minimize / --maximize are read: a number, `inf` / `-inf`, or `nan` / an empty cell (the worst
 * value, whatever the direction). Out: `rank,crowding` per input row, in input order; rank 0 is the
 * first front, and an infinite crowding distance (a front's ends) is written `inf`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { displayPath } from '../../paths.js';
import { DataError, UsageError, type DataViolation } from '../../errors.js';
import { objectiveColumns, objectiveMatrix } from '../../search/objectives.js';
import { createRankingWorkspace, rankAndCrowd } from '../../search/ranking.js';
import type { Direction } from '../../config/optimizer-settings.js';
import { writeFileAtomic } from '../../write-atomic.js';
import { printResult } from '../options.js';

interface ParetoOptions {
  in: string;
  minimize?: string;
  maximize?: string;
  out: string;
  json?: boolean;
}

export function registerPareto(program: Command): void {
  program
    .command('pareto')
    .description('rank the rows of a metrics CSV into Pareto fronts and write rank,crowding per row')
    .requiredOption('--in <file>', 'CSV with a header row')
    .option('--minimize <columns>', 'comma-separated columns to minimise')
    .option('--maximize <columns>', 'comma-separated columns to maximise')
    .requiredOption('--out <file>', 'CSV to write: rank,crowding per input row, in input order')
    .option('--json', 'print the result as JSON')
    .action((opts: ParetoOptions) => {
      const specs = [...objectivesFrom(opts.minimize, 'minimize'), ...objectivesFrom(opts.maximize, 'maximize')];
      if (specs.length === 0) throw new UsageError('give at least one column in --minimize or --maximize');
      const names = specs.map((s) => s.metric);
      const twice = names.find((c, i) => names.indexOf(c) !== i);
      if (twice !== undefined) throw new UsageError(`column "${twice}" is named more than once in --minimize / --maximize`);

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
      writeFileAtomic(opts.out, lines.join('\n') + '\n');
      let firstFront = 0;
      for (let i = 0; i < n; i++) if (rank[i] === 0) firstFront++;
      printResult(
        opts,
        { in: opts.in, out: opts.out, rows: n, fronts, first_front: firstFront },
        () => `ranked ${n} row(s) into ${fronts} front(s), ${firstFront} on the first; wrote ${opts.out}`,
      );
    });
}

function objectivesFrom(list: string | undefined, direction: Direction): { metric: string; direction: Direction }[] {
  if (list === undefined) return [];
  const names = list.split(',').map((s) => s.trim());
  if (names.some((s) => s === '')) throw new UsageError(`--${direction}: expected comma-separated column names, got "${list}"`);
  return names.map((metric) => ({ metric, direction }));
}

/**
 * Read the named columns of a CSV into M (rows × columns.length, in the order of `columns`).
 * Throws a `UsageError` for a missing column and a `DataError` listing every bad cell or row.
 */
function readMetricColumns(path: string, columns: readonly string[]): { n: number; M: Float64Array } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`--in ${path}: no such file`);
    throw err;
  }
  const file = displayPath(path);
  // Trailing blank lines are not rows.
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  const headerEnd = lineEnd(text, 0, end);
  const header = text.slice(0, stripCr(text, 0, headerEnd)).split(',').map((s) => s.trim());
  if (end === 0 || header.every((h) => h === '')) throw new UsageError(`--in ${file}: expected a header row naming the columns`);

  const k = columns.length;
  // Field position -> objective column, -1 for fields not read.
  const target = new Int32Array(header.length).fill(-1);
  columns.forEach((c, j) => {
    const at = header.indexOf(c);
    if (at < 0) throw new UsageError(`--in ${file}: no column "${c}"; its columns: ${header.join(', ')}`);
    if (header.indexOf(c, at + 1) >= 0) throw new UsageError(`--in ${file}: column "${c}" appears more than once in the header`);
    target[at] = j;
  });

  let rows = 0;
  for (let p = headerEnd; p < end; p = text.indexOf('\n', p + 1)) {
    if (p < 0) break;
    rows++;
  }
  const M = new Float64Array(rows * k);
  const violations: DataViolation[] = [];
  let start = headerEnd + 1;
  for (let i = 0; i < rows; i++) {
    const row = i + 2;
    const stop = lineEnd(text, start, end);
    const lineStop = stripCr(text, start, stop);
    let fields = 0;
    let a = start;
    for (;;) {
      let b = text.indexOf(',', a);
      if (b < 0 || b > lineStop) b = lineStop;
      const j = fields < target.length ? target[fields] : -1;
      if (j >= 0) {
        const cell = text.slice(a, b).trim();
        const v = parseCell(cell);
        if (v === undefined) violations.push({ file, row, column: columns[j], problem: `expected a number, inf, nan or an empty cell, got "${cell}"` });
        else M[i * k + j] = v;
      }
      fields++;
      if (b === lineStop) break;
      a = b + 1;
    }
    if (fields !== header.length) {
      const problem = lineStop === start ? 'empty row' : `expected ${header.length} fields as in the header, found ${fields}`;
      violations.push({ file, row, column: '*', problem });
    }
    start = stop + 1;
  }
  if (violations.length > 0) throw new DataError(violations);
  return { n: rows, M };
}

/** A cell's value: NaN for nan / empty, ±Infinity for inf, undefined when it is not a number. */
function parseCell(cell: string): number | undefined {
  if (cell === '') return NaN;
  const v = Number(cell);
  if (v === v) return v;
  switch (cell.toLowerCase()) {
    case 'nan':
      return NaN;
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default:
      return undefined;
  }
}

/** Index of the newline ending the line that starts at `start` (or `end`). */
function lineEnd(text: string, start: number, end: number): number {
  const nl = text.indexOf('\n', start);
  return nl < 0 || nl > end ? end : nl;
}

/** End of the line's content, without a trailing carriage return. */
function stripCr(text: string, start: number, stop: number): number {
  return stop > start && text[stop - 1] === '\r' ? stop - 1 : stop;
}
