/** Plain-text tables for terminal output: right-aligned numbers, left-aligned text. */
import { METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';

export type Cell = string | number | null;

/** Format a number for display: `digits` significant places, `-` for null/NaN. */
export function fmt(v: number | null | undefined, digits = 6): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return Number(v.toPrecision(digits)).toString();
}

export function renderTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' || c === null ? fmt(c) : c)));
  const widths = header.map((h, j) => Math.max(h.length, ...text.map((r) => r[j]?.length ?? 0)));
  const numeric = header.map((_, j) => rows.every((r) => typeof r[j] === 'number' || r[j] === null));
  const line = (cells: readonly string[]) =>
    cells.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** A metric record as the lines `pnlopt backtest` prints. */
export function metricTable(m: Record<MetricName, number>): string {
  return renderTable(['metric', 'value'], METRIC_NAMES.map((name) => [name, fmt(m[name], 10)]));
}
