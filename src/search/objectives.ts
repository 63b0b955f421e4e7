/**
 * The minimised objective matrix F from a metric matrix: column j of F is metric `specs[j].metric`,
 * negated when it is maximised, so every search and ranking step minimises. A NaN metric (no
 * trades, undefined Sharpe) becomes +Infinity, the worst value, whatever the direction; an infinite
 * metric keeps its meaning (profit_factor = +Infinity, maximised, is the best value).
 */
import { UsageError } from '../errors.js';
import type { Direction } from '../config/optimizer-settings.js';

export interface ObjectiveColumns {
  /** Metric column of each objective. */
  readonly columns: Int32Array;
  /** +1 for a minimised objective, -1 for a maximised one. */
  readonly signs: Float64Array;
}

/**
 * Resolve objective specs against the metric names.
 * @param specs objectives in F's column order
 * @param metricNames name of each metric column
 * @returns the metric column and sign of each objective
 */
export function objectiveColumns(
  specs: readonly { readonly metric: string; readonly direction: Direction }[],
  metricNames: readonly string[],
): ObjectiveColumns {
  const columns = new Int32Array(specs.length);
  const signs = new Float64Array(specs.length);
  specs.forEach((s, j) => {
    const c = metricNames.indexOf(s.metric);
    if (c < 0) throw new UsageError(`objective "${s.metric}" is not a metric; known: ${metricNames.join(', ')}`);
    columns[j] = c;
    signs[j] = s.direction === 'maximize' ? -1 : 1;
  });
  return { columns, signs };
}

/**
 * Fill F (n × m, m = objectives) from the metric matrix M (n × k): F[i, j] = sign_j · M[i, col_j],
 * NaN → +Infinity.
 * @param M metrics, row-major n × k
 * @param k metric columns per row
 * @param n number of rows
 * @param objectives from `objectiveColumns`
 * @param outF receives the objectives (length >= n·m)
 */
export function objectiveMatrix(M: Float64Array, k: number, n: number, objectives: ObjectiveColumns, outF: Float64Array): void {
  const { columns, signs } = objectives;
  const m = columns.length;
  if (M.length < n * k) throw new RangeError(`objectiveMatrix: M has ${M.length} values, need n*k = ${n * k}`);
  if (outF.length < n * m) throw new RangeError(`objectiveMatrix: outF has ${outF.length} values, need n*m = ${n * m}`);
  for (let j = 0; j < m; j++) {
    if (columns[j] >= k) throw new RangeError(`objectiveMatrix: objective ${j} reads metric column ${columns[j]}, but rows have ${k}`);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const v = M[i * k + columns[j]];
      outF[i * m + j] = v !== v ? Infinity : signs[j] * v;
    }
  }
}
