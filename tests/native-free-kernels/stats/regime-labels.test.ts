import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  combineLabels,
  driftLabels,
  driftMetrics,
  driftWorkspaceLength,
  labelSegments,
  levelLabels,
  NO_LABEL,
  smoothLabels,
  trailingRank,
  trailingRankWorkspaceLength,
  trendLabels,
} from '../../../native-free-kernels/stats/regime-labels.js';
import { psi as refPsi } from '../../reference/psi.js';

/** Values with ties (small integers), continuous values and NaN. */
const value = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -4, max: 4 }) },
  { weight: 4, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(NaN) },
);

/** Mid-rank by counting, from the definition. */
function naiveRank(x: number[], t: number, window: number, minCount: number): number {
  if (!Number.isFinite(x[t])) return NaN;
  const h = x.slice(Math.max(0, t - window + 1), t + 1).filter(Number.isFinite);
  if (h.length < minCount) return NaN;
  return (h.filter((v) => v < x[t]).length + 0.5 * h.filter((v) => v === x[t]).length) / h.length;
}

describe('trailingRank', () => {
  it('equals counting over the trailing window, bit for bit, with ties and NaN', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (xs, window, m) => {
        const minCount = Math.min(m, window);
        const x = Float64Array.from(xs);
        const out = new Float64Array(x.length);
        trailingRank(x, window, minCount, new Float64Array(trailingRankWorkspaceLength(x.length)), out);
        expect(Array.from(out)).toEqual(xs.map((_, t) => naiveRank(xs, t, window, minCount)));
      }),
    );
  });

  it('matches a hand-computed example', () => {
    // x = [3, 1, 3, 2], window 3: t=2 history [3, 1, 3]: less 1, equal 2 -> (1 + 1)/3; t=3 [1, 3, 2]: less 1, equal 1 -> 1.5/3.
    const out = new Float64Array(4);
    trailingRank(Float64Array.of(3, 1, 3, 2), 3, 2, new Float64Array(trailingRankWorkspaceLength(4)), out);
    expect(Array.from(out)).toEqual([NaN, 0.5 / 2, 2 / 3, 0.5]);
  });
});

describe('levelLabels, trendLabels', () => {
  it('bucket by the quantiles, NaN unlabelled', () => {
    const out = new Int32Array(5);
    levelLabels(Float64Array.of(0.1, 0.3, 0.5, 0.71, NaN), 0.3, 0.7, out);
    expect(Array.from(out)).toEqual([0, 1, 1, 2, NO_LABEL]); // 0.3 is not below 0.3: normal
  });

  it('label the trailing log return', () => {
    // lookback 2: ln(110/100) = 0.095 bull, ln(100/100) = 0 sideways, ln(90/110) = -0.2 bear.
    const close = Float64Array.of(100, 105, 110, 100, 90);
    const out = new Int32Array(5);
    trendLabels(close, 2, 0.05, -0.05, out);
    expect(Array.from(out)).toEqual([NO_LABEL, NO_LABEL, 0, 2, 1]);
  });
});

describe('driftMetrics', () => {
  const std = (a: number[]) => {
    const m = a.reduce((p, q) => p + q, 0) / a.length;
    return Math.sqrt(a.reduce((p, q) => p + (q - m) ** 2, 0) / (a.length - 1));
  };

  it('compares the two windows ending at each bar, as the reference PSI and two-pass std do', () => {
    fc.assert(
      // Returns on a 1e-4 grid: ties, constant windows (ratio 0/0) and no denormals (whose squares vanish).
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }).map((i) => i / 1e4), { minLength: 12, maxLength: 60 }), fc.integer({ min: 2, max: 6 }), (xs, w) => {
        const r = Float64Array.from([NaN, ...xs]);
        const n = r.length;
        const [p, v, q] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
        driftMetrics(r, w, 4, 1e-4, new Float64Array(driftWorkspaceLength(n, w, 4)), p, v, q);
        for (let t = 0; t < n; t++) {
          const E = Array.from(r.subarray(t - 2 * w + 1, t - w + 1));
          const A = Array.from(r.subarray(t - w + 1, t + 1));
          const ratio = t >= 2 * w ? std(A) / std(E) : NaN;
          if (Number.isNaN(ratio)) {
            expect([p[t], v[t], q[t]]).toEqual([NaN, NaN, NaN]);
            continue;
          }
          expect(p[t]).toBe(refPsi(Float64Array.from(E), Float64Array.from(A), 4, 1e-4));
          expect(v[t]).toBe(refPsi(Float64Array.from(E, Math.abs), Float64Array.from(A, Math.abs), 4, 1e-4));
          // The kernel's std keeps compensated running sums: equal to the two-pass one to rounding.
          if (Number.isFinite(ratio)) expect(Math.abs(q[t] - ratio)).toBeLessThanOrEqual(1e-12 * ratio);
          else expect(q[t]).toBe(ratio);
        }
      }),
    );
  });

  it('flags a shift on any of the three tolerances', () => {
    const out = new Int32Array(5);
    driftLabels(Float64Array.of(0.1, 0.3, 0.1, 0.1, NaN), Float64Array.of(0.1, 0.1, 0.3, 0.1, 0), Float64Array.of(1, 1, 1, 0.5, 1), 0.2, 0.2, 1.5, out);
    expect(Array.from(out)).toEqual([0, 1, 1, 1, NO_LABEL]);
  });
});

describe('combineLabels, smoothLabels, labelSegments', () => {
  it('combines mixed radix, first dimension slowest', () => {
    // Dimensions of 3 and 2 labels: (2, 1) -> 2·2 + 1 = 5; any NO_LABEL -> NO_LABEL.
    const codes = Int32Array.of(2, 0, NO_LABEL, /* second dimension */ 1, 1, 0);
    const out = new Int32Array(3);
    combineLabels(codes, 3, Int32Array.of(3, 2), out, 3);
    expect(Array.from(out)).toEqual([5, 1, NO_LABEL]);
  });

  it('switches only after minDuration bars of a new label', () => {
    const raw = Int32Array.of(-1, 0, 0, 1, 0, 0, 0, 1, 1, 1, -1, 2);
    const out = new Int32Array(raw.length);
    smoothLabels(raw, 3, out);
    expect(Array.from(out)).toEqual([-1, -1, -1, -1, -1, -1, 0, 0, 0, 1, 1, 1]);
    const [s, e, l] = [new Int32Array(12), new Int32Array(12), new Int32Array(12)];
    expect(labelSegments(out, s, e, l)).toBe(2);
    expect([Array.from(s.subarray(0, 2)), Array.from(e.subarray(0, 2)), Array.from(l.subarray(0, 2))]).toEqual([[6, 9], [8, 11], [0, 1]]);
  });

  it('gives runs of at least minDuration bars but the last, causally', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 8 }), (xs, md) => {
        const raw = Int32Array.from(xs);
        const n = raw.length;
        const out = new Int32Array(n);
        smoothLabels(raw, md, out);
        const [s, e, l] = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
        const count = labelSegments(out, s, e, l);
        for (let i = 0; i + 1 < count; i++) expect(e[i] - s[i] + 1).toBeGreaterThanOrEqual(md);
        // Once labelled, always labelled: segments are contiguous up to the last bar.
        if (count > 0) expect(e[count - 1]).toBe(n - 1);
        // Causal: smoothing a prefix gives the prefix of the output.
        const cut = Math.floor(n / 2);
        const prefix = new Int32Array(cut);
        smoothLabels(raw.subarray(0, cut), md, prefix);
        expect(Array.from(prefix)).toEqual(Array.from(out.subarray(0, cut)));
      }),
    );
  });
});
