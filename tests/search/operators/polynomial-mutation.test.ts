import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { polynomialMutation } from '../../../src/search/operators/polynomial-mutation.js';
import { createRng } from '../../../src/rng.js';

describe('polynomialMutation', () => {
  it('matches a hand derivation below and above u = 1/2', () => {
    // y = 0.5, eta = 1 (power 1/2). Draws: 0 (mutate), then u.
    // u = 0.25: v = 2·0.25 + (1 - 0.5)·(1 - 0.5)^2 = 0.625, delta = sqrt(0.625) - 1, y' = 0.5 + delta.
    // u = 0.75: v = 2·0.25 + 2·0.25·0.5^2 = 0.625, delta = 1 - sqrt(0.625), y' = 0.5 + delta.
    for (const [u, want] of [
      [0.25, 0.5 + Math.sqrt(0.625) - 1],
      [0.75, 0.5 + 1 - Math.sqrt(0.625)],
    ] as const) {
      const X = new Float64Array([0.5]);
      const draws = [0, u];
      polynomialMutation(X, 1, 1, new Float64Array(1), 1, 1, () => draws.shift()!);
      expect(X[0]).toBeCloseTo(want, 15);
    }
  });

  it('leaves discrete dimensions alone and mutates nothing at probability 0', () => {
    const X = new Float64Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    polynomialMutation(X, 2, 3, new Float64Array([0, 3, 0]), 20, 1, createRng(1, 'pm'));
    expect(X[1]).toBe(0.2);
    expect(X[4]).toBe(0.5);
    expect(X[0]).not.toBe(0.1);
    const Y = new Float64Array([0.1, 0.2, 0.3]);
    polynomialMutation(Y, 1, 3, new Float64Array(3), 20, 0, createRng(1, 'pm'));
    expect(Array.from(Y)).toEqual([0.1, 0.2, 0.3]);
  });

  it('keeps mutants in [0, 1), bounds included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1 - 2 ** -53, 0.5),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer(),
        (edge, y, eta, seed) => {
          const X = new Float64Array([edge, y]);
          polynomialMutation(X, 1, 2, new Float64Array(2), eta, 1, createRng(seed, 'pm'));
          return X.every((v) => v >= 0 && v < 1);
        },
      ),
    );
  });

  it('mutates about the given share of coordinates', () => {
    const n = 2000;
    const d = 10;
    const X = new Float64Array(n * d).fill(0.5);
    polynomialMutation(X, n, d, new Float64Array(d), 20, 0.1, createRng(3, 'pm-rate'));
    const changed = X.filter((v) => v !== 0.5).length;
    // Binomial(20000, 0.1): mean 2000, sd ≈ 42; allow 5 sd.
    expect(Math.abs(changed - 2000)).toBeLessThan(5 * 42.5);
  });
});
