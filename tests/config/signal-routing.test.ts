/**
 * The risk model of stop-less positions in `signal_routing_config.yml` (`no_stop_*`): a guardrail
 * parameter, so its schema keeps it from waiving the capital-at-risk cap, `--set` may only make it
 * stricter, and no search space may name it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseOverrides } from '../../src/config/overrides.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { TEST_CONFIG_DIR } from '../helpers/config.js';
import { configDirWith } from '../helpers/config-dir.js';

const FILE = 'signal_routing_config.yml';
const KEY = (name: string) => ['signal_routing', 'time_series', name];

function errorOf(load: () => unknown, type: typeof ConfigError | typeof UsageError): string {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return (e as Error).message;
  }
  throw new Error(`expected a ${type.name}`);
}

const withSet = (...sets: string[]) => () => loadConfig({ dir: TEST_CONFIG_DIR, overrides: parseOverrides(sets.map((s) => `signal_routing.signal_routing.time_series.${s}`)) });

describe('signal_routing no_stop_* risk model', () => {
  it('bounds the model below so that it cannot waive the cap, naming file and key', () => {
    for (const [name, value, expected] of [
      ['no_stop_adverse_move_sd', 1, 'expected number >= 1.645, got 1'],
      ['no_stop_horizon_bars', 0, 'expected integer >= 1, got 0'],
      ['no_stop_vol_lookback', 5, 'expected integer >= 20, got 5'],
    ] as const) {
      const dir = configDirWith(FILE, (d) => d.setIn(KEY(name), value));
      expect(errorOf(() => loadConfig({ dir }), ConfigError)).toBe(`${join(dir, FILE)}: signal_routing.time_series.${name}: ${expected}`);
    }
  });

  it('lets --set raise the adverse move and the horizon, never lower them, and not move the lookback', () => {
    const ts = withSet('no_stop_adverse_move_sd=3', 'no_stop_horizon_bars=10')().signalRouting.signal_routing.time_series;
    expect([ts.no_stop_adverse_move_sd, ts.no_stop_horizon_bars]).toEqual([3, 10]);
    expect(errorOf(withSet('no_stop_adverse_move_sd=2'), UsageError)).toMatch(/would loosen the guardrail \S*no_stop_adverse_move_sd from 2\.33 to 2;/);
    expect(errorOf(withSet('no_stop_horizon_bars=1'), UsageError)).toMatch(/would loosen the guardrail \S*no_stop_horizon_bars from 5 to 1;/);
    expect(errorOf(withSet('no_stop_vol_lookback=126'), UsageError)).toMatch(/no_stop_vol_lookback from 63 to 126/);
  });

  it('is not searchable: a search space naming it is refused', () => {
    const dir = configDirWith('strategy_optimization_config.yml', (d) =>
      d.setIn(['param_groups', 'sizing', 'no_stop_adverse_move_sd'], d.createNode({ type: 'uniform', low: 1.645, high: 3 })),
    );
    expect(errorOf(() => loadConfig({ dir }), ConfigError)).toMatch(/param_groups\.sizing\.no_stop_adverse_move_sd: names the guardrail .*signal_routing\.time_series\.no_stop_adverse_move_sd/);
  });
});
