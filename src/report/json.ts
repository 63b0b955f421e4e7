/**
 * JSON output conventions (docs/metrics.md, "JSON output"): every `--json` output, summary.json
 * and the store's metric JSON write numbers as numbers, +Infinity and -Infinity as the strings
 * `"inf"` and `"-inf"`, and a missing value (NaN, undefined) as null. So "no losing trade"
 * (profit_factor = +Infinity, `"inf"`) is never confused with "no trade" (win_rate = NaN, null).
 */

/** The JSON form of +Infinity. */
export const JSON_INF = 'inf';
/** The JSON form of -Infinity. */
export const JSON_NEG_INF = '-inf';

/** `JSON.stringify` replacer: infinities become `"inf"` / `"-inf"`, NaN and undefined become null; everything else is kept. */
export function jsonNumbers(_key: string, v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v !== 'number' || Number.isFinite(v)) return v;
  return v === Infinity ? JSON_INF : v === -Infinity ? JSON_NEG_INF : null;
}

/** The number a JSON value written by `jsonNumbers` stands for: `"inf"` / `"-inf"` are the infinities, null (or anything not a number) NaN. */
export function numberFromJson(v: unknown): number {
  if (typeof v === 'number') return v;
  return v === JSON_INF ? Infinity : v === JSON_NEG_INF ? -Infinity : NaN;
}
