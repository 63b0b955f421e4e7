/** `pnlopt synth`: seeded multi-ticker OHLCV with regime switches, for tests and scale benchmarks. */
import { generateSynthetic, SYNTH_BYTES_PER_BAR } from '../../data/synth.js';
import { writeArrow, writeCsv } from '../../data/write.js';
import { UsageError } from '../../errors.js';
import { checkMemoryEstimate } from '../../memory-limit.js';
import { checkOutputPath } from '../../output.js';
import { configFrom } from '../command-config.js';
import { printResult, type CommonOptions } from '../options.js';

export interface SynthOptions extends CommonOptions {
  tickers: number;
  bars: number;
  seed: number;
  out: string;
}

/** Run `pnlopt synth` (declared in synth-command.ts, which loads this module when the command runs). */
export function synthAction(opts: SynthOptions): void {
  const cfg = configFrom(opts);
  // The format comes from the extension; `-` (standard output) has none and means CSV.
  const write =
    opts.out === '-' || /\.csv$/i.test(opts.out) ? writeCsv : /\.(arrow|feather|ipc)$/i.test(opts.out) ? writeArrow : undefined;
  if (write === undefined) {
    throw new UsageError(`--out ${opts.out}: expected a .csv, .arrow, .feather or .ipc file name (or - for CSV on standard output; Arrow needs a file name)`);
  }
  // Refused before generating: the data and the writer's copy of it are held in memory whole.
  const format = write === writeCsv ? 'csv' : 'arrow';
  const per = SYNTH_BYTES_PER_BAR[format];
  checkMemoryEstimate(`--tickers ${opts.tickers} --bars ${opts.bars}`, opts.tickers * opts.bars * per, `${per} bytes per bar written as ${format}`, cfg.runtime.runtime.memory_fraction);
  checkOutputPath(opts.out);
  const data = generateSynthetic({ tickers: opts.tickers, bars: opts.bars, seed: opts.seed, config: cfg.synthetic });
  write(data, opts.out);
  const summary = { out: opts.out, tickers: data.series.map((s) => s.ticker), bars: opts.bars, seed: opts.seed, data_hash: data.hash };
  const text = () => `wrote ${data.series.length} ticker(s) x ${opts.bars} bars to ${opts.out} (seed ${opts.seed}, data hash ${data.hash.slice(0, 12)})`;
  printResult(opts, summary, text, opts.out);
}
