/** `pnlopt sample`, declared: its name, options and help. The action (sample.ts) is loaded when the command runs. */
import { Option, type Command } from 'commander';
import { SAMPLER_KINDS } from '../../config/optimizer-kinds.js';
import { intArg } from '../options.js';
import type { SampleOptions } from './sample.js';

export function registerSample(program: Command): void {
  program
    .command('sample')
    .description('write n points of the unit hypercube [0, 1)^dims from a sampler, as CSV')
    .addOption(new Option('--sampler <kind>', 'sampler').choices(SAMPLER_KINDS).makeOptionMandatory())
    .requiredOption('--n <n>', 'number of points', intArg(1))
    .requiredOption('--dims <d>', 'dimensions', intArg(1))
    .requiredOption('--seed <s>', 'random seed', intArg(0))
    .requiredOption('--out <file>', 'CSV to write (- for standard output)')
    .option('--maximin <iter>', 'lhs only: maximin coordinate-swap attempts that spread the design', intArg(0))
    .option('--scramble', 'sobol / halton only: randomise the sequence from the seed')
    .option('--json', 'print the result as JSON')
    .action(async (opts: SampleOptions) => (await import('./sample.js')).sampleAction(opts));
}
