/**
 * The regime state: classification of constructed trade lists (hand-computed sharpe_N, thresholds,
 * N_min, zero variance) and update-regime-state's file (last-N window, tickers without closed trades,
 * round trip through the schema, determinism).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRegimeState } from '../../src/config/regime-state-file.js';
import { classifyTrades, updateRegimeState } from '../../src/jobs/regime-state.js';
import { DatabaseManager } from '../../src/store/database.js';
import { testConfig } from '../helpers/config.js';
import { closedTrades, insertFills } from '../helpers/paper-fills.js';

const cfg = testConfig();
// The test config: N = 20, N_min = 10, epsilon = 1e-9, green above 0.25, red below -0.25.
const rs = cfg.paper.regime_state;
// 1 + 1e-17 rounds to 1, so with a sample std of 1 sharpe_N is the mean exactly: the thresholds can be hit.
const exact = { ...rs, epsilon: 1e-17 };
const dir = mkdtempSync(join(tmpdir(), 'pnlopt-regime-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Ten trades with mean m and sample std exactly 1: deviations +-1.5 twice each (sum of squares 9 = 9 x 1^2) and six at m. */
function unitStd(m: number): number[] {
  return [m + 1.5, m - 1.5, m + 1.5, m - 1.5, m, m, m, m, m, m];
}

describe('classifyTrades', () => {
  it('explores with fewer than N_min trades: neutral, sharpe_N from 2 trades on', () => {
    expect(rs.min_trades).toBe(10);
    expect(classifyTrades([], rs)).toEqual({ n_trades: 0, sharpe_N: null, mode: 'exploration', state: 'neutral' });
    expect(classifyTrades([50], rs)).toEqual({ n_trades: 1, sharpe_N: null, mode: 'exploration', state: 'neutral' });
    // Nine strongly positive trades: still exploration. [3, 1] x 4 + [3]: mean 19/9, but neutral whatever it is.
    const nine = classifyTrades([3, 1, 3, 1, 3, 1, 3, 1, 3], rs);
    expect(nine).toMatchObject({ n_trades: 9, mode: 'exploration', state: 'neutral' });
    expect(nine.sharpe_N).toBeGreaterThan(rs.green_threshold);
  });

  it('exploits from exactly N_min trades, with sharpe_N = mean / (sample std + epsilon)', () => {
    // [3, 1] x 5: mean 2, squared deviations 1 each, sample variance 10 / 9, std sqrt(10/9) = 1.0540925533894598.
    const s = classifyTrades([3, 1, 3, 1, 3, 1, 3, 1, 3, 1], rs);
    expect(s).toMatchObject({ n_trades: 10, mode: 'exploitation', state: 'green' });
    expect(s.sharpe_N).toBeCloseTo(2 / (Math.sqrt(10 / 9) + 1e-9), 12);
    expect(s.sharpe_N).toBeCloseTo(1.8973665944, 9);
    // Negated: red. [1.1, -0.9] x 5: mean 0.1, same std: 0.0948683 is neutral.
    expect(classifyTrades([-3, -1, -3, -1, -3, -1, -3, -1, -3, -1], rs).state).toBe('red');
    const neutral = classifyTrades([1.1, -0.9, 1.1, -0.9, 1.1, -0.9, 1.1, -0.9, 1.1, -0.9], rs);
    expect(neutral.state).toBe('neutral');
    expect(neutral.sharpe_N).toBeCloseTo(0.1 / Math.sqrt(10 / 9), 8);
  });

  it('is neutral at a threshold itself, green just above it, red just below the red one', () => {
    expect(classifyTrades(unitStd(0.25), exact)).toMatchObject({ sharpe_N: 0.25, state: 'neutral' });
    expect(classifyTrades(unitStd(0.375), exact)).toMatchObject({ sharpe_N: 0.375, state: 'green' });
    expect(classifyTrades(unitStd(-0.25), exact)).toMatchObject({ sharpe_N: -0.25, state: 'neutral' });
    expect(classifyTrades(unitStd(-0.375), exact)).toMatchObject({ sharpe_N: -0.375, state: 'red' });
    // epsilon shrinks sharpe_N: 0.25 / (1 + 1e-9) is just below the green threshold.
    expect(classifyTrades(unitStd(0.25), rs).state).toBe('neutral');
  });

  it('classifies zero variance by the sign of the mean (mean / epsilon)', () => {
    expect(classifyTrades(Array(10).fill(5), rs)).toEqual({ n_trades: 10, sharpe_N: 5 / 1e-9, mode: 'exploitation', state: 'green' });
    expect(classifyTrades(Array(10).fill(-5), rs)).toEqual({ n_trades: 10, sharpe_N: -5 / 1e-9, mode: 'exploitation', state: 'red' });
    expect(classifyTrades(Array(10).fill(0), rs)).toEqual({ n_trades: 10, sharpe_N: 0, mode: 'exploitation', state: 'neutral' });
  });

  it('is neutral in exploitation when one trade leaves sharpe_N undefined (N_min = 1)', () => {
    expect(classifyTrades([7], { ...rs, min_trades: 1 })).toEqual({ n_trades: 1, sharpe_N: null, mode: 'exploitation', state: 'neutral' });
  });
});

