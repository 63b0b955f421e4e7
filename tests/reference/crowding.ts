/**
 * Reference twin of native-free-kernels/pareto/crowding.ts, written from the definition with plain arrays:
 * per front and objective, sort members by (value, row index); lo == hi adds nothing; otherwise the
 * ends get +Infinity and interior members add (next - previous) / (hi - lo), or 0 when that range is
 * infinite; fronts of <= 2 members are all +Infinity. NaN counts as +Infinity.
 */
export function crowdingDistanceNaive(
  F: Float64Array,
  n: number,
  m: number,
  rank: Int32Array,
  outCrowd: Float64Array,
): void {
  const value = (i: number, k: number): number => (Number.isNaN(F[i * m + k]) ? Infinity : F[i * m + k]);
  const fronts = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const members = fronts.get(rank[i]) ?? [];
    members.push(i);
    fronts.set(rank[i], members);
  }
  for (let i = 0; i < n; i++) outCrowd[i] = 0;
  for (const members of fronts.values()) {
    if (members.length <= 2) {
      for (const i of members) outCrowd[i] = Infinity;
      continue;
    }
    for (let k = 0; k < m; k++) {
      const sorted = [...members].sort((a, b) => {
        const va = value(a, k);
        const vb = value(b, k);
        return va < vb ? -1 : va > vb ? 1 : a - b;
      });
      const first = sorted[0];
      const last = sorted[sorted.length - 1];
      const lo = value(first, k);
      const hi = value(last, k);
      if (lo === hi) continue;
      outCrowd[first] = Infinity;
      outCrowd[last] = Infinity;
      if (hi - lo === Infinity) continue;
      for (let s = 1; s < sorted.length - 1; s++) {
        outCrowd[sorted[s]] += (value(sorted[s + 1], k) - value(sorted[s - 1], k)) / (hi - lo);
      }
    }
  }
}
