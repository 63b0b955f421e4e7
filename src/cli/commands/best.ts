/**
 * `pnlopt best`, the action (declared in best-command.ts): per family, the configuration to use now
 * (src/jobs/best.ts). `--json` prints one object for a `--family`, else an array.
 */
import { bestConfigurations, type BestAnswer } from '../../jobs/best.js';
import { configFrom } from '../command-config.js';
import { dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { printResult, type CommonOptions } from '../options.js';
import { fmt, wrapWords } from '../table.js';

export interface BestOptions extends CommonOptions {
  family?: string;
  regime: string;
  data?: string[];
  tickers?: string[];
  db?: string;
}

export async function bestAction(opts: BestOptions): Promise<void> {
  const cfg = configFrom(opts);
  const data = loadData(cfg, opts.data, opts.quiet === true);
  const dbm = openStoreForWrite(dbPath(cfg, opts.db));
  try {
    const answers = await bestConfigurations({ cfg, data, tickers: opts.tickers, families: opts.family === undefined ? undefined : [opts.family], regime: opts.regime, dbm });
    printResult(opts, opts.family === undefined ? answers : answers[0], () => answers.map(answerText).join('\n\n'));
  } finally {
    dbm.close();
  }
}

export function answerText(a: BestAnswer): string {
  const params = Object.entries(a.params).map(([k, v]) => `${k}=${typeof v === 'number' ? String(v) : v}`).join(' ');
  const m = a.metrics;
  return [
    `${a.family} in regime ${a.regime}: ${a.source}${a.run_id !== null ? ` (run ${a.run_id}, ${fmt(a.age_days)} days old)` : ''}`,
    wrapWords('  why: ', a.reason, '    '),
    wrapWords('  params: ', params, '    '),
    `  last ${a.recent.join(' .. ')}: sharpe ${fmt(m.sharpe)}, total return ${fmt(m.total_return)}, max drawdown ${fmt(m.max_drawdown)}, trades ${fmt(m.total_trades)}`,
    ...(a.realized !== null
      ? [`  realized: ${a.realized.total_trades} paper trades, win rate ${fmt(a.realized.win_rate)}, profit factor ${fmt(a.realized.profit_factor)}, max drawdown ${fmt(a.realized.max_drawdown)}${a.realized.judged ? '' : ' (too few to judge)'}`]
      : []),
    ...(a.requested !== null ? [`  re-optimization requested (${a.requested}); pnlopt check-triggers --run carries it out`] : []),
  ].join('\n');
}
