/** `pnlopt sample`: unit-cube points from one sampler, as CSV (header x0..x{D-1}, one point per row). */
import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { createSampler } from '../../search/sampler.js';
import { SAMPLER_KINDS, type SamplerKind } from '../../config/optimizer-settings.js';
import { checkOutputPath, writeOutput } from '../../output.js';
import { intArg, printResult } from '../options.js';

interface SampleOptions {
  sampler: SamplerKind;
  n: number;
  dims: number;
  seed: number;
  out: string;
  maximin?: number;
  scramble?: boolean;
  json?: boolean;
}

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
    .action((opts: SampleOptions) => {
      if (opts.maximin !== undefined && opts.sampler !== 'lhs') throw new UsageError(`--maximin applies to --sampler lhs, not ${opts.sampler}`);
      if (opts.scramble && opts.sampler !== 'sobol' && opts.sampler !== 'halton') {
        throw new UsageError(`--scramble applies to --sampler sobol or halton, not ${opts.sampler}`);
      }
      checkOutputPath(opts.out);
      const { n, dims } = opts;
      const sampler = createSampler(opts.sampler, {
        dims,
        seed: opts.seed,
        maximinIterations: opts.maximin ?? 0,
        scramble: opts.scramble ?? false,
      });
      const U = new Float64Array(n * dims);
      sampler.sample(n, U);
      const lines = new Array<string>(n + 1);
      lines[0] = Array.from({ length: dims }, (_, j) => `x${j}`).join(',');
      // String(v) is the shortest decimal that reads back to the same double.
      for (let i = 0; i < n; i++) lines[i + 1] = Array.from(U.subarray(i * dims, (i + 1) * dims), String).join(',');
      writeOutput(opts.out, lines.join('\n') + '\n');
      const summary = { out: opts.out, sampler: opts.sampler, n, dims, seed: opts.seed };
      const text = () => `wrote ${n} ${opts.sampler} point(s) in ${dims} dimension(s) to ${opts.out} (seed ${opts.seed})`;
      printResult(opts, summary, text, opts.out);
    });
}