describe('updateRegimeState', () => {
  it('classifies the last N trades per ticker, lists tickers without closed trades, and writes a file that reads back the same', () => {
    const dbm = new DatabaseManager(':memory:');
    // MSFT: 5 old heavy losses, then 20 trades of [3, 1]: only the last 20 count, so green.
    // Names that YAML or objects could misread round-trip as they are.
    insertFills(dbm, [
      ...closedTrades('MSFT', [-1000, -1000, -1000, -1000, -1000]),
      ...closedTrades('MSFT', Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 3 : 1)), { ts: 100 }),
      { ts: 1, ticker: 'AAPL', pnl: null },
      ...closedTrades('true', [-3, -1, -3, -1, -3, -1, -3, -1, -3, -1]),
      ...closedTrades('__proto__', [1, 2]),
      ...closedTrades('a: b\n#c', [1]),
    ]);
    const out = join(dir, 'state.yml');
    const u = updateRegimeState(cfg, dbm, out);
    expect(u.path).toBe(out);
    expect([...u.tickers.keys()]).toEqual(['AAPL', 'MSFT', '__proto__', 'a: b\n#c', 'true']);
    expect(u.tickers.get('MSFT')).toMatchObject({ n_trades: 20, mode: 'exploitation', state: 'green', multiplier: rs.multipliers.green });
    expect(u.tickers.get('AAPL')).toEqual({ n_trades: 0, sharpe_N: null, mode: 'exploration', state: 'neutral', multiplier: rs.multipliers.exploration });
    expect(u.tickers.get('true')).toMatchObject({ state: 'red', multiplier: rs.multipliers.red });
    expect(u.tickers.get('__proto__')).toMatchObject({ n_trades: 2, sharpe_N: 1.5 / (Math.sqrt(0.5) + 1e-9), mode: 'exploration' });
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Generated by pnlopt update-regime-state from trade_executions in ":memory:"/);
    const back = loadRegimeState(out)!;
    expect([...back.regime_state]).toEqual([...u.tickers].map(([t, { multiplier: _, ...s }]) => [t, s]));
    // Same store, same bytes.
    updateRegimeState(cfg, dbm, join(dir, 'again.yml'));
    expect(readFileSync(join(dir, 'again.yml'), 'utf8')).toBe(text);
    dbm.close();
  });

  it('writes an empty mapping for a store without fills', () => {
    const dbm = new DatabaseManager(':memory:');
    const out = join(dir, 'empty.yml');
    expect(updateRegimeState(cfg, dbm, out).tickers.size).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/\nregime_state: \{\}\n$/);
    expect(loadRegimeState(out)!.regime_state.size).toBe(0);
    dbm.close();
  });
});
