/**
 * `pnlopt update-regime-state`, the action (declared in update-regime-state-command.ts): the regime
 * state per ticker from the store's realized trades (src/jobs/regime-state.ts), written to
 * regime_state.yml. The store is opened read-only (never created or migrated); the output path is
 * checked first.
 */
import { regimeStatePath } from '../../config/regime-state-file.js';
import { updateRegimeState, type RegimeStateUpdate } from '../../jobs/regime-state.js';
import { checkOutputPath } from '../../output.js';
import { DatabaseManager } from '../../store/database.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { configFrom } from '../command-config.js';
import { dbPath } from '../data-args.js';
import { note, printResult, type CommonOptions } from '../options.js';
import { checkDistinct } from '../path-checks.js';
import { renderTable } from '../table.js';

export interface UpdateRegimeStateOptions extends CommonOptions {
  db?: string;
  out?: string;
}

/** Run `pnlopt update-regime-state`. */
export function updateRegimeStateAction(opts: UpdateRegimeStateOptions): void {
  const cfg = configFrom(opts);
  const db = dbPath(cfg, opts.db);
  const flag = opts.out === undefined ? 'regime_state.path' : '--out';
  const out = opts.out ?? regimeStatePath(cfg.paper.regime_state);
  checkOutputPath(out, flag);
  checkDistinct(out, flag, [['--db', db]]);
  const dbm = new DatabaseManager(db, MIGRATIONS, 'read');
  let update: RegimeStateUpdate;
  try {
    update = updateRegimeState(cfg, dbm, opts.out);
  } finally {
    dbm.close();
  }
  const empty = update.tickers.size === 0;
  if (empty && opts.json === true) note(opts, `${db}: no paper fills in trade_executions; wrote an empty regime state to ${out}`);
  const json = { path: update.path, tickers: Object.fromEntries(update.tickers) };
  printResult(opts, json, () => (empty ? `${db}: no paper fills in trade_executions; wrote an empty regime state (regime_state: {}) to ${out}` : stateText(update)), out);
}

export function stateText(u: RegimeStateUpdate): string {
  const rows = [...u.tickers].map(([t, s]) => [t, s.n_trades, s.sharpe_N, s.mode, s.state, s.multiplier]);
  return `${renderTable(['ticker', 'n_trades', 'sharpe_N', 'mode', 'state', 'multiplier'], rows)}\n\nwrote ${u.path}`;
}
