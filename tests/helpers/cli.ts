/**
 * Run the built CLI (`bin/pnlopt.js`, compiled by `npm test`'s build step): as a child process
 * (`runCli`), or in this process (`runCliInProcess`, about a second faster a call: no node start,
 * imports done once per test file).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_CONFIG_DIR } from './config.js';

type Main = typeof import('../../src/cli/main.js').main;

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'pnlopt.js');

/** Subcommands that load config: the ones registered with `withCommonOptions` (src/cli/options.ts), which take `--config-dir`. */
const CONFIG_COMMANDS: ReadonlySet<string> = new Set(['demo', 'ingest', 'backtest', 'evaluate', 'optimize', 'synth', 'fit', 'best', 'regime', 'check-triggers', 'paper', 'update-regime-state', 'realized', 'etl', 'auto-trade', 'run', 'hyperopt', 'merge', 'worker']);

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

let loadedMain: Promise<Main> | undefined;

/** Set (or, for undefined, remove) environment variables. */
function setEnv(entries: readonly (readonly [string, string | undefined])[]): void {
  for (const [k, v] of entries) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/**
 * `pnlopt ...args` (with the test config, see `withTestConfig`) in this process: `main` from dist/,
 * as bin/pnlopt.js calls it, with its output captured; `cwd`, `env` and `process.argv` (as the
 * child's: a run records its command line) hold for the call only.
 * Only where a process adds nothing: output to `-` or /dev/stdout goes to descriptor 1 directly
 * (not captured), and signals, pipes, stdin and variables read at import time need `runCli` or
 * `spawnCli`. Needs vitest's forks pool: a worker thread cannot `process.chdir`.
 */
export async function runCliInProcess(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const main = await (loadedMain ??= import(join(ROOT, 'dist', 'src', 'cli', 'main.js')).then((m: { main: Main }) => m.main));
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  const [stdoutWrite, stderrWrite, cwd, exitCode, argv] = [process.stdout.write, process.stderr.write, process.cwd(), process.exitCode, process.argv];
  const cliArgs = withTestConfig(args);
  const given = Object.entries(opts.env ?? {});
  const envBefore = given.map(([k]) => [k, process.env[k]] as const);
  let code: number;
  try {
    setEnv(given);
    if (opts.cwd !== undefined) process.chdir(opts.cwd);
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    process.exitCode = undefined;
    process.argv = [process.execPath, BIN, ...cliArgs];
    code = await main(cliArgs);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    // A command sets the exit code of its process: here, the test runner's.
    process.exitCode = exitCode;
    process.argv = argv;
    process.chdir(cwd);
    setEnv(envBefore);
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}
