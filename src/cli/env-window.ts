/**
 * The entry points' environment (the seed's scripts read it): `TICKERS` (comma-separated),
 * `START_DATE` and `END_DATE` stand in for `--tickers`, `--start` and `--end` when the flag is not
 * given (flags win), and `HYPEROPT_ROUNDS` > 0 turns `run` and `auto-trade` into `hyperopt`.
 * A bad value is a `UsageError` naming the variable (exit 2).
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { WINDOW_FLAGS, type WindowNames } from '../jobs/etl.js';
import { ENV, fromEnv, intArg } from './options.js';
import { dateArg } from './window-options.js';

export interface EntryWindowOptions {
  tickers?: string[];
  start?: string;
  end?: string;
}

/** The window as resolved, with where each value came from (for messages). */
export interface ResolvedWindow {
  readonly tickers: string[] | undefined;
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly names: WindowNames;
}

/** `parse(value)`, its commander error made a `UsageError` naming the variable. */
function fromVariable<T>(name: string, parse: (value: string) => T): T | undefined {
  const value = fromEnv(name);
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new UsageError(`${name}: ${err.message}`);
    throw err;
  }
}

function tickerList(value: string): string[] {
  const names = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (names.length === 0) throw new InvalidArgumentError(`expected comma-separated ticker names, got "${value}"`);
  return names;
}

/** The tickers and dates of the flags, else of `TICKERS`, `START_DATE`, `END_DATE`. */
export function resolveWindow(opts: EntryWindowOptions): ResolvedWindow {
  const pick = <T>(key: keyof WindowNames, given: T | undefined, parse: (v: string) => T) => {
    const value = given ?? fromVariable(ENV[key], parse);
    return { value, name: given === undefined && value !== undefined ? ENV[key] : WINDOW_FLAGS[key] };
  };
  const tickers = pick('tickers', opts.tickers, tickerList);
  const start = pick('start', opts.start, dateArg);
  const end = pick('end', opts.end, dateArg);
  return { tickers: tickers.value, start: start.value, end: end.value, names: { tickers: tickers.name, start: start.name, end: end.name } };
}

/** `HYPEROPT_ROUNDS`: 0 when unset or empty (a single pass), else a whole number >= 0. */
export function hyperoptRoundsFromEnv(): number {
  return fromVariable(ENV.hyperoptRounds, intArg(0)) ?? 0;
}
