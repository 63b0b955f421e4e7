/** Run the built CLI (`bin/pnlopt.js`, compiled by `npm test`'s build step) as a child process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_CONFIG_DIR } from './config.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'pnlopt.js');

/** Subcommands that load config: the ones registered with `withCommonOptions` (src/cli/options.ts), which take `--config-dir`. */
const CONFIG_COMMANDS: ReadonlySet<string> = new Set(['demo', 'ingest', 'backtest', 'evaluate', 'optimize', 'synth']);

/**
 * `args` with `--config-dir <TEST_CONFIG_DIR>` after the subcommand, when it loads config and no
 * `--config-dir` is given: CLI tests read the frozen test config, not the shipped config/.
 */
export function withTestConfig(args: readonly string[]): string[] {
  const [command, ...rest] = args;
  if (command === undefined || !CONFIG_COMMANDS.has(command) || rest.includes('--config-dir')) return [...args];
  return [command, '--config-dir', TEST_CONFIG_DIR, ...rest];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `pnlopt ...args` (with the test config, see `withTestConfig`). */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...withTestConfig(args)], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    ...(opts.env !== undefined ? { env: { ...process.env, ...opts.env } } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
