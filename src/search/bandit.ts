/**
 * Bandit selection over arms, where an arm is a (family, sampler) pair: each pull asks the arm's
 * sampler for a batch in that family's unit cube, and each evaluated candidate is one reward in
 * [0, 1] for its arm.
 *
 * Policies, both for rewards in [0, 1]:
 * - UCB1 (Auer, Cesa-Bianchi & Fischer, Machine Learning 47, 2002): every arm once, then the arm
 *   maximising mean_a + sqrt(2 ln t / n_a), t = rewards so far; ties go to the lower arm.
 * - Thompson sampling with Beta(1 + s_a, 1 + f_a) posteriors; a reward r in [0, 1] counts as a
 *   success with probability r (Agrawal & Goyal, COLT 2012), so Bernoulli and fractional rewards
 *   share one posterior. Beta draws are X / (X + Y) of Marsaglia-Tsang gamma draws.
 * On top of either, a pull goes to a uniformly random arm with probability `explorationShare`.
 *
 * Reward of a candidate: the share of earlier candidates (all arms, previous batches) it beats on
 * the scalar objective F[primary] (minimised, NaN = +Infinity), ties counting half; an infeasible
 * candidate earns 0 and counts as +Infinity for later ones; the first batch, with nothing to
 * compare with, earns 1/2 each. This rank reward needs no scale for the objective.
 */
import { standardNormal } from '../../native-free-kernels/stats/normal.js';
import type { Optimizer } from './optimize.js';
import type { Sampler } from './sampler.js';
import type { OptimizerSettings } from '../config/optimizer-settings.js';

export type BanditPolicyKind = OptimizerSettings['bandit']['policy'];

export interface BanditChoice {
  readonly arm: number;
  /** Whether the arm was picked uniformly at random (the exploration share) rather than by the policy. */
  readonly explored: boolean;
}

export interface BanditPolicy {
  /** The arm to pull next. */
  select(): BanditChoice;
  /** Record one reward in [0, 1] for `arm`. */
  update(arm: number, reward: number): void;
  /** Rewards recorded per arm. */
  readonly pulls: Float64Array;
}

/**
 * A bandit policy over `arms` arms.
 * @param arms number of arms (>= 1)
 * @param policy ucb1 or thompson
 * @param explorationShare probability that a pull picks a uniformly random arm
 * @param rand uniform [0, 1) generator
 * @returns the policy
 */
export function createBanditPolicy(arms: number, policy: BanditPolicyKind, explorationShare: number, rand: () => number): BanditPolicy {
  if (!Number.isInteger(arms) || arms < 1) throw new RangeError(`bandit: arms must be an integer >= 1, got ${arms}`);
  const pulls = new Float64Array(arms);
  const rewardSum = new Float64Array(arms);
  const successes = new Float64Array(arms);
  let total = 0;

  const ucb1 = (): number => {
    for (let a = 0; a < arms; a++) if (pulls[a] === 0) return a;
    let best = 0;
    let bestIndex = -Infinity;
    for (let a = 0; a < arms; a++) {
      const index = rewardSum[a] / pulls[a] + Math.sqrt((2 * Math.log(total)) / pulls[a]);
      if (index > bestIndex) {
        best = a;
        bestIndex = index;
      }
    }
    return best;
  };
  const thompson = (): number => {
    let best = 0;
    let bestDraw = -Infinity;
    for (let a = 0; a < arms; a++) {
      const draw = betaDraw(1 + successes[a], 1 + pulls[a] - successes[a], rand);
      if (draw > bestDraw) {
        best = a;
        bestDraw = draw;
      }
    }
    return best;
  };

  return {
    pulls,
    select() {
      if (rand() < explorationShare) return { arm: Math.floor(rand() * arms), explored: true };
      return { arm: policy === 'ucb1' ? ucb1() : thompson(), explored: false };
    },
    update(arm, reward) {
      if (!(reward >= 0 && reward <= 1)) throw new RangeError(`bandit: reward must be in [0, 1], got ${reward}`);
      pulls[arm]++;
      rewardSum[arm] += reward;
      total++;
      // Thompson's Bernoulli trial; UCB1 uses the reward itself.
      if (policy === 'thompson' && rand() < reward) successes[arm]++;
    },
  };
}

