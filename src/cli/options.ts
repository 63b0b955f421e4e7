/** Argument parsers and shared options for subcommands. */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type PnloptConfig } from '../config/load.js';
import { checkFamilies } from '../simulation/families/check.js';
import { jsonNumbers } from '../report/json.js';

/** Parse a whole number >= min (commander reports the option name on failure; exit code 2). */
export function intArg(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
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
}

/** `--config-dir` and `--json`, on every subcommand that loads config or prints a result. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--config-dir <dir>', 'folder with the YAML config files (default: the package config/)')
    .option('--json', 'print the result as JSON');
}

/** The config the options name, with every family checked against the family registry. */
export function configFrom(opts: CommonOptions & { config?: string }): PnloptConfig {
  const cfg = loadConfig({
    ...(opts.configDir !== undefined ? { dir: opts.configDir } : {}),
    ...(opts.config !== undefined ? { strategyFile: opts.config } : {}),
  });
  checkFamilies(cfg);
  return cfg;
}

/** Print `value` as JSON or `text` as is, to stdout. */
export function printResult(opts: CommonOptions, value: unknown, text: () => string): void {
  process.stdout.write(opts.json ? JSON.stringify(value, jsonNumbers, 2) + '\n' : text() + '\n');
}
