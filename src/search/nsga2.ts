/**
 * NSGA-II (Deb, Pratap, Agarwal & Meyarivan, IEEE TEVC 6(2), 2002) as ask/tell over the unit cube.
 *
 * Generation 0 is an initial population from a sampler. Each later generation asks for offspring:
 * binary tournaments on constrained rank and crowding pick parents, consecutive parents pair up, a
 * pair is mated with the crossover probability (SBX on continuous dimensions, uniform exchange on
 * discrete ones), then every child is mutated (polynomial / stratum resampling). Telling the
 * offspring's objectives merges them with the population, ranks the union by constraint-domination
 * and keeps the best `population` rows by rank, then crowding. Offspring that break the space's
 * pair constraints are projected into it (constraints.ts) before they are asked for.
 *
 * It never finishes by itself: the caller's budget sets the generation count. A budget of B
 * candidates is ceil(B / population) generations, the initial one included; the last holds what
 * is left (B - (ceil(B / population) - 1) · population), and that short batch goes through
 * survival selection like any other.
 *
 * All buffers are allocated once; each operator has its own random stream, so one seed gives one
 * run.
 */
import { categoricalCrossover, categoricalMutation } from './operators/categorical.js';
import { polynomialMutation } from './operators/polynomial-mutation.js';
import { sbxCrossover } from './operators/sbx.js';
import { binaryTournament } from './operators/tournament.js';
import type { RowRepair } from './constraints.js';
import type { Optimizer } from './optimize.js';
import { createRankingWorkspace, rankAndCrowd, survivalOrder } from './ranking.js';
import { createRng } from '../rng.js';
import type { Sampler } from './sampler.js';
import type { OptimizerSettings } from '../config/optimizer-settings.js';

export interface Nsga2Options {
  /** Per dimension: 0 continuous, else the number of strata (see `dimensionStrata`). */
  readonly strata: Float64Array;
  /** Number of objectives (columns of F). */
  readonly objectives: number;
  readonly settings: OptimizerSettings['nsga2'];
  /** Source of generation 0 (inside the constraints); its dims must equal strata.length. */
  readonly initial: Sampler;
  readonly seed: number | string;
  /** Keys that give this instance its own random streams within a run (e.g. the bandit arm). */
  readonly stream?: readonly (string | number)[];
  /** Keeps offspring inside the space's constraints (none: the whole cube is feasible). */
  readonly repair?: RowRepair;
  /** Points (row-major, inside the constraints) that replace the last rows of generation 0: an island's migrants. */
  readonly immigrants?: Float64Array;
}

/**
 * An NSGA-II optimizer.
 * @param opts space, objective count, settings, initial sampler, seed and repair
 * @returns the optimizer; each ask is one generation of at most `population` points
 */
