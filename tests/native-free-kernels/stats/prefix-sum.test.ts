/**
 * Block-local prefix sums against directly summed windows (tests/reference/prefix-sum.ts), on
 * positive series with price spikes of 1e8 to 1e16 and levels down to 1e-4: a window's rounding is
 * bounded by the values of its own block's range, never by a spike older than that.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOCAL_BLOCK, LOCAL_REACH, localPrefixLength, localPrefixOffset, localPrefixSums, prefixSums } from '../../../native-free-kernels/stats/prefix-sum.js';
import { createRng } from '../../../src/rng.js';
import { rangeSum } from '../../reference/prefix-sum.js';

/** A geometric random walk at 10^level with values of 10^exp put at the given shares of the series. */
function spiky(seed: number, n: number, level: number, spikes: readonly { at: number; exp: number }[]): Float64Array {
  const rng = createRng(seed, 'prefix-spikes');
  const x = new Float64Array(n);
  let p = 10 ** level;
  for (let t = 0; t < n; t++) {
    p *= Math.exp(0.04 * (rng() - 0.5));
    x[t] = p;
  }
  for (const s of spikes) x[Math.floor(s.at * n)] = 10 ** s.exp;
  return x;
}

const spikes = fc.array(fc.record({ at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), exp: fc.double({ min: 8, max: 16, noNaN: true }) }), { minLength: 1, maxLength: 4 });

describe('localPrefixSums', () => {
  it('sums every window of up to LOCAL_REACH + 1 bars to within a few ulps of its block range, spikes included (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 3 * LOCAL_BLOCK }), fc.integer({ min: -4, max: 2 }), spikes, (seed, n, level, sp) => {
        const x = spiky(seed, n, level, sp);
        const out = new Float64Array(localPrefixLength(n));
        localPrefixSums(x, out);
        const rng = createRng(seed, 'windows');
        // Random windows, and the longest window at each block's first bars (the farthest reach back).
        const windows: [number, number][] = [];
        for (let k = 0; k < 200; k++) {
          const t = Math.floor(rng() * n);
          windows.push([t, 1 + Math.floor(rng() * Math.min(t + 1, LOCAL_REACH + 1))]);
        }
        for (let t = LOCAL_BLOCK; t < n; t += LOCAL_BLOCK) windows.push([t, LOCAL_REACH + 1], [t, 1]);
        for (const [t, w] of windows) {
          const o = localPrefixOffset(t);
          const got = out[t + 1 + o] - out[t + 1 - w + o];
          const want = rangeSum(x, t - w + 1, t);
          // Each prefix is within 2u of its exact value (u = eps / 2), the difference rounds once,
          // and the reference's own sum is within (w - 1)u of the window.
          const blockRange = rangeSum(x, Math.max(0, Math.floor(t / LOCAL_BLOCK) * LOCAL_BLOCK - LOCAL_REACH), t);
          const bound = Number.EPSILON * (2.5 * blockRange + (w / 2) * want);
          expect(Math.abs(got - want), `n=${n} t=${t} w=${w}`).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is exact to the window itself once a spike has left the block range, where series-wide prefix sums are not', () => {
    // A close of 1e16 at bar 0, then prices of 1e-4: a series-wide prefix difference cannot even
    // see the window (its rounding is ~2 units, 1e3 times the window); the block-local one is exact.
    const n = 3 * LOCAL_BLOCK;
    const x = new Float64Array(n).fill(1e-4);
    x[0] = 1e16;
    for (let t = 1; t < n; t++) x[t] = 1e-4 * (1 + (t % 7) / 10);
    const local = new Float64Array(localPrefixLength(n));
    localPrefixSums(x, local);
    const global = new Float64Array(n + 1);
    prefixSums(x, global);
    const t = 2 * LOCAL_BLOCK + 100;
    const w = 20;
    const want = rangeSum(x, t - w + 1, t);
    const o = localPrefixOffset(t);
    expect(Math.abs(local[t + 1 + o] - local[t + 1 - w + o] - want) / want).toBeLessThan(1e-14);
    expect(Math.abs(global[t + 1] - global[t + 1 - w] - want) / want).toBeGreaterThan(0.5);
  });
});
