/**
 * The config a command runs with: the files the options name, their `--set` overrides and the
 * window dates of the command line. Loaded by the commands' actions only (it pulls in the config
 * schemas and the family registry), never when the program is built.
 */
import { loadConfig, type PnloptConfig } from '../config/load.js';
import { parseOverrides } from '../config/overrides.js';
import { checkFamilies } from '../simulation/families/check.js';
import { configDirOf, type CommonOptions } from './options.js';
import type { WindowOptions } from './window-options.js';

/** The config the options name, with every family checked against the family registry. */
export function configFrom(opts: CommonOptions & { config?: string }): PnloptConfig {
  const dir = configDirOf(opts);
  const cfg = loadConfig({
    ...(dir !== undefined ? { dir } : {}),
    ...(opts.config !== undefined ? { strategyFile: opts.config } : {}),
    overrides: parseOverrides(opts.set ?? []),
  });
  checkFamilies(cfg);
  return cfg;
}

/** The config the options name, with the window dates given on the command line set in it. */
export function configWithWindows(opts: CommonOptions & WindowOptions & { config?: string }): PnloptConfig {
  const dates: [string, string | undefined][] = [['start', opts.start], ['end', opts.end], ['holdout_start', opts.holdoutStart]];
  const set = dates.filter(([, v]) => v !== undefined).map(([key, v]) => `strategy_optimization.evaluation.${key}=${v!}`);
  return configFrom({ ...opts, set: [...(opts.set ?? []), ...set] });
}
