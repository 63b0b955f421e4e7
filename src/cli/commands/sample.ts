/** `pnlopt sample`: unit-cube points from one sampler, as CSV (header x0..x{D-1}, one point per row). */
import { UsageError } from '../../errors.js';
import { createSampler } from '../../search/sampler.js';
import type { SamplerKind } from '../../config/optimizer-settings.js';
import { checkOutputPath, writeOutput } from '../../output.js';
import { printResult } from '../options.js';

export interface SampleOptions {
  sampler: SamplerKind;
  n: number;
  dims: number;
  seed: number;
  out: string;
  maximin?: number;
  scramble?: boolean;
  json?: boolean;
}

/** Run `pnlopt sample` (declared in sample-command.ts, which loads this module when the command runs). */
export function sampleAction(opts: SampleOptions): void {
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
}
