/**
 * `--start`, `--end` and `--holdout-start`: the dates of the evaluation window from the command
 * line. Each sets its `evaluation.*` key of the strategy config (as `--set` would), so the dates are
 * part of the config a run records and hashes (`configWithWindows`, command-config.ts), and a resume
 * with other dates is refused.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DATE_FLAGS, parseIsoDate } from '../config/dates.js';

export interface WindowOptions {
  start?: string;
  end?: string;
  holdoutStart?: string;
}

/** Parse a date strictly as YYYY-MM-DD (commander names the option on failure; exit code 2). */
export function dateArg(value: string): string {
  if (parseIsoDate(value) === undefined) throw new InvalidArgumentError(`expected a date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** Add `--start` and `--end`, and `--holdout-start` when the command splits off a hold-out (optimize). */
export function withWindowOptions(cmd: Command, holdout: boolean): Command {
  cmd
    .option(`${DATE_FLAGS.start} <date>`, 'first date of the evaluation window, YYYY-MM-DD (default: evaluation.start, else the data\'s)', dateArg)
    .option(`${DATE_FLAGS.end} <date>`, 'last date of the evaluation window, included (default: evaluation.end, else the data\'s)', dateArg);
  if (holdout) cmd.option(`${DATE_FLAGS.holdout_start} <date>`, 'first date of the hold-out window (default: evaluation.holdout_start, else the last evaluation.hold_out_fraction)', dateArg);
  return cmd;
}

/** A window as printed: its dates, its length, and its bars [start, end) on the data's calendar. */
export function windowPeriod(w: { readonly start: number; readonly end: number; readonly dates: readonly [string, string] }): string {
  return `${w.dates[0]} .. ${w.dates[1]} (${w.end - w.start} bars: [${w.start}, ${w.end}) of the data)`;
}
