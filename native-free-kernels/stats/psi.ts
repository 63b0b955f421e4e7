/**
 * Population stability index of `actual` against `expected`, on quantile bins of `expected`:
 *
 *   PSI = Σ_i (a_i - e_i) · ln(a_i / e_i),  e_i, a_i = share of each sample in bin i, floored at eps
 *
 * Bins: q_k = quantile k/bins of the finite values of `expected`, numpy's default 'linear'
 * (type 7) definition: with s sorted and m values, q_k = s[⌊h⌋] + (h - ⌊h⌋)(s[⌊h⌋+1] - s[⌊h⌋]),
 * h = (m - 1)·k / bins. Bin i is [q_i, q_{i+1}) for the interior edges; the first bin extends to
 * -Infinity and the last to +Infinity, so actual values outside the expected range land in the
 * outer bins. Ties: a value equal to an edge goes to the bin above it (the highest bin whose lower
 * edge it equals). When ties make edges coincide, the zero-width bins between them are empty in
 * both samples and contribute (eps - eps)·ln 1 = 0, which is the same as dropping duplicate edges
 * (pandas `qcut(..., duplicates='drop')`).
 *
 * NaN policy: NaN values in either sample are ignored (not counted); other values are expected
 * finite. If either sample has no non-NaN value the result is NaN.
 *
 * Buffers: `expected` and `actual` are read only. `workspace` is caller-owned scratch of length
 * >= `psiWorkspaceLength(expected.length, bins)`, laid out as
 *   [0, bins + 1)                 edges q_0..q_bins
 *   [bins + 1, 2·bins + 1)        expected counts per bin
 *   [2·bins + 1, 3·bins + 1)      actual counts per bin
 *   [3·bins + 1, + expected.length)  sorted copy of the finite expected values
 * and holds those on return. Ranges of a longer series are `subarray` views, not copies.
 */

/**
 * Workspace length `psi` needs: 3·bins + 1 for edges and counts plus room to sort `expected`.
 * @param expectedLength length of the `expected` sample
 * @param bins number of bins
 * @returns minimum `workspace.length`
 */
export function psiWorkspaceLength(expectedLength: number, bins: number): number {
  return 3 * bins + 1 + expectedLength;
}

/** Index of the bin holding v: the number of interior edges q_1..q_{bins-1} that are <= v. */
function binOf(edges: Float64Array, bins: number, v: number): number {
  let lo = 1;
  let hi = bins;
  // Invariant: q_i <= v for 1 <= i < lo and q_i > v for hi <= i < bins.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Population stability index of `actual` against quantile bins of `expected`.
 * @param expected reference sample (read only); its quantiles define the bins
 * @param actual sample to compare (read only)
 * @param bins number of quantile bins, integer >= 1
 * @param eps floor for each bin share, > 0 (keeps ln finite for empty bins)
 * @param workspace caller-owned scratch, length >= psiWorkspaceLength(expected.length, bins)
 * @returns PSI >= 0, or NaN when either sample has no finite value
 */
export function psi(expected: Float64Array, actual: Float64Array, bins: number, eps: number, workspace: Float64Array): number {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`psi: bins must be an integer >= 1, got ${bins}`);
  if (!(eps > 0)) throw new RangeError(`psi: eps must be > 0, got ${eps}`);
  const need = psiWorkspaceLength(expected.length, bins);
  if (workspace.length < need) {
    throw new RangeError(`psi: workspace.length must be >= psiWorkspaceLength(${expected.length}, ${bins}) = ${need}, got ${workspace.length}`);
  }
  const countsE = bins + 1;
  const countsA = 2 * bins + 1;
  const sortedAt = 3 * bins + 1;

  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    const v = expected[i];
    if (v === v) workspace[sortedAt + m++] = v;
  }
  if (m === 0) return NaN;
  // One view per call (not per value); typed-array sort is numeric ascending.
  const sorted = workspace.subarray(sortedAt, sortedAt + m).sort();
  for (let k = 0; k <= bins; k++) {
    const h = ((m - 1) * k) / bins;
    const lo = Math.floor(h);
    workspace[k] = lo + 1 < m ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
  }

  workspace.fill(0, countsE, sortedAt);
  for (let i = 0; i < m; i++) workspace[countsE + binOf(workspace, bins, sorted[i])]++;
  let mA = 0;
  for (let i = 0; i < actual.length; i++) {
    const v = actual[i];
    if (v !== v) continue;
    workspace[countsA + binOf(workspace, bins, v)]++;
    mA++;
  }
  if (mA === 0) return NaN;

  let total = 0;
  for (let i = 0; i < bins; i++) {
    const e = Math.max(workspace[countsE + i] / m, eps);
    const a = Math.max(workspace[countsA + i] / mA, eps);
    total += (a - e) * Math.log(a / e);
  }
  return total;
}
