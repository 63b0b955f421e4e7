import { describe, expect, it } from 'vitest';
import { uniformRandom } from '../../../native-free-kernels/sampling/uniform.js';
import { createRng } from '../../../src/rng.js';

function points(n: number, d: number, seed: number): Float64Array {
  const out = new Float64Array(n * d);
  uniformRandom(n, d, createRng(seed, 'uniform'), out);
  return out;
}

describe('uniformRandom', () => {
  it('fills n × d values in [0, 1) in draw order, reproducibly from the seed', () => {
    const a = points(300, 7, 1);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(a).toEqual(points(300, 7, 1));
    expect(a).not.toEqual(points(300, 7, 2));
    const rand = createRng(1, 'uniform');
    expect(Array.from(a.subarray(0, 5))).toEqual([rand(), rand(), rand(), rand(), rand()]);
  });

  it('rejects an output buffer that is too short', () => {
    expect(() => uniformRandom(3, 2, Math.random, new Float64Array(5))).toThrow(/need n\*d = 6/);
  });
});
