/** `pnlopt optimize`, declared: its name, options and help. The action (optimize.ts) is loaded when the command runs. */
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_BUDGET, OPTIMIZER_KINDS } from '../../config/optimizer-kinds.js';
import { EXIT_NOT_ADOPTED } from '../../errors.js';
import { DATA_HELP, DB_HELP, intArg, numArg, withCommonOptions } from '../options.js';
import { withWindowOptions } from '../window-options.js';
import { QUEUE_HELP, queueUrlArg } from '../queue-url.js';
import { parseShard, type Shard } from '../../jobs/shards.js';
import type { CliDeps } from './index.js';
import type { OptimizeOptions } from './optimize.js';

export function registerOptimize(program: Command, deps: CliDeps): void {
  withWindowOptions(withCommonOptions(
    program
      .command('optimize')
      .description('search a strategy family under the guardrails, rank the Pareto front, gate the best on the hold-out, store everything')
      .option('--config <file>', 'strategy optimization config (default: config/strategy_optimization_config.yml)')
      .option('--data <files...>', DATA_HELP)
      .option('--tickers <names...>', 'tickers to trade (default: all in the data)')
      .option('--family <name[,name]>', 'strategy family; several (comma-separated) for the bandit (default: optimizer.defaults.family)')
      .option('--optimizer <kind>', `${OPTIMIZER_KINDS.join('|')} (default: optimizer.defaults.optimizer)`)
      .option('--budget <n>', `candidates to evaluate, at most ${MAX_BUDGET} and what runtime.memory_fraction of RAM holds (default: optimizer.defaults.budget)`, intArg(1, MAX_BUDGET))
      .option('--max-seconds <s>', 'also stop after this wall time (a run it stops is not reproducible)', numArg(0))
      .option('--workers <n>', 'worker threads (default and most: the available cores)', intArg(1))
      .option('--allow-oversubscribe', 'allow --workers above the available cores')
      .option('--batch <n>', 'candidates per task (default: chosen from the measured costs; with --queue, queue.batch_size)', intArg(1))
      .option('--queue <url>', `publish the batches to workers (pnlopt worker) instead of local threads: ${QUEUE_HELP}`, queueUrlArg)
      .option('--seed <s>', 'random seed (default: optimizer.defaults.seed)', intArg(0))
      .option('--out <dir>', 'folder for summary.json (default: runtime.runs_dir/<run id>)')
      .option('--db <path>', DB_HELP)
      .option('--resume <run-id>', 'continue an interrupted or killed run with the options it was started with; the finished candidates are not evaluated again')
      .option('--shard <I/N>', `evaluate only shard I (from 0) of N of the candidates (random, lhs, sobol, halton): a contiguous block of ids, stored in --db; with nsga2, island I evolving that block; pnlopt merge joins the N shards into the run (docs/scale-out.md)`, shardArg)
      .option('--migrants <file>', 'an island (--optimizer nsga2 --shard I/N) of the next epoch: seed its first generation with the migrants pnlopt merge --migrate wrote (docs/scale-out.md)')
      .option('--no-report', 'do not write report.html beside summary.json (a batch job that reads only summary.json)')
      .option('--fail-if-not-adopted', `exit ${EXIT_NOT_ADOPTED} when the run completes but adopts nothing (for CI)`)
      .option('--per-regime', 'one run per regime of the first ticker, each on that regime\'s bars with its own hold-out, adopted under the regime key (regimes too short for the hold-out are skipped)'),
  ), true).action(async (opts: OptimizeOptions) => (await import('./optimize.js')).optimizeAction(opts, deps));
}

/** Parse `--shard I/N` (commander names the option on failure; exit code 2). */
function shardArg(value: string): Shard {
  const shard = parseShard(value);
  if (typeof shard === 'string') throw new InvalidArgumentError(shard);
  return shard;
}
