/**
 * `hyperopt_config.yml` (src/config/hyperopt.ts) and its cross-file checks in `loadConfig`: ranges
 * that would loosen a guardrail, an evaluation window too short for the hold-out, the explore
 * share's bounds, and the trial's families and optimizer.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseOverrides } from '../../src/config/overrides.js';
import { ConfigError, InputError } from '../../src/errors.js';
import { testConfig } from '../helpers/config.js';
import { configDirWith } from '../helpers/config-dir.js';

type Doc = Parameters<Parameters<typeof configDirWith>[1]>[0];

/** The ConfigError of loading the test config with `edit` applied to one file. */
function errorOf(file: string, edit: (d: Doc) => void): ConfigError {
  const dir = configDirWith(file, edit);
  try {
    loadConfig({ dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const HYPEROPT = 'hyperopt_config.yml';

describe('hyperopt_config.yml', () => {
  it('loads the frozen test copy and the shipped file, with the trial families parsed to a list', () => {
    const t = testConfig().hyperopt;
    expect(t.hyperopt.explore_pct).toBe(30);
    expect(t.trial.families).toEqual(['ts_with_fallback']);
    // Reads config/ on purpose: the shipped ranges must be feasible.
    expect(loadConfig().hyperopt.hyperopt.ranges.evaluation_window_bars).toEqual({ low: 1008, high: 2520 });
  });

  it('accepts families as a comma string or a list', () => {
    const comma = configDirWith(HYPEROPT, (d) => {
      d.setIn(['trial', 'families'], 'sma_cross, ts_ensemble');
      d.setIn(['trial', 'optimizer'], 'bandit');
    });
    expect(loadConfig({ dir: comma }).hyperopt.trial.families).toEqual(['sma_cross', 'ts_ensemble']);
    const list = configDirWith(HYPEROPT, (d) => d.setIn(['trial', 'families'], d.createNode(['sma_cross'])));
    expect(loadConfig({ dir: list }).hyperopt.trial.families).toEqual(['sma_cross']);
  });

  it('refuses a range that would loosen a guardrail, located, as an InputError (exit 2)', () => {
    const edit = (d: Doc) => d.setIn(['hyperopt', 'ranges', 'min_expected_profit', 'low'], -1);
    const e = errorOf(HYPEROPT, edit);
    // The fixture's guardrails.min_expected_profit is 0.0.
    expect(e.issues).toEqual([{ path: 'hyperopt.ranges.min_expected_profit.low', message: expect.stringMatching(/^-1 would loosen the guardrail 0 \(.*quant_success_config\.yml: guardrails\.min_expected_profit\)/) }]);
    expect(e).toBeInstanceOf(InputError);
  });

  it('refuses an evaluation window whose hold-out share is below hold_out.min_bars, at the low', () => {
    // Fixture: hold_out_fraction 0.25, min_bars 252. floor(1007 x 0.25) = 251 < 252; 1008 gives 252 (loads).
    const e = errorOf(HYPEROPT, (d) => d.setIn(['hyperopt', 'ranges', 'evaluation_window_bars', 'low'], 1007));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0].path).toBe('hyperopt.ranges.evaluation_window_bars.low');
    expect(e.issues[0].message).toMatch(/^1007 bars leave 251 hold-out bars and 756 search bars at .*evaluation\.hold_out_fraction \(0\.25\); .*hold_out\.min_bars needs 252/);
    const seedRange = errorOf(HYPEROPT, (d) => d.setIn(['hyperopt', 'ranges', 'evaluation_window_bars', 'low'], 30));
    expect(seedRange.issues[0].path).toBe('hyperopt.ranges.evaluation_window_bars.low');
  });

  it('reads the hold-out fraction from the strategy file: a larger fraction makes a shorter low feasible', () => {
    // floor(900 x 0.3) = 270 >= 252 with the fraction at 0.3; at the fixture's 0.25 it is 225.
    const dir = configDirWith(HYPEROPT, (d) => d.setIn(['hyperopt', 'ranges', 'evaluation_window_bars', 'low'], 900));
    expect(() => loadConfig({ dir })).toThrow(ConfigError);
    expect(loadConfig({ dir, overrides: parseOverrides(['strategy_optimization.evaluation.hold_out_fraction=0.3']) }).hyperopt.hyperopt.ranges.evaluation_window_bars.low).toBe(900);
  });

  it('refuses a fractional window and an inverted range', () => {
    expect(errorOf(HYPEROPT, (d) => d.setIn(['hyperopt', 'ranges', 'evaluation_window_bars', 'high'], 1500.5)).message).toContain(
      'hyperopt.ranges.evaluation_window_bars.high: expected integer between 1 and 10000000, got 1500.5',
    );
    expect(errorOf(HYPEROPT, (d) => d.setIn(['hyperopt', 'ranges', 'min_expected_return', 'high'], 0.0001)).message).toContain(
      'hyperopt.ranges.min_expected_return: expected low <= high, got low 0.0002 and high 0.0001',
    );
  });

  it('keeps explore_pct within [explore_min_pct, explore_max_pct], located', () => {
    const above = errorOf(HYPEROPT, (d) => d.setIn(['hyperopt', 'explore_pct'], 80));
    expect(above.issues).toEqual([{ path: 'hyperopt.explore_pct', message: 'expected between explore_min_pct (10) and explore_max_pct (70), got 80' }]);
    const below = errorOf(HYPEROPT, (d) => d.setIn(['hyperopt', 'explore_pct'], 5));
    expect(below.issues[0].path).toBe('hyperopt.explore_pct');
    const inverted = errorOf(HYPEROPT, (d) => d.setIn(['hyperopt', 'explore_min_pct'], 90));
    expect(inverted.issues).toEqual([{ path: 'hyperopt.explore_min_pct', message: 'expected at most explore_max_pct (70), got 90' }]);
    expect(errorOf(HYPEROPT, (d) => d.setIn(['hyperopt', 'exploit_scale'], 0)).message).toContain('hyperopt.exploit_scale: expected number between 0 (exclusive) and 1, got 0');
  });

  it('checks the trial: known families, one family unless bandit, a budget of at least 1', () => {
    const unknown = errorOf(HYPEROPT, (d) => d.setIn(['trial', 'families'], 'sma_cross,nope'));
    expect(unknown.issues.map((i) => i.path)).toEqual(['trial.families', 'trial.optimizer']);
    expect(unknown.issues[0].message).toMatch(/^"nope" is not a family of .*strategy_optimization_config\.yml \(families: sma_cross, ts_ensemble, ts_with_fallback\)$/);
    expect(unknown.issues[1].message).toBe('nsga2 searches one family, got sma_cross, nope: give one family, or use bandit for several');
    expect(errorOf(HYPEROPT, (d) => d.setIn(['trial', 'families'], 'a,a')).message).toContain('trial.families: expected distinct families');
    expect(errorOf(HYPEROPT, (d) => d.setIn(['trial', 'families'], 'sma_cross,')).message).toContain('trial.families: expected non-empty family names');
    expect(errorOf(HYPEROPT, (d) => d.setIn(['trial', 'families'], 3)).message).toContain('trial.families: expected a family name, a comma-separated string of them or a list, got 3');
    expect(errorOf(HYPEROPT, (d) => d.setIn(['trial', 'optimizer'], 'grid')).message).toContain('trial.optimizer');
    expect(errorOf(HYPEROPT, (d) => d.setIn(['trial', 'budget'], 0)).message).toContain('trial.budget: expected integer between 1 and 1000000000, got 0');
    expect(errorOf(HYPEROPT, (d) => d.deleteIn(['trial', 'paper_bars'])).message).toContain('trial.paper_bars: expected integer between 1 and 10000000, got nothing (the key is missing)');
  });
});
