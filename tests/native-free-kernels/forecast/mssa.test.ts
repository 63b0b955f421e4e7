/**
 * MSSA kernel against tests/reference/mssa.ts (explicit horizontally stacked trajectory matrix,
 * classical Jacobi, per-channel Hankelization), plus exact forecasts of phase-shifted sinusoids.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMssaWorkspace, mssaFit } from '../../../native-free-kernels/forecast/mssa.js';
import { createSsaWorkspace, lrrForecast, ssaFit, ssaReconstructTail } from '../../../native-free-kernels/forecast/ssa.js';
import { createRng } from '../../../src/rng.js';
import { refMssa } from '../../reference/mssa.js';

/** Channels laid out ticker-major: channel k at k·stride + t. */
function panelOf(channels: number[][]): Float64Array {
  return Float64Array.from(channels.flat());
}

describe('MSSA hand checks', () => {
  it('forecasts two phase-shifted sinusoids of one frequency to 1e-9', () => {
    // a·sin(ωt + φ) lies in span{sin ωt, cos ωt} for every a, φ: the stacked trajectory matrix
    // has rank 2 and the common LRR continues both channels exactly.
    const N = 50;
    const L = 20;
    const f = [(t: number) => Math.sin(0.6 * t), (t: number) => 2 * Math.sin(0.6 * t + 1.1)];
    const x = panelOf(f.map((g) => Array.from({ length: N }, (_, t) => g(t))));
    const ws = createMssaWorkspace(L);
    const coef = new Float64Array(L - 1);
    expect(mssaFit(x, 2, N, 0, N, L, 2, ws, coef)).toBeLessThan(1);
    const tail = new Float64Array(L - 1);
    for (let k = 0; k < 2; k++) {
      ssaReconstructTail(x, k * N, (k + 1) * N, 2, L - 1, ws, tail);
      expect(Math.abs(lrrForecast(tail, L - 2, coef, L) - f[k](N))).toBeLessThan(1e-9);
      expect(Math.abs(lrrForecast(x, k * N + N - 1, coef, L) - f[k](N))).toBeLessThan(1e-9);
    }
  });

  it('with one channel is basic SSA, bit for bit', () => {
    const x = Float64Array.from({ length: 40 }, (_, t) => Math.sin(0.3 * t) + 0.01 * t * t);
    const [a, b] = [new Float64Array(9), new Float64Array(9)];
    ssaFit(x, 4, 40, 10, 3, createSsaWorkspace(10), a);
    mssaFit(x, 1, 40, 4, 40, 10, 3, createMssaWorkspace(10), b);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('rejects channels that do not fit the buffer', () => {
    const ws = createMssaWorkspace(5);
    const coef = new Float64Array(4);
    expect(() => mssaFit(new Float64Array(50), 3, 20, 0, 20, 5, 2, ws, coef)).toThrow(RangeError);
    expect(() => mssaFit(new Float64Array(60), 3, 20, 0, 21, 5, 2, ws, coef)).toThrow(RangeError);
  });
});

describe('MSSA against the reference', () => {
  it('matches the common LRR, per-channel reconstructions and forecasts', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 6, max: 12 }),
        fc.integer({ min: 0, max: 30 }),
        (seed, K, L, extra) => {
          // Shared frequency and trend, channel-specific amplitude and phase: common rank 3.
          const rng = createRng(seed, 'mssa-test');
          const w = 0.2 + rng();
          const T = 2 * L + extra + 2;
          const start = 2;
          const channels = Array.from({ length: K }, () => {
            const [a, ph, c] = [1 + rng(), 6 * rng(), rng()];
            return Array.from({ length: T }, (_, t) => c + 0.02 * t + a * Math.sin(w * t + ph) + 0.05 * (rng() - 0.5));
          });
          const x = panelOf(channels);
          const before = x.slice();
          const r = 3;
          const ws = createMssaWorkspace(L);
          const coef = new Float64Array(L - 1);
          const nu2 = mssaFit(x, K, T, start, T, L, r, ws, coef);
          const ref = refMssa(
            channels.map((c) => c.slice(start)),
            L,
            r,
          );
          expect(Math.abs(nu2 - ref.nu2)).toBeLessThan(1e-8);
          for (let j = 0; j < L - 1; j++) expect(Math.abs(coef[j] - ref.coef[j])).toBeLessThan(1e-7 * (1 + Math.abs(ref.coef[j])));
          const N = T - start;
          const rec = new Float64Array(N);
          for (let k = 0; k < K; k++) {
            ssaReconstructTail(x, k * T + start, (k + 1) * T, r, N, ws, rec);
            for (let t = 0; t < N; t++) expect(Math.abs(rec[t] - ref.reconstructions[k][t])).toBeLessThan(1e-8);
            expect(Math.abs(lrrForecast(rec, N - 1, coef, L) - ref.forecasts[k])).toBeLessThan(1e-7);
          }
          expect(x).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
