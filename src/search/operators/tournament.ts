/**
 * Binary tournament selection of NSGA-II (Deb et al., IEEE TEVC 6(2), 2002) on constrained ranks:
 * the lower rank wins (ranks from `constrainedRank` put every feasible front before every
 * infeasible one, and less violation first), then the larger crowding distance, then a fair coin.
 *
 * Competitors are drawn from successive random permutations of the population, as in pymoo's
 * `TournamentSelection`, so every row enters about the same number of tournaments. `scratch`
 * holds the current permutation; it and `outWinners` are the caller's.
 */

/**
 * Winner of the tournament between rows a and b.
 * @param rank constrained rank per row (lower is better)
 * @param crowding crowding distance per row (larger is better)
 * @param rand uniform [0, 1) generator, drawn once only on a full tie
 * @returns a or b
 */
export function tournamentWinner(a: number, b: number, rank: Int32Array, crowding: Float64Array, rand: () => number): number {
  if (rank[a] !== rank[b]) return rank[a] < rank[b] ? a : b;
  if (crowding[a] !== crowding[b]) return crowding[a] > crowding[b] ? a : b;
  return rand() < 0.5 ? a : b;
}

/**
 * Select `count` rows of an n-row population by binary tournaments.
 * @param rank constrained rank per row
 * @param crowding crowding distance per row
 * @param n population size (>= 1)
 * @param count number of winners wanted
 * @param rand uniform [0, 1) generator
 * @param outWinners receives the selected row numbers (length >= count)
 * @param scratch permutation buffer (length >= n)
 */
export function binaryTournament(
  rank: Int32Array,
  crowding: Float64Array,
  n: number,
  count: number,
  rand: () => number,
  outWinners: Int32Array,
  scratch: Int32Array,
): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`binaryTournament: n must be an integer >= 1, got ${n}`);
  if (rank.length < n || crowding.length < n || scratch.length < n) {
    throw new RangeError(`binaryTournament: rank, crowding and scratch need length >= n = ${n}`);
  }
  if (outWinners.length < count) throw new RangeError(`binaryTournament: outWinners has length ${outWinners.length}, need ${count}`);
  let next = n;
  const draw = (): number => {
    if (next === n) {
      for (let i = 0; i < n; i++) scratch[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const r = Math.floor(rand() * (i + 1));
        const t = scratch[i];
        scratch[i] = scratch[r];
        scratch[r] = t;
      }
      next = 0;
    }
    return scratch[next++];
  };
  for (let k = 0; k < count; k++) {
    const a = draw();
    const b = draw();
    outWinners[k] = tournamentWinner(a, b, rank, crowding, rand);
  }
}
