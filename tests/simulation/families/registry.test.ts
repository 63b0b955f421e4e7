/**
 * The family registry: every configured family is checked against it before anything runs
 * (unknown kernel, a parameter the kernel reads missing from the search space, a choice the kernel
 * has no code for), each as a ConfigError naming the file and key; and a family that reuses a
 * kernel needs only YAML: a new family on sma_cross evaluates exactly like sma_cross.
 */
import { describe, expect, it } from 'vitest';
import { METRIC_COUNT } from '../../../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../../../src/config/load.js';
import { paramLayout } from '../../../src/config/param-layout.js';
import { ConfigError } from '../../../src/errors.js';
import { createEvaluator } from '../../../src/simulation/evaluator.js';
import { checkFamilies } from '../../../src/simulation/families/check.js';
import { FAMILY_MODULES, familyModule, KERNEL_NAMES } from '../../../src/simulation/families/index.js';
import { createRng } from '../../../src/rng.js';
import { LIVE_CONFIG_DIR } from '../../helpers/config.js';
import { configDirWith } from '../../helpers/config-dir.js';
import { contextFor, panelFromOpenClose, randomWalk } from '../../helpers/panel.js';

const STRATEGY = 'strategy_optimization_config.yml';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('family registry', () => {
  it('derives the kernel list from the modules, one module per kernel', () => {
    expect(KERNEL_NAMES).toEqual(FAMILY_MODULES.map((m) => m.kernel));
    expect(new Set(KERNEL_NAMES).size).toBe(KERNEL_NAMES.length);
    const cfg = loadConfig({ dir: configDirWith(STRATEGY, () => {}) });
    for (const name of Object.keys(cfg.strategy.families)) expect(KERNEL_NAMES).toContain(familyModule(paramLayout(cfg, name, [])).kernel);
  });

  it('accepts the shipped families', () => {
    // Reads config/ on purpose: every family shipped in config/ must pass the registry check.
    expect(() => checkFamilies(loadConfig({ dir: configDirWith(STRATEGY, () => {}, LIVE_CONFIG_DIR) }))).not.toThrow();
  });

  it('refuses an unknown kernel, naming the file and key', () => {
    const cfg = loadConfig({ dir: configDirWith(STRATEGY, (doc) => doc.setIn(['families', 'sma_cross', 'kernel'], 'sma_crossing')) });
    const err = configError(() => checkFamilies(cfg));
    expect(err.issues).toEqual([{ path: 'families.sma_cross.kernel', message: expect.stringMatching(/unknown kernel "sma_crossing"; registered: sma_cross, ts_ensemble, ts_with_fallback/) }]);
    expect(err.message).toMatch(new RegExp(`${STRATEGY}: families\\.sma_cross\\.kernel`));
  });

  it('refuses a family whose space lacks a parameter its kernel reads', () => {
    const cfg = loadConfig({ dir: configDirWith(STRATEGY, (doc) => doc.deleteIn(['families', 'ts_with_fallback', 'params', 'fallback_lookback'])) });
    const err = configError(() => checkFamilies(cfg));
    expect(err.issues).toEqual([{ path: 'families.ts_with_fallback', message: expect.stringMatching(/kernel ts_with_fallback reads fallback_lookback/) }]);
  });

  it('refuses a categorical choice the kernel has no code for when the evaluator is built', () => {
    const cfg = loadConfig({
      dir: configDirWith(STRATEGY, (doc) => doc.setIn(['families', 'ts_with_fallback', 'params', 'fallback_rule', 'choices'], ['momentum', 'breakout'])),
    });
    const layout = paramLayout(cfg, 'ts_with_fallback', []);
    const K = 1;
    const T = 40;
    const walk = randomWalk(T, createRng(1, 'registry'));
    const ctx = contextFor(panelFromOpenClose(walk.open, walk.close));
    // A ts context needs forecast and ATR columns: give it empty ones of the right shape.
    const models = ['sarimax', 'samossa', 'mssa_rl', 'garch'] as const;
    const withColumns = {
      ...ctx,
      forecasts: { models: [...models], K, T, mu: new Float64Array(models.length * T), sigma: new Float64Array(models.length * T) },
      atr: { low: 5, count: 1, columns: new Float64Array(T) },
    };
    const err = configError(() => createEvaluator(layout, withColumns));
    expect(err.issues[0]).toEqual({ path: 'families.ts_with_fallback.params.fallback_rule.choices', message: expect.stringMatching(/choice "breakout" is not implemented by kernel ts_with_fallback/) });
  });

  it('runs a family added in YAML only on an existing kernel, exactly as that kernel', () => {
    const cfg = loadConfig({
      dir: configDirWith(STRATEGY, (doc) =>
        doc.setIn(['families', 'sma_short'], doc.createNode({ kernel: 'sma_cross', params: { slow: { type: 'int', low: 5, high: 60 }, fast: { type: 'int', low: 2, high: 20 } }, constraints: [{ lhs: 'fast', op: '<', rhs: 'slow' }] })),
      ),
    });
    checkFamilies(cfg);
    const walk = randomWalk(500, createRng(2, 'registry'));
    const ctx = contextFor(panelFromOpenClose(walk.open, walk.close));
    const base = paramLayout(cfg, 'sma_cross', []);
    const added = paramLayout(cfg, 'sma_short', []);
    // The new family declares its parameters in another order: columns follow its own layout.
    expect(added.params.map((p) => p.name)).toEqual(['slow', 'fast']);
    const pairs = [[5, 20], [3, 40], [10, 60]] as const;
    const X = (layout: typeof base) => {
      const rows = new Float64Array(pairs.length * layout.params.length);
      pairs.forEach(([fast, slow], r) => {
        rows[r * layout.params.length + layout.column.get('fast')!] = fast;
        rows[r * layout.params.length + layout.column.get('slow')!] = slow;
      });
      return rows;
    };
    const F1 = new Float64Array(pairs.length * METRIC_COUNT);
    const F2 = new Float64Array(pairs.length * METRIC_COUNT);
    createEvaluator(base, ctx).evaluate(X(base), pairs.length, F1);
    createEvaluator(added, ctx).evaluate(X(added), pairs.length, F2);
    expect(F1.some((v) => v !== 0 && Number.isFinite(v))).toBe(true);
    expect(Array.from(F2)).toEqual(Array.from(F1));
  });
});
