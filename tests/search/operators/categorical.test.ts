import { describe, expect, it } from 'vitest';
import type { ParamSpec } from '../../../src/config/search-space.js';
import { categoricalCrossover, categoricalMutation, dimensionStrata } from '../../../src/search/operators/categorical.js';
import { createRng } from '../../../src/rng.js';

describe('dimensionStrata', () => {
  it('is 0 for continuous parameters and the number of values for int and categorical ones', () => {
    const specs: ParamSpec[] = [
      { type: 'uniform', low: 0, high: 1 },
      { type: 'log_uniform', low: 0.01, high: 1 },
      { type: 'int', low: 5, high: 50 },
      { type: 'categorical', choices: ['a', 'b', 'c'] },
      { type: 'int', low: -1e9, high: 1e9 },
    ];
    const strata = dimensionStrata({ params: specs.map((spec, i) => ({ name: `p${i}`, spec, path: `p${i}` })) });
    // int 5..50 holds 46 values; -1e9..1e9 holds 2e9 + 1, more than an Int32 holds.
    expect(Array.from(strata)).toEqual([0, 0, 46, 3, 2e9 + 1]);
  });
});

describe('categoricalCrossover', () => {
  const parents = new Float64Array([0.1, 0.15, 0.9, 0.7, 0.85, 0.3]);
  const strata = new Float64Array([0, 4, 2]);

  it('exchanges discrete dimensions of a mated pair whole, and leaves continuous ones alone', () => {
    const out = new Float64Array(6).fill(-1);
    categoricalCrossover(parents, 1, 3, strata, new Uint8Array([1]), 1, createRng(1, 'cx'), out);
    expect(Array.from(out)).toEqual([-1, 0.85, 0.3, -1, 0.15, 0.9]);
  });

  it('copies an unmated pair, and a mated one at variable probability 0', () => {
    for (const [mated, p] of [
      [0, 1],
      [1, 0],
    ]) {
      const out = new Float64Array(6).fill(-1);
      categoricalCrossover(parents, 1, 3, strata, new Uint8Array([mated]), p, createRng(1, 'cx'), out);
      expect(Array.from(out)).toEqual([-1, 0.15, 0.9, -1, 0.85, 0.3]);
    }
  });
});

describe('categoricalMutation', () => {
  it('resamples to a stratum centre and leaves continuous dimensions alone', () => {
    const X = new Float64Array([0.1, 0.1]);
    // Draws: 0 (mutate dimension 1), 0.6 → stratum floor(0.6 · 4) = 2, centre 2.5 / 4 = 0.625.
    const draws = [0, 0.6];
    categoricalMutation(X, 1, 2, new Float64Array([0, 4]), 1, () => draws.shift()!);
    expect(Array.from(X)).toEqual([0.1, 0.625]);
  });

  it('reaches every stratum about equally often, the current one included', () => {
    const s = 5;
    const n = 5000;
    const X = new Float64Array(n).fill(0.1);
    categoricalMutation(X, n, 1, new Float64Array([s]), 1, createRng(4, 'cm'));
    const counts = new Array<number>(s).fill(0);
    for (const u of X) {
      const k = Math.floor(u * s);
      expect(u).toBe((k + 0.5) / s);
      counts[k]++;
    }
    // Binomial(5000, 0.2): mean 1000, sd ≈ 28; allow 5 sd per stratum.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(5 * 28.3);
  });
});