/** Beta(a, b) draw for a, b >= 1. */
function betaDraw(a: number, b: number, rand: () => number): number {
  const x = gammaDraw(a, rand);
  return x / (x + gammaDraw(b, rand));
}

/** Gamma(shape, 1) draw for shape >= 1 (Marsaglia & Tsang, ACM TOMS 26(3), 2000). */
function gammaDraw(shape: number, rand: () => number): number {
  const dd = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * dd);
  for (;;) {
    const x = standardNormal(rand);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - rand();
    // The squeeze test 1 - 0.0331 x^4 avoids the logarithms most of the time.
    if (u < 1 - 0.0331 * x * x * x * x) return dd * v;
    if (Math.log(u) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v;
  }
}

export interface BanditArm {
  /** Index of the arm's family in the job's spaces. */
  readonly family: number;
  readonly sampler: Sampler;
}

export interface BanditSearchOptions {
  readonly arms: readonly BanditArm[];
  readonly policy: BanditPolicyKind;
  readonly explorationShare: number;
  /** Candidates per pull. */
  readonly batchSize: number;
  /** Number of objectives (columns of F). */
  readonly objectives: number;
  /** Column of F that is the scalar. */
  readonly primary: number;
  readonly rand: () => number;
}

/**
 * A search that lets a bandit choose, batch by batch, which (family, sampler) arm to sample.
 * @param opts arms, policy and the reward's scalar
 * @returns the optimizer; it never finishes by itself, the budget stops it
 */
export function createBanditSearch(opts: BanditSearchOptions): Optimizer {
  const { arms, batchSize, objectives: m, primary } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`bandit: batchSize must be an integer >= 1, got ${batchSize}`);
  const policy = createBanditPolicy(arms.length, opts.policy, opts.explorationShare, opts.rand);
  const U = new Float64Array(batchSize * Math.max(...arms.map((a) => a.sampler.dims)));
  const scalars = new Float64Array(batchSize);
  const batchSorted = new Float64Array(batchSize);
  // Scalars of every candidate so far, ascending (better first); grows geometrically.
  let history = new Float64Array(batchSize);
  let merged = new Float64Array(batchSize);
  let seen = 0;
  let arm = 0;
  let asked = 0;

  return {
    ask(max) {
      arm = policy.select().arm;
      asked = Math.min(batchSize, max);
      arms[arm].sampler.sample(asked, U);
      return { U, n: asked, family: arms[arm].family, arm };
    },

    tell(F, violation) {
      for (let i = 0; i < asked; i++) {
        const s = F[i * m + primary];
        scalars[i] = violation[i] === 0 && s === s ? s : Infinity;
      }
      for (let i = 0; i < asked; i++) {
        const feasible = violation[i] === 0;
        const reward = !feasible ? 0 : seen === 0 ? 0.5 : beatenShare(history, seen, scalars[i]);
        policy.update(arm, reward);
      }
      // Merge the batch into the sorted history.
      batchSorted.set(scalars.subarray(0, asked));
      batchSorted.subarray(0, asked).sort();
      if (merged.length < seen + asked) {
        const grown = Math.max(2 * merged.length, seen + asked);
        const h = new Float64Array(grown);
        h.set(history.subarray(0, seen));
        history = h;
        merged = new Float64Array(grown);
      }
      let a = 0;
      let b = 0;
      let o = 0;
      while (a < seen && b < asked) merged[o++] = history[a] <= batchSorted[b] ? history[a++] : batchSorted[b++];
      while (a < seen) merged[o++] = history[a++];
      while (b < asked) merged[o++] = batchSorted[b++];
      [history, merged] = [merged, history];
      seen += asked;
    },
  };
}

/** Share of the n sorted values that are worse (larger) than s, ties counting half. */
function beatenShare(sorted: Float64Array, n: number, s: number): number {
  const below = lowerBound(sorted, n, s);
  let above = below;
  let hi = n;
  // First index with a value > s.
  while (above < hi) {
    const mid = (above + hi) >>> 1;
    if (sorted[mid] <= s) above = mid + 1;
    else hi = mid;
  }
  return (n - above + 0.5 * (above - below)) / n;
}

/** First index whose value is >= s. */
function lowerBound(sorted: Float64Array, n: number, s: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
