/**
 * `checkFamilies` refuses a searched parameter the family's kernel does not read (issue 11): it
 * would be searched, stored and reported with no effect. Each is a ConfigError at the parameter's
 * declared path; through the CLI, exit 2 and nothing written. (The other registry checks:
 * registry.test.ts.)
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { checkFamilies } from '../../../src/simulation/families/check.js';
import { runCli } from '../../helpers/cli.js';
import { LIVE_CONFIG_DIR, testConfig } from '../../helpers/config.js';
import { configDirWith } from '../../helpers/config-dir.js';

const STRATEGY = 'strategy_optimization_config.yml';
const UNREAD = { type: 'uniform', low: 0.5, high: 1.5 };

function issuesOf(dir: string): ConfigError['issues'] {
  try {
    checkFamilies(loadConfig({ dir }));
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('checkFamilies: unread parameters', () => {
  it('accepts the test config and the shipped config: every declared parameter is read', () => {
    expect(() => checkFamilies(testConfig())).not.toThrow();
    expect(() => checkFamilies(loadConfig({ dir: LIVE_CONFIG_DIR }))).not.toThrow();
  });

  it('refuses a group parameter no kernel reads, once per family that searches the group', () => {
    const dir = configDirWith(STRATEGY, (d) => d.setIn(['param_groups', 'sizing', 'regime_multiplier_green'], d.createNode(UNREAD)));
    const issues = issuesOf(dir);
    // sizing is a group of ts_ensemble and ts_with_fallback (not sma_cross): one issue each, same path.
    expect(issues.map((i) => i.path)).toEqual(['param_groups.sizing.regime_multiplier_green', 'param_groups.sizing.regime_multiplier_green']);
    expect(issues[0].message).toMatch(/^searched by family ts_ensemble, but kernel ts_ensemble does not read it \(reads: direction, noise_filter_k, .*atr_window\)/);
    expect(issues[1].message).toMatch(/^searched by family ts_with_fallback, but kernel ts_with_fallback does not read it \(reads: .*fallback_rule, .*\)/);
    expect(new Set(issues.map((i) => i.message)).size).toBe(issues.length);
  });

  it('refuses a family parameter its kernel does not read, at families.<name>.params.<param>', () => {
    const dir = configDirWith(STRATEGY, (d) => d.setIn(['families', 'sma_cross', 'params', 'lookback'], d.createNode({ type: 'int', low: 5, high: 50 })));
    expect(issuesOf(dir)).toEqual([
      { path: 'families.sma_cross.params.lookback', message: expect.stringMatching(/^searched by family sma_cross, but kernel sma_cross does not read it \(reads: fast, slow\)/) },
    ]);
  });

  it('refuses a model switch and weight whose model is not in forecast_models, saying so', () => {
    const dir = configDirWith(STRATEGY, (d) => d.deleteIn(['forecast_models', 'garch']));
    const issues = issuesOf(dir);
    const paths = ['param_groups.ensemble.use_garch', 'param_groups.ensemble.w_garch'];
    expect(issues.map((i) => i.path)).toEqual([...paths, ...paths]);
    for (const [i, family] of ['ts_ensemble', 'ts_ensemble', 'ts_with_fallback', 'ts_with_fallback'].entries()) {
      expect(issues[i].message).toBe(`searched by family ${family}, but kernel ${family} reads it only for forecast model garch, which is not in forecast_models: configure the model or remove the parameter`);
    }
  });

  it('refuses basket: true on a one-ticker kernel, whose basket columns would change nothing', () => {
    const dir = configDirWith(STRATEGY, (d) => d.setIn(['families', 'sma_cross', 'basket'], true));
    expect(issuesOf(dir)).toEqual([{ path: 'families.sma_cross.basket', message: 'kernel sma_cross trades one ticker, so it has no basket to search: remove basket: true' }]);
  });

  it('reports every unread parameter of every family in one error', () => {
    const dir = configDirWith(STRATEGY, (d) => {
      d.setIn(['param_groups', 'execution', 'max_hold_bars'], d.createNode({ type: 'int', low: 1, high: 20 }));
      d.setIn(['families', 'ts_with_fallback', 'params', 'fallback_exit_z'], d.createNode(UNREAD));
    });
    expect(issuesOf(dir).map((i) => i.path)).toEqual([
      'param_groups.execution.max_hold_bars', // ts_ensemble
      'param_groups.execution.max_hold_bars', // ts_with_fallback
      'families.ts_with_fallback.params.fallback_exit_z',
    ]);
  });

  it('through the CLI: optimize exits 2 naming file and key, and writes nothing (no store, no run folder)', () => {
    const config = configDirWith(STRATEGY, (d) => d.setIn(['param_groups', 'sizing', 'regime_multiplier_green'], d.createNode(UNREAD)));
    const cwd = mkdtempSync(join(tmpdir(), 'pnlopt-check-'));
    const r = runCli(['optimize', '--config-dir', config, '--family', 'ts_ensemble', '--budget', '10', '--db', join(cwd, 'o.db'), '--out', join(cwd, 'run')], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${STRATEGY}: param_groups.sizing.regime_multiplier_green: searched by family ts_ensemble, but kernel ts_ensemble does not read it`);
    // Neither the named store and run folder nor the defaults under the working directory (.pnlopt/).
    expect(readdirSync(cwd)).toEqual([]);
  });
});
