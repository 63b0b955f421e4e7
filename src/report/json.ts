/** JSON output conventions. */

/** `JSON.stringify` replacer: NaN and infinities have no JSON form and are written as null (docs/metrics.md). */
export function jsonNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}
