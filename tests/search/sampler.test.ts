/**
 * The samplers behind one interface. The kernels' own properties (LHS stratification, maximin
 * never lowering the minimum distance, Sobol / Halton nets) are tested in tests/kernels/lhs.test.ts,
 * sobol.test.ts and halton.test.ts; here: shape, range, seeding and continuation across batches.
 */
import { describe, expect, it } from 'vitest';
import { halton } from '../../native-free-kernels/sampling/halton.js';
import { sobol } from '../../native-free-kernels/sampling/sobol.js';
import { UsageError } from '../../src/errors.js';
import { createRng } from '../../src/rng.js';
import { createSampler, type SamplerKind } from '../../src/search/sampler.js';
import { SAMPLER_KINDS } from '../../src/config/optimizer-settings.js';

const opts = { dims: 3, maximinIterations: 20, scramble: true };

function draw(kind: SamplerKind, seed: number, n: number): Float64Array {
  const out = new Float64Array(n * 3);
  createSampler(kind, { ...opts, seed }).sample(n, out);
  return out;
}

describe('createSampler', () => {
  it.each(SAMPLER_KINDS)('%s: points in [0, 1), same seed same points, another seed other points', (kind) => {
    const a = draw(kind, 1, 16);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Array.from(draw(kind, 1, 16))).toEqual(Array.from(a));
    expect(Array.from(draw(kind, 2, 16))).not.toEqual(Array.from(a));
  });

  it('continues the Sobol and Halton sequences across batches with one scramble', () => {
    for (const [kind, kernel] of [
      ['sobol', sobol],
      ['halton', halton],
    ] as const) {
      const s = createSampler(kind, { ...opts, seed: 4 });
      const first = new Float64Array(5 * 3);
      const second = new Float64Array(3 * 3);
      s.sample(5, first);
      s.sample(3, second);
      // Equal to the kernel called once for 8 points, scrambled from the sampler's stream.
      const whole = new Float64Array(8 * 3);
      kernel(8, 3, 0, true, createRng(4, kind, 'scramble'), whole);
      expect([...first, ...second]).toEqual(Array.from(whole));
      // Unscrambled: exactly the kernel's points 0..7, the seed ignored.
      const plain = createSampler(kind, { ...opts, scramble: false, seed: 9 });
      const p1 = new Float64Array(5 * 3);
      const p2 = new Float64Array(3 * 3);
      plain.sample(5, p1);
      plain.sample(3, p2);
      const ref = new Float64Array(8 * 3);
      kernel(8, 3, 0, false, () => 0, ref);
      expect([...p1, ...p2]).toEqual(Array.from(ref));
    }
  });

  it('draws each LHS batch as its own Latin design, maximin-spread', () => {
    const s = createSampler('lhs', { ...opts, seed: 3 });
    const out = new Float64Array(10 * 3);
    for (let batch = 0; batch < 2; batch++) {
      s.sample(10, out);
      for (let j = 0; j < 3; j++) {
        const strata = Array.from({ length: 10 }, (_, i) => Math.floor(out[i * 3 + j] * 10)).sort((x, y) => x - y);
        expect(strata).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
    }
  });

  it('rejects a dimension count it cannot serve, naming the alternatives', () => {
    expect(() => createSampler('sobol', { ...opts, dims: 2000, seed: 1 })).toThrow(UsageError);
    expect(() => createSampler('sobol', { ...opts, dims: 2000, seed: 1 })).toThrow(/use lhs, random or halton/);
    expect(() => createSampler('lhs', { ...opts, dims: 0, seed: 1 })).toThrow(/dims/);
  });
});
