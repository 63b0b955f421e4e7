/** `pnlopt paper` from the command line: the session's books as JSON, a continued session, and bad input refused with exit 2 before anything is traded. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-paper-cli-'));
const data = join(tmp, 'syn.csv');
const db = join(tmp, 'p.db');
/** Forecasts cached in the temp folder; no regime-state file unless a test gives one. */
const base = ['--data', data, '--db', db, '--set', `runtime.runtime.cache_dir=${join(tmp, 'cache')}`, '--set', `paper_trading.regime_state.path=${join(tmp, 'state.yml')}`];

beforeAll(async () => {
  const r = await runCliInProcess(['synth', '--tickers', '2', '--bars', '600', '--seed', '4', '--out', data]);
  expect(r.code).toBe(0);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pnlopt paper', () => {
  it('prints the session\'s books as JSON, and continues the session where it stopped', async () => {
    const first = await runCliInProcess(['paper', ...base, '--to', '2001-12-31', '--json']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^paper: \d+\/\d+ \(100\.0%\) [\d.e+]+ bars\/s, ETA 0s\n$/); // progress only
    const a = JSON.parse(first.stdout) as Record<string, unknown>;
    for (const key of ['session_id', 'bars', 'trades', 'initial_capital', 'cash', 'positions', 'final_equity', 'realized_pnl']) expect(a).toHaveProperty(key);
    expect(a.last_bar).toBe('2001-12-31');
    const second = await runCliInProcess(['paper', ...base, '--json']);
    const b = JSON.parse(second.stdout) as Record<string, unknown>;
    expect(b.session_id).toBe(a.session_id);
    expect(b.bars).toBe((a.bars as number) + (b.new_bars as number));
    expect(b.new_bars).toBeGreaterThan(0);
    const text = await runCliInProcess(['paper', ...base]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^paper session [0-9a-f]{16}: ts_with_fallback on SYN\d+, SYN\d+, .* \(\d+ bars, 0 new\)/);
  }, 60_000);

  it('exits 2 on --from after the data ends, and on a malformed regime_state.yml, with nothing traded', async () => {
    const fresh = join(tmp, 'fresh.db');
    const args = ['paper', '--data', data, '--db', fresh, '--set', `runtime.runtime.cache_dir=${join(tmp, 'cache')}`];
    const late = await runCliInProcess([...args, '--from', '2030-01-01']);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/--from 2030-01-01 is after the data's last bar \(\d{4}-\d{2}-\d{2}\)/);
    const bad = join(tmp, 'bad.yml');
    writeFileSync(bad, 'regime_state:\n  SYN1: { n_trades: -1, sharpe_N: null, mode: exploration, state: neutral }\n');
    const malformed = await runCliInProcess([...args, '--set', `paper_trading.regime_state.path=${bad}`]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/bad\.yml: regime_state\.SYN1\.n_trades: /);
    const runs = await runCliInProcess(['paper', ...args.slice(1), '--set', `paper_trading.regime_state.path=${bad}`, '--json']);
    expect(runs.code).toBe(2);
  });
});
