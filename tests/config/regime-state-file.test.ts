/** regime_state.yml: the schema, the missing file (plain cap), located errors, and the multiplier lookup. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { REGIME_MODES, REGIME_STATES } from '../../src/config/paper.js';
import { loadRegimeState, regimeStatePath, riskMultiplier, type RegimeStateFile } from '../../src/config/regime-state-file.js';
import { ConfigError } from '../../src/errors.js';
import { projectRoot } from '../../src/paths.js';
import { testConfig } from '../helpers/config.js';

const rs = testConfig().paper.regime_state;
const dir = mkdtempSync(join(tmpdir(), 'pnlopt-regime-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadRegimeState', () => {
  it('reads a valid file into a Map, keeping ticker names that are object keys', () => {
    const path = file('ok.yml', [
      'regime_state:',
      '  AAPL: { n_trades: 12, sharpe_N: 0.85, mode: exploitation, state: green }',
      '  __proto__: { n_trades: 1, sharpe_N: null, mode: exploration, state: neutral }',
      '  constructor: { n_trades: 0, sharpe_N: null, mode: exploration, state: neutral }',
      '',
    ].join('\n'));
    const s = loadRegimeState(path)!;
    expect([...s.regime_state.keys()]).toEqual(['AAPL', '__proto__', 'constructor']);
    expect(s.regime_state.get('AAPL')).toEqual({ n_trades: 12, sharpe_N: 0.85, mode: 'exploitation', state: 'green' });
    expect(loadRegimeState(file('empty.yml', 'regime_state: {}\n'))!.regime_state.size).toBe(0);
  });

  it('returns null for a missing file', () => {
    expect(loadRegimeState(join(dir, 'missing.yml'))).toBeNull();
  });

  it('refuses a malformed file with located errors', () => {
    const bad = file('bad.yml', [
      'regime_state:',
      '  AAPL: { n_trades: -1, sharpe_N: null, mode: exploitation, state: green }',
      '  MSFT: { n_trades: 5, sharpe_N: 0.1, mode: exploiting, state: green, extra: 1 }',
      '  SPX: { n_trades: 1, sharpe_N: 0.5, mode: exploitation, state: neutral }',
      '  QQQ: { n_trades: 3, sharpe_N: 0.1, mode: exploration, state: red }',
      '',
    ].join('\n'));
    const err = (() => {
      try {
        loadRegimeState(bad);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    expect(msg).toContain(`${bad}: regime_state.AAPL.n_trades: expected integer >= 0, got -1`);
    expect(msg).toMatch(new RegExp(`${bad}: regime_state\\.MSFT\\.mode: .*"exploration"\\|"exploitation"`));
    expect(msg).toMatch(new RegExp(`${bad}: regime_state\\.MSFT: .*extra`));
    expect(msg).toContain(`${bad}: regime_state.SPX.sharpe_N: expected null with fewer than 2 trades (no sample std)`);
    expect(msg).toContain(`${bad}: regime_state.QQQ.state: expected neutral in exploration mode`);
    expect(() => loadRegimeState(file('list.yml', 'regime_state: [AAPL]\n'))).toThrow(`regime_state: expected a mapping of ticker -> state ({} for none), got ["AAPL"]`);
    expect(() => loadRegimeState(file('syntax.yml', 'regime_state: {\n'))).toThrow(/syntax\.yml: line \d+: YAML syntax/);
    expect(() => loadRegimeState(file('other.yml', 'state: {}\n'))).toThrow(/other\.yml: \(root\): .*state/);
  });
});

describe('riskMultiplier', () => {
  const state = (mode: 'exploration' | 'exploitation', s: 'green' | 'neutral' | 'red'): RegimeStateFile => ({
    regime_state: new Map([['AAPL', { n_trades: 20, sharpe_N: 1, mode, state: s }]]),
  });

  it('scales by the mode in exploration, by the state in exploitation, and keeps the plain cap without a state', () => {
    expect(riskMultiplier(rs, state('exploration', 'neutral'), 'AAPL')).toEqual({ multiplier: rs.multipliers.exploration, mode: 'exploration', state: 'neutral' });
    expect(riskMultiplier(rs, state('exploitation', 'green'), 'AAPL').multiplier).toBe(rs.multipliers.green);
    expect(riskMultiplier(rs, state('exploitation', 'red'), 'AAPL').multiplier).toBe(rs.multipliers.red);
    expect(riskMultiplier(rs, state('exploitation', 'neutral'), 'AAPL').multiplier).toBe(rs.multipliers.neutral);
    expect(riskMultiplier(rs, null, 'AAPL')).toEqual({ multiplier: 1, mode: null, state: null });
    expect(riskMultiplier(rs, state('exploitation', 'green'), 'MSFT')).toEqual({ multiplier: 1, mode: null, state: null });
    // A ticker named like an Object.prototype member is not found in the state.
    expect(riskMultiplier(rs, state('exploitation', 'green'), 'constructor').multiplier).toBe(1);
  });

  it('always returns one of the configured multipliers, or 1 for a ticker without a state', () => {
    const entry = fc.record({ mode: fc.constantFrom(...REGIME_MODES), state: fc.constantFrom(...REGIME_STATES) });
    const allowed = new Set([...Object.values(rs.multipliers), 1]);
    fc.assert(
      fc.property(fc.option(fc.dictionary(fc.string(), entry), { nil: null }), fc.string(), (entries, ticker) => {
        const f: RegimeStateFile | null =
          entries === null ? null : { regime_state: new Map(Object.entries(entries).map(([t, e]) => [t, { n_trades: 20, sharpe_N: 0, ...e }])) };
        const m = riskMultiplier(rs, f, ticker);
        expect(allowed.has(m.multiplier)).toBe(true);
        const e = f?.regime_state.get(ticker);
        if (e === undefined) expect(m).toEqual({ multiplier: 1, mode: null, state: null });
        else expect(m.multiplier).toBe(e.mode === 'exploration' ? rs.multipliers.exploration : rs.multipliers[e.state]);
      }),
    );
  });
});

describe('regimeStatePath', () => {
  it('resolves a relative path against the project root, keeps an absolute one', () => {
    expect(regimeStatePath(rs)).toBe(join(projectRoot(), rs.path));
    expect(regimeStatePath({ ...rs, path: '/tmp/x.yml' })).toBe('/tmp/x.yml');
  });
});
