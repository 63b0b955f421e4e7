/** The constraint graph: ranges each parameter keeps, and the constraints the loader refuses. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { CONTINUOUS_MARGIN, constraintGraph } from '../../src/config/pair-constraints.js';
import type { NamedParam } from '../../src/config/family-space.js';
import type { ParamSpec } from '../../src/config/search-space.js';
import type { PairConstraint } from '../../src/config/strategy-optimization.js';
import { configDirWith } from '../helpers/config-dir.js';

function params(specs: Record<string, ParamSpec>): NamedParam[] {
  return Object.entries(specs).map(([name, spec]) => ({ name, spec, path: `params.${name}` }));
}

function graph(specs: Record<string, ParamSpec>, constraints: PairConstraint[]) {
  return constraintGraph(params(specs), constraints);
}

function loadError(edit: Parameters<typeof configDirWith>[1]): string {
  try {
    loadConfig({ dir: configDirWith('strategy_optimization_config.yml', edit) });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('constraintGraph', () => {
  it('narrows each side to the values some feasible pair can take', () => {
    // fast in [2, 100] < slow in [5, 50]: fast <= 49; slow keeps [5, 50] (fast = 2 fits under 5).
    const g = graph({ fast: { type: 'int', low: 2, high: 100 }, slow: { type: 'int', low: 5, high: 50 } }, [{ lhs: 'fast', op: '<', rhs: 'slow' }]);
    if (typeof g === 'string') throw new Error(g);
    expect([g.lowest[0], g.highest[0], g.lowest[1], g.highest[1]]).toEqual([2, 49, 5, 50]);
    expect(g.order).toEqual([0, 1]);
    // A chain a <= b < c written both ways round; c > b is b < c.
    const chain = graph(
      { c: { type: 'int', low: 0, high: 10 }, a: { type: 'int', low: 3, high: 10 }, b: { type: 'int', low: 0, high: 10 } },
      [{ lhs: 'a', op: '<=', rhs: 'b' }, { lhs: 'c', op: '>', rhs: 'b' }],
    );
    if (typeof chain === 'string') throw new Error(chain);
    expect(chain.order).toEqual([1, 2, 0]);
    // a in [3, 9], b in [3, 9], c in [4, 10].
    expect(Array.from(chain.lowest)).toEqual([4, 3, 3]);
    expect(Array.from(chain.highest)).toEqual([10, 9, 9]);
    // Continuous sides keep a margin of CONTINUOUS_MARGIN of the wider range.
    const cont = graph({ x: { type: 'uniform', low: 0, high: 1 }, y: { type: 'uniform', low: 0, high: 2 } }, [{ lhs: 'x', op: '<', rhs: 'y' }]);
    if (typeof cont === 'string') throw new Error(cont);
    expect(cont.lowest[1]).toBeCloseTo(2 * CONTINUOUS_MARGIN, 20);
    expect(cont.highest[0]).toBe(1);
  });

  it('says why a cycle or an empty range leaves no candidate', () => {
    const ab = { a: { type: 'int', low: 0, high: 9 }, b: { type: 'int', low: 0, high: 9 } } as const;
    expect(graph(ab, [{ lhs: 'a', op: '<', rhs: 'b' }, { lhs: 'b', op: '<=', rhs: 'a' }])).toMatch(/cycle through a, b/);
    expect(graph({ a: { type: 'int', low: 10, high: 20 }, b: { type: 'int', low: 5, high: 10 } }, [{ lhs: 'a', op: '<', rhs: 'b' }])).toMatch(
      /no value of a in \[10, 20\] satisfies every constraint/,
    );
    // Equal is allowed by <= but not by <.
    const equal = { a: { type: 'int', low: 10, high: 20 }, b: { type: 'int', low: 5, high: 10 } } as const;
    expect(typeof graph(equal, [{ lhs: 'a', op: '<=', rhs: 'b' }])).not.toBe('string');
  });
});

describe('loadConfig', () => {
  it('refuses constraints without a feasible candidate, and constraints on a conditional parameter, naming file and key', () => {
    const cycle = loadError((d) => d.addIn(['families', 'sma_cross', 'constraints'], d.createNode({ lhs: 'slow', op: '<', rhs: 'fast' })));
    expect(cycle).toMatch(/strategy_optimization_config\.yml/);
    expect(cycle).toContain('families.sma_cross.constraints: the constraints form a cycle through fast, slow');
    const empty = loadError((d) => d.setIn(['families', 'sma_cross', 'params', 'slow'], d.createNode({ type: 'int', low: 1, high: 2 })));
    expect(empty).toContain('families.sma_cross.constraints: no value of fast in [2, 100] satisfies every constraint');
    const conditional = loadError((d) => d.setIn(['families', 'ts_ensemble', 'constraints'], d.createNode([{ lhs: 'kelly_fraction', op: '<=', rhs: 'kelly_cap' }])));
    expect(conditional).toContain('families.ts_ensemble.constraints.0: "kelly_fraction" is conditional (when)');
  });
});
