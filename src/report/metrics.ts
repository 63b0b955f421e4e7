/** A metric row as a named record, and as the lines `pnlopt backtest` prints. */
import { METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';
import { fmt, renderTable } from '../cli/table.js';

/** Metric row at `offset` of F as `{ name: value }` (NaN / infinities kept; JSON output turns them to null). */
export function metricRecord(F: Float64Array, offset = 0): Record<MetricName, number> {
  return Object.fromEntries(METRIC_NAMES.map((name, j) => [name, F[offset + j]!])) as Record<MetricName, number>;
}

export function metricTable(m: Record<MetricName, number>): string {
  return renderTable(['metric', 'value'], METRIC_NAMES.map((name) => [name, fmt(m[name], 10)]));
}
