/**
 * Plain-text tables for terminal output: right-aligned numbers, left-aligned text. Text cells and
 * list items may be user text (tickers, file cells): their control characters are escaped.
 */
import { METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';
import { escapeControl } from '../terminal-text.js';

export type Cell = string | number | null;

/** Terminal tables and summaries are kept within this many columns. */
export const MAX_WIDTH = 160;

/**
 * Metrics that tables show as percentages (docs/metrics.md, "JSON output"): fractions of capital
 * (returns, drawdown, exposure, capital at risk) and the shares of trades / forecasts that were right.
 * JSON keeps the fractions.
 */
export const PERCENT_METRICS: ReadonlySet<string> = new Set<MetricName>(['total_return', 'max_drawdown', 'win_rate', 'hit_rate', 'exposure', 'max_capital_at_risk']);

/** Format a number for display: `digits` significant places, `-` for null/NaN. */
export function fmt(v: number | null | undefined, digits = 6): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return Number(v.toPrecision(digits)).toString();
}

/**
 * Format a fraction as a percentage with `digits` significant places and at least one decimal
 * (0.123 -> `12.3%`, 0.0011 -> `0.110%`, 1 -> `100.0%`); `-` for null/NaN, `inf` / `-inf` as `fmt`.
 */
export function pct(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return fmt(v);
  const p = v * 100;
  if (p === 0) return '0%';
  const decimals = Math.min(10, Math.max(1, digits - 1 - Math.floor(Math.log10(Math.abs(p)))));
  return `${p.toFixed(decimals)}%`;
}

/** A metric value as tables show it: a percentage for `PERCENT_METRICS`, else `fmt`. */
export function metricText(name: string, v: number | null | undefined, digits = 6): string {
  return PERCENT_METRICS.has(name) ? pct(v, Math.min(digits, 4)) : fmt(v, digits);
}

/**
 * Render a table. A column is right-aligned when all its cells are numbers or null, or when
 * `right[j]` is true (numbers already formatted as text, e.g. percentages). Control characters in
 * text cells are escaped (`escapeControl`).
 */
export function renderTable(header: readonly string[], rows: readonly (readonly Cell[])[], right: readonly boolean[] = []): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' || c === null ? fmt(c) : escapeControl(c))));
  const widths = header.map((h, j) => Math.max(h.length, ...text.map((r) => r[j]?.length ?? 0)));
  const numeric = header.map((_, j) => right[j] === true || rows.every((r) => typeof r[j] === 'number' || r[j] === null));
  const line = (cells: readonly string[]) =>
    cells.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/**
 * `prefix` then `items` joined by ', ', broken into lines of at most `width` columns (continuations
 * indented); nothing is cut. Control characters in items are escaped (`escapeControl`).
 */
export function wrapList(prefix: string, items: readonly string[], width = MAX_WIDTH): string {
  const indent = ' '.repeat(Math.min(prefix.length, 8));
  const lines: string[] = [];
  let line = prefix;
  items.forEach((item, i) => {
    const piece = escapeControl(item) + (i < items.length - 1 ? ',' : '');
    const sep = line === prefix || line === indent ? '' : ' ';
    if (line !== prefix && line !== indent && line.length + sep.length + piece.length > width) {
      lines.push(line);
      line = indent + piece;
    } else {
      line += sep + piece;
    }
  });
  lines.push(line);
  return lines.join('\n');
}

/**
 * `lead` then `text`, broken at its spaces into lines of at most `width` columns (continuations
 * start with `indent`); a word is never cut. Control characters in `text` are escaped (`escapeControl`).
 */
export function wrapWords(lead: string, text: string, indent = '  ', width = MAX_WIDTH): string {
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const word of escapeControl(text).split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** A metric record as the lines `pnlopt backtest` prints: percentages for `PERCENT_METRICS`. */
export function metricTable(m: Record<MetricName, number>): string {
  return renderTable(['metric', 'value'], METRIC_NAMES.map((name) => [name, metricText(name, m[name], 10)]), [false, true]);
}
