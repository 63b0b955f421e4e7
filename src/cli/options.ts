/**
 * Argument parsers and shared options for subcommands. Light on purpose: every command declares its
 * options with these when the program is built (`pnlopt --help`), so nothing here loads config
 * schemas, data readers or the store (the config itself: command-config.ts).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { jsonNumbers } from '../report/json.js';
import { writesToStdout } from '../output.js';

/** Parse a whole number >= min, and <= max when given (commander reports the option name on failure; exit code 2). */
export function intArg(min: number, max = Infinity) {
  const expected = max === Infinity ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${expected}, got "${value}"`);
    return n;
  };
}

/** Parse a finite number >= min. */
export function numArg(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min) throw new InvalidArgumentError(`expected a number >= ${min}, got "${value}"`);
    return n;
  };
}

export interface CommonOptions {
  configDir?: string;
  json?: boolean;
  set?: string[];
  quiet?: boolean;
}

/** Environment variables standing in for options when the option is not given (flags win). */
export const ENV = {
  configDir: 'PNLOPT_CONFIG_DIR', db: 'PNLOPT_DB', data: 'PNLOPT_DATA',
  // The entry points' window (etl, auto-trade, run, hyperopt: src/cli/env-window.ts) and run / auto-trade's delegation to hyperopt.
  tickers: 'TICKERS', start: 'START_DATE', end: 'END_DATE', hyperoptRounds: 'HYPEROPT_ROUNDS', hyperoptExplorePct: 'HYPEROPT_EXPLORE_PCT',
} as const;

/** Help of `--db` and `--data`, one text for every command (the flag wins over its variable). */
export const DB_HELP = `SQLite database (default: $${ENV.db}, else runtime.database in config)`;
export const DATA_HELP = `OHLCV files, or db:PATH for an ingested store (default: $${ENV.data}, else the embedded data set)`;

/** The environment's value of `name`, unless empty. */
export function fromEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--config-dir`, `--set`, `--json` and `-q`, on every subcommand that loads config or prints a result. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--config-dir <dir>', `folder with the YAML config files (default: $${ENV.configDir}, else the package config/)`)
    .option('--set <file.key=value>', 'override one config key, e.g. quant_success.guardrails.max_drawdown=0.2 (repeatable; guardrails may only be tightened)', collect)
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'no progress or notes on stderr (errors and warnings still print)');
}

/** The config folder in use: `--config-dir`, else $PNLOPT_CONFIG_DIR, else the package's (undefined). */
export function configDirOf(opts: CommonOptions): string | undefined {
  return opts.configDir ?? fromEnv(ENV.configDir);
}

/** A note for the user on stderr, unless `--quiet`. */
export function note(opts: CommonOptions, text: string): void {
  if (opts.quiet !== true) process.stderr.write(`pnlopt: ${text}\n`);
}

/** Print `value` as JSON or `text` as is, to stdout. */
export function printResult(opts: CommonOptions, value: unknown, text: () => string, dataOut?: string): void {
  // When the command's data went to standard output, the result goes to standard error, not into the data.
  const stream = dataOut !== undefined && writesToStdout(dataOut) ? process.stderr : process.stdout;
  stream.write(opts.json ? JSON.stringify(value, jsonNumbers, 2) + '\n' : text() + '\n');
}
