/** `pnlopt worker`, declared: its name, options and help. The action (worker.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { intArg, withCommonOptions } from '../options.js';
import { QUEUE_HELP, queueUrlArg } from '../queue-url.js';
import type { CliDeps } from './index.js';
import type { WorkerOptions } from './worker.js';

export function registerWorker(program: Command, deps: CliDeps): void {
  withCommonOptions(
    program
      .command('worker')
      .description('evaluate the batches that `pnlopt optimize --queue` publishes, on this machine\'s threads, until SIGINT or SIGTERM (the jobs running finish first); run any number, on any machines')
      .requiredOption('--queue <url>', QUEUE_HELP, queueUrlArg)
      .option('--workers <n>', 'worker threads (default and most: the available cores)', intArg(1))
      .option('--allow-oversubscribe', 'allow --workers above the available cores'),
  ).action(async (opts: WorkerOptions) => (await import('./worker.js')).workerAction(opts, deps));
}
