import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { canonicalJson } from '../../src/hashing.js';
import { ConfigError } from '../../src/errors.js';
import { testConfig } from '../helpers/config.js';
import { configDirWith } from '../helpers/config-dir.js';

// Tests of error reporting edit a copy of the frozen test config (configDirWith). Two tests read the
// shipped config/ on purpose (loadConfig() with no dir): they check the shipped files themselves.

/** The ConfigError message of loading `dir`, or a failure if it loads. */
function errorOf(dir: string): string {
  try {
    loadConfig({ dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads and validates the shipped config', () => {
    // Reads config/ on purpose: the shipped files must load.
    const cfg = loadConfig();
    expect(Object.keys(cfg.strategy.families)).toEqual(['sma_cross', 'ts_ensemble', 'ts_with_fallback']);
    expect(cfg.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names file, key path and the problem for a bad guardrail value', () => {
    const dir = configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'max_drawdown'], 'abc'));
    expect(errorOf(dir)).toBe(`${join(dir, 'quant_success_config.yml')}: guardrails.max_drawdown: expected number between 0 and 1, got "abc"`);
  });

  it('reports out-of-range numbers with the value found', () => {
    const dir = configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1.5));
    expect(errorOf(dir)).toContain('signal_routing.time_series.capital_at_risk_per_trade: expected number between 0 and 1, got 1.5');
  });

  it('rejects misspelled keys (strict objects) and missing keys', () => {
    const typo = configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'max_drawdwn'], 0.2));
    expect(errorOf(typo)).toMatch(/guardrails: Unrecognized key: "max_drawdwn"/);
    const missing = configDirWith('quant_success_config.yml', (d) => d.deleteIn(['guardrails', 'min_win_rate']));
    expect(errorOf(missing)).toContain('guardrails.min_win_rate: expected number between 0 and 1, got nothing (the key is missing)');
  });

  it('reports YAML syntax errors with the file and line', () => {
    const dir = configDirWith('regime_config.yml', () => undefined);
    writeFileSync(join(dir, 'regime_config.yml'), 'regimes:\n  trend: [1, 2\n');
    expect(errorOf(dir)).toMatch(/regime_config\.yml: line \d+: YAML syntax/);
  });

  it('refuses an alias bomb (aliases expanding exponentially) with a ConfigError naming the file', () => {
    const dir = configDirWith('regime_config.yml', () => undefined);
    // 9 aliases per level over 8 levels: 9^8 strings once expanded, from under 1 KB of YAML.
    const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 8; i++) levels.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    writeFileSync(join(dir, 'regime_config.yml'), levels.join('\n') + '\n');
    expect(errorOf(dir)).toMatch(/regime_config\.yml: \(root\): YAML: Excessive alias count/);
  });

  it('looks names up in its name-keyed records only: __proto__ or constructor finds nothing', () => {
    const cfg = testConfig();
    for (const name of ['__proto__', 'constructor', 'toString']) {
      expect(cfg.strategy.families[name], name).toBeUndefined();
      expect(cfg.strategy.param_groups[name], name).toBeUndefined();
      expect(cfg.strategy.asset_classes.tickers[name], name).toBeUndefined();
    }
    expect(Object.keys(cfg.strategy.families)).toEqual(['sma_cross', 'ts_ensemble', 'ts_with_fallback']);
  });

  it('rejects a search space that names a guardrail key, in a family or in a group', () => {
    const inFamily = configDirWith('strategy_optimization_config.yml', (d) =>
      d.setIn(['families', 'sma_cross', 'params', 'max_drawdown'], d.createNode({ type: 'uniform', low: 0.1, high: 0.9 })),
    );
    expect(errorOf(inFamily)).toContain(
      'families.sma_cross.params.max_drawdown: names the guardrail "max_drawdown" (',
    );
    const inGroup = configDirWith('strategy_optimization_config.yml', (d) =>
      d.setIn(['param_groups', 'sizing', 'capital_at_risk_per_trade'], d.createNode({ type: 'uniform', low: 0.01, high: 0.2 })),
    );
    expect(errorOf(inGroup)).toMatch(/param_groups\.sizing\.capital_at_risk_per_trade: names the guardrail .*signal_routing\.time_series\.capital_at_risk_per_trade/);
  });

  it('checks groups, conditions and constraints resolve', () => {
    const dir = configDirWith('strategy_optimization_config.yml', (d) => {
      d.setIn(['families', 'ts_ensemble', 'groups'], d.createNode(['ensemble', 'nosuch']));
      d.setIn(['param_groups', 'sizing', 'kelly_cap', 'when'], d.createNode({ sizing: 'martingale' }));
      d.setIn(['families', 'sma_cross', 'constraints', 0, 'rhs'], 'slowest');
    });
    const msg = errorOf(dir);
    expect(msg).toContain('families.ts_ensemble.groups: unknown parameter group "nosuch"');
    expect(msg).toContain('param_groups.sizing.kelly_cap.when.sizing: "martingale" is not a choice of sizing');
    expect(msg).toContain('families.sma_cross.constraints.0: "slowest" is not a numeric parameter of family sma_cross');
  });

  it('rejects an empty or inverted parameter range and an unknown distribution', () => {
    const dir = configDirWith('strategy_optimization_config.yml', (d) => {
      d.setIn(['families', 'sma_cross', 'params', 'fast', 'high'], 1);
      d.setIn(['families', 'sma_cross', 'params', 'slow', 'type'], 'gaussian');
    });
    const msg = errorOf(dir);
    expect(msg).toContain('families.sma_cross.params.fast.high: expected high > low (2), got 1');
    expect(msg).toContain('families.sma_cross.params.slow.type');
  });

  it('keeps hyper-parameter ranges from loosening a guardrail', () => {
    const dir = configDirWith('hyperopt_config.yml', (d) => d.setIn(['hyperopt', 'ranges', 'min_expected_return', 'low'], 0.00001));
    expect(errorOf(dir)).toContain("hyperopt.ranges.min_expected_return.low: 0.00001 would loosen the guardrail 0.0002 (");
  });

  it('hands guardrails out frozen: code cannot lower them', () => {
    // Reads config/ on purpose: the guardrails of the shipped config are the ones that must be frozen.
    const cfg = loadConfig();
    const before = cfg.quantSuccess.guardrails.max_drawdown;
    expect(() => {
      (cfg.quantSuccess.guardrails as { max_drawdown: number }).max_drawdown = 0.99;
    }).toThrow(TypeError);
    expect(() => {
      (cfg.signalRouting.signal_routing.time_series as { min_expected_return: number }).min_expected_return = 0;
    }).toThrow(TypeError);
    expect(cfg.quantSuccess.guardrails.max_drawdown).toBe(before);
  });

  it('hashes configs canonically: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe('{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
    const changed = configDirWith('regime_config.yml', (d) => d.setIn(['regimes', 'trend', 'lookback'], 127));
    expect(loadConfig({ dir: changed }).hash).not.toBe(testConfig().hash);
  });
});
