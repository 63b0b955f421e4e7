/**
 * `pnlopt realized`, the action (declared in realized-command.ts): paper-traded configurations
 * scored on their closed trades (src/jobs/realized.ts). The store is opened read-only.
 */
import { scoreRealized, type RealizedScores } from '../../jobs/realized.js';
import { DatabaseManager } from '../../store/database.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { configFrom } from '../command-config.js';
import { dbPath } from '../data-args.js';
import { printResult, type CommonOptions } from '../options.js';
import { fmt, renderTable } from '../table.js';

export interface RealizedOptions extends CommonOptions {
  db?: string;
  family?: string;
  regime?: string;
}

export function realizedAction(opts: RealizedOptions): void {
  const cfg = configFrom(opts);
  const db = dbPath(cfg, opts.db);
  const dbm = new DatabaseManager(db, MIGRATIONS, 'read');
  let scores: RealizedScores;
  try {
    scores = scoreRealized(cfg, dbm, { family: opts.family, regime: opts.regime });
  } finally {
    dbm.close();
  }
  printResult(opts, scores, () => realizedText(db, scores));
}

function realizedText(db: string, s: RealizedScores): string {
  if (s.candidates.length === 0) return `${db}: no closed paper trade to score; pnlopt paper records them`;
  const rows = s.candidates.map((c, i) => [
    i === s.best ? '*' : '', String(c.front_rank), c.family, c.source, c.config_id === null ? '-' : String(c.config_id), c.regimes.join(' '),
    fmt(c.metrics.total_trades), fmt(c.metrics.win_rate), fmt(c.metrics.profit_factor), fmt(c.metrics.total_return), fmt(c.metrics.max_drawdown),
    c.feasible ? 'yes' : c.failed_guardrails.join(', '),
  ]);
  return [
    renderTable(['best', 'front', 'family', 'source', 'config', 'regimes', 'trades', 'win_rate', 'profit_factor', 'total_return', 'max_drawdown', 'feasible'], rows),
    '',
    s.best === null ? 'no configuration meets the guardrails on its realized trades' : `best under constraints: row ${s.best + 1}`,
    `guardrails judged on realized trades: ${s.judged_guardrails.join(', ')}`,
    ...(s.undefined_objectives.length > 0 ? [`objectives closed trades cannot give (null, ranked last): ${s.undefined_objectives.join(', ')}`] : []),
  ].join('\n');
}
