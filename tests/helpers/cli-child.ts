/**
 * The built CLI as an asynchronous child process (`runCli` waits; this one can be watched, killed
 * or run beside another), optionally with the peak-RSS preload (bench/max-rss.ts, compiled to dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BIN, ROOT, withTestConfig } from './cli.js';

export interface CliChild {
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Peak RSS in bytes, once the child has exited (when started with `peakRss`). */
  peakBytes(): number | undefined;
}

/** Start `pnlopt ...args` (with the test config, see `withTestConfig`). */
export function spawnCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; peakRss?: boolean } = {}): CliChild {
  const preload = opts.peakRss === true ? ['--import', join(ROOT, 'dist', 'bench', 'max-rss.js')] : [];
  const child = spawn(process.execPath, [...preload, BIN, ...withTestConfig(args)], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exit,
    stdout: () => stdout,
    stderr: () => stderr,
    peakBytes: () => {
      const kib = /pnlopt-max-rss-kib (\d+)/.exec(stderr)?.[1];
      return kib === undefined ? undefined : Number(kib) * 1024;
    },
  };
}
