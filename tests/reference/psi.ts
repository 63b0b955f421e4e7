/**
 * Slow reference for native-free-kernels/stats/psi.ts: plain arrays, a sorted copy, the numpy 'linear'
 * quantiles as edges, and each value's bin found by counting the interior edges <= it (linear
 * scan instead of binary search). No workspace: it allocates freely.
 */
export function psi(expected: Float64Array, actual: Float64Array, bins: number, eps: number): number {
  const e = Array.from(expected).filter((v) => !Number.isNaN(v));
  const a = Array.from(actual).filter((v) => !Number.isNaN(v));
  if (e.length === 0 || a.length === 0) return NaN;
  const sorted = [...e].sort((p, q) => p - q);
  const m = sorted.length;
  const edges: number[] = [];
  for (let k = 0; k <= bins; k++) {
    const h = ((m - 1) * k) / bins;
    const lo = Math.floor(h);
    edges.push(lo + 1 < m ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo]);
  }
  const interior = edges.slice(1, bins);
  const shares = (sample: number[]): number[] => {
    const counts = new Array<number>(bins).fill(0);
    for (const v of sample) counts[interior.filter((q) => q <= v).length]++;
    return counts.map((c) => Math.max(c / sample.length, eps));
  };
  const es = shares(e);
  const as = shares(a);
  let total = 0;
  for (let i = 0; i < bins; i++) total += (as[i] - es[i]) * Math.log(as[i] / es[i]);
  return total;
}
