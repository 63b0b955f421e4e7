/**
 * The evaluation window's dates as the config and the command line write them. Free of zod, so
 * that declaring `--start` / `--end` (`pnlopt --help`) loads no schema.
 */

/**
 * A calendar date `YYYY-MM-DD` that exists (`2021-02-30` does not, nor a year before 0100).
 * @returns its UTC midnight in ms (a daily bar's timestamp), or undefined
 */
export function parseIsoDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls an impossible day over (02-30 -> 03-02) and maps years 0-99 to 1900-1999: the round trip catches both.
  return new Date(ms).toISOString().slice(0, 10) === text ? ms : undefined;
}

/** The flag that sets each date key (`--start` ... on optimize, evaluate, backtest), named in messages. */
export const DATE_FLAGS = { start: '--start', end: '--end', holdout_start: '--holdout-start' } as const;
