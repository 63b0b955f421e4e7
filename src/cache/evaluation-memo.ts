/**
 * Metric rows of configurations already evaluated in this run, keyed by their exact parameter
 * values. A backtest is deterministic, so a configuration that a search proposes again (NSGA-II
 * offspring often repeat a parent in a discrete space) takes the stored row instead of a new
 * simulation. Keys are the row's numbers in full precision; NaN (inactive) prints as NaN.
 */
import { METRIC_COUNT } from '../../native-free-kernels/metrics.js';

export class EvaluationMemo {
  private readonly rows = new Map<string, Float64Array>();

  /** The key of parameter row `X[offset .. offset + d)`. */
  key(X: Float64Array, offset: number, d: number): string {
    let k = '';
    for (let j = 0; j < d; j++) k += `${X[offset + j]},`;
    return k;
  }

  get(key: string): Float64Array | undefined {
    return this.rows.get(key);
  }

  /** Remember a copy of the metric row at `offset` of F. */
  set(key: string, F: Float64Array, offset: number): void {
    this.rows.set(key, F.slice(offset, offset + METRIC_COUNT));
  }

  get size(): number {
    return this.rows.size;
  }
}
