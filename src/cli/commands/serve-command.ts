/** `pnlopt serve`, declared: its name, options and help. The action (serve.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DB_HELP, intArg, withCommonOptions } from '../options.js';
import type { ServeOptions } from './serve.js';

/** The highest TCP port. */
const MAX_PORT = 65535;

export function registerServe(program: Command): void {
  withCommonOptions(
    program
      .command('serve')
      .description('a local web server, read-only on the database: the run list (status, budget, best, adoption) and each run\'s report page; Ctrl-C stops it')
      .option('--db <path>', DB_HELP)
      .option('--port <n>', 'TCP port (0: a free one, printed)', intArg(0, MAX_PORT), 0)
      .option('--host <address>', 'address to listen on (only this machine by default)', '127.0.0.1'),
  ).action(async (opts: ServeOptions) => (await import('./serve.js')).serveAction(opts));
}