export function createNsga2(opts: Nsga2Options): Optimizer {
  const { strata, objectives: m, settings, initial, seed, repair } = opts;
  const stream = opts.stream ?? [];
  const d = strata.length;
  if (initial.dims !== d) throw new RangeError(`nsga2: initial sampler has ${initial.dims} dims, the space ${d}`);
  const pop = settings.population;
  const offCap = 2 * Math.ceil(pop / 2);
  const mutationProbability = Math.min(1, settings.mutation.variables_per_child / d);

  const rngTournament = createRng(seed, ...stream, 'nsga2', 'tournament');
  const rngMating = createRng(seed, ...stream, 'nsga2', 'mating');
  const rngSbx = createRng(seed, ...stream, 'nsga2', 'sbx');
  const rngExchange = createRng(seed, ...stream, 'nsga2', 'categorical-crossover');
  const rngMutation = createRng(seed, ...stream, 'nsga2', 'polynomial-mutation');
  const rngResample = createRng(seed, ...stream, 'nsga2', 'categorical-mutation');

  // Population, double-buffered so survivors can be gathered from the old one.
  let popU = new Float64Array(pop * d);
  let popF = new Float64Array(pop * m);
  let popV = new Float64Array(pop);
  let nextU = new Float64Array(pop * d);
  let nextF = new Float64Array(pop * m);
  let nextV = new Float64Array(pop);
  const popRank = new Int32Array(pop);
  const popCrowd = new Float64Array(pop);
  let popN = 0;

  const parentIdx = new Int32Array(offCap);
  const permutation = new Int32Array(pop);
  const parentsU = new Float64Array(offCap * d);
  const mated = new Uint8Array(offCap / 2);
  const offU = new Float64Array(offCap * d);

  const maxMerged = pop + offCap;
  const mergedF = new Float64Array(maxMerged * m);
  const mergedV = new Float64Array(maxMerged);
  const mergedRank = new Int32Array(maxMerged);
  const mergedCrowd = new Float64Array(maxMerged);
  const order = new Int32Array(maxMerged);
  const ws = createRankingWorkspace(maxMerged, m);

  let generation = 0;
  let asked = 0;

  function makeOffspring(n: number): void {
    const pairs = Math.ceil(n / 2);
    binaryTournament(popRank, popCrowd, popN, 2 * pairs, rngTournament, parentIdx, permutation);
    for (let k = 0; k < 2 * pairs; k++) parentsU.set(popU.subarray(parentIdx[k] * d, (parentIdx[k] + 1) * d), k * d);
    for (let p = 0; p < pairs; p++) mated[p] = rngMating() < settings.crossover.probability ? 1 : 0;
    const { eta, variable_probability } = settings.crossover;
    sbxCrossover(parentsU, pairs, d, strata, mated, eta, variable_probability, rngSbx, offU);
    categoricalCrossover(parentsU, pairs, d, strata, mated, variable_probability, rngExchange, offU);
    polynomialMutation(offU, n, d, strata, settings.mutation.eta, mutationProbability, rngMutation);
    categoricalMutation(offU, n, d, strata, mutationProbability, rngResample);
    repair?.(offU, n);
  }

  return {
    ask(max) {
      asked = Math.min(pop, max);
      if (generation === 0) {
        // The whole sample is drawn first, so the sampler's stream does not depend on the migrants.
        initial.sample(asked, offU);
        const im = opts.immigrants;
        if (im !== undefined) {
          const k = Math.min(asked, im.length / d);
          offU.set(im.subarray(0, k * d), (asked - k) * d);
        }
      } else makeOffspring(asked);
      return { U: offU, n: asked, family: 0, arm: 0 };
    },

    tell(F, violation) {
      const n = asked;
      if (generation === 0) {
        popU.set(offU.subarray(0, n * d));
        popF.set(F.subarray(0, n * m));
        popV.set(violation.subarray(0, n));
        popN = n;
        rankAndCrowd(popF, popV, popN, m, popRank, popCrowd, ws);
        generation = 1;
        return;
      }
      const total = popN + n;
      mergedF.set(popF.subarray(0, popN * m));
      mergedF.set(F.subarray(0, n * m), popN * m);
      mergedV.set(popV.subarray(0, popN));
      mergedV.set(violation.subarray(0, n), popN);
      rankAndCrowd(mergedF, mergedV, total, m, mergedRank, mergedCrowd, ws);
      survivalOrder(mergedRank, mergedCrowd, total, order);
      const keep = Math.min(pop, total);
      for (let s = 0; s < keep; s++) {
        const r = order[s];
        const fromPop = r < popN;
        const src = fromPop ? popU.subarray(r * d, (r + 1) * d) : offU.subarray((r - popN) * d, (r - popN + 1) * d);
        nextU.set(src, s * d);
        nextF.set(mergedF.subarray(r * m, (r + 1) * m), s * m);
        nextV[s] = mergedV[r];
        popRank[s] = mergedRank[r];
        popCrowd[s] = mergedCrowd[r];
      }
      [popU, nextU] = [nextU, popU];
      [popF, nextF] = [nextF, popF];
      [popV, nextV] = [nextV, popV];
      popN = keep;
      generation++;
    },
  };
}
