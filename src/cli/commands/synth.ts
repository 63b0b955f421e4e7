/** `pnlopt synth`: seeded multi-ticker OHLCV with regime switches, for tests and scale benchmarks. */
import { FactorLoading } from '../../config/synthetic.js';
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
  /** Comma-separated factor loadings, one per ticker (overrides `factor.loadings` in config). */
  factorLoadings?: string;
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
  const config = opts.factorLoadings === undefined ? cfg.synthetic : { ...cfg.synthetic, factor: { loadings: factorLoadings(opts.factorLoadings, opts.tickers) } };
  // Refused before generating: the data and the writer's copy of it are held in memory whole.
  const format = write === writeCsv ? 'csv' : 'arrow';
  const per = SYNTH_BYTES_PER_BAR[format];
  checkMemoryEstimate(`--tickers ${opts.tickers} --bars ${opts.bars}`, opts.tickers * opts.bars * per, `${per} bytes per bar written as ${format}`, cfg.runtime.runtime.memory_fraction);
  checkOutputPath(opts.out);
  const data = generateSynthetic({ tickers: opts.tickers, bars: opts.bars, seed: opts.seed, config });
  write(data, opts.out);
  const summary = {
    out: opts.out, tickers: data.series.map((s) => s.ticker), bars: opts.bars, seed: opts.seed, factor_loadings: config.factor.loadings, data_hash: data.hash,
  };
  const text = () => `wrote ${data.series.length} ticker(s) x ${opts.bars} bars to ${opts.out} (seed ${opts.seed}, data hash ${data.hash.slice(0, 12)})`;
  printResult(opts, summary, text, opts.out);
}

/** `--factor-loadings`: one number in [-1, 1] per ticker, comma-separated. */
function factorLoadings(text: string, tickers: number): number[] {
  const items = text.split(',').map((x) => x.trim());
  const loadings = items.map((x) => (x === '' ? NaN : Number(x)));
  const bad = items.filter((_, i) => !FactorLoading.safeParse(loadings[i]).success);
  if (bad.length > 0) throw new UsageError(`--factor-loadings: expected numbers from -1 to 1, got "${bad.join('", "')}"`);
  if (loadings.length !== tickers) throw new UsageError(`--factor-loadings: ${loadings.length} loading(s) for --tickers ${tickers}; give one per ticker`);
  return loadings;
}
