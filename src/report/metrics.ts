/** A metric row as a named record. */
import { METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';

/** Metric row at `offset` of F as `{ name: value }` (NaN / infinities kept; JSON output turns them to null). */
export function metricRecord(F: Float64Array, offset = 0): Record<MetricName, number> {
  return Object.fromEntries(METRIC_NAMES.map((name, j) => [name, F[offset + j]])) as Record<MetricName, number>;
}
