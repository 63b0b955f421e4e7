/** `pnlopt merge`, declared: its name, options and help. The action (merge.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DATA_HELP, intArg, withCommonOptions } from '../options.js';
import type { CliDeps } from './index.js';
import type { MergeOptions } from './merge.js';

export function registerMerge(program: Command, deps: CliDeps): void {
  withCommonOptions(
    program
      .command('merge')
      .description('join the shards of a sharded run (optimize --shard I/N) into one run: check they are every shard of one run, copy their candidates, rank the Pareto front, gate the best on the hold-out, write summary.json')
      .argument('<shards...>', "the shards' SQLite files (--db of each optimize --shard)")
      .requiredOption('--out <db>', 'SQLite database the merged run is written to (created when missing)')
      .option('--data <files...>', `the shards' data where it lives here (default: the files the shards recorded); it must hash as theirs. ${DATA_HELP}`)
      .option('--migrate <file>', 'islands (nsga2 shards): also write the migrants of the next epoch, optimizer.nsga2.migrants best of each island, which its islands read with optimize --migrants (docs/scale-out.md)')
      .option('--run-dir <dir>', 'folder for summary.json (default: runtime.runs_dir/<run id>)')
      .option('--workers <n>', 'worker threads for the candidates a shard stored as failed, tried again (default: 1)', intArg(1))
      .option('--allow-oversubscribe', 'allow --workers above the available cores'),
  ).action(async (shards: string[], opts: MergeOptions) => (await import('./merge.js')).mergeAction(shards, opts, deps));
}
