/**
 * A bandit over arms, where an arm is a (family, method) pair with its own optimizer instance
 * (NSGA-II, annealing or a plain sampler over that family's unit cube). A pull is one ask/tell of
 * the arm's optimizer: an NSGA-II generation (its first pull the initial population), one step of
 * every annealing chain, or one sampler batch. The bandit passes the budget's `max` down, so the
 * last pull is cut short and the job evaluates exactly its budget; an optimizer that finishes
 * (n = 0) retires its arm, and the bandit finishes when every arm has.
 *
 * Reward of a pull: 1 if its best candidate improves on the best of every candidate before it (all
 * arms), else 0. "Best" is Deb's order: less constraint violation first, then the smaller
 * F[primary] (minimised; NaN counts as +Infinity), so while nothing is feasible the arm that
 * lowers the violation earns, and once something is, an infeasible pull earns nothing. The job
 * keeps its best candidate, so the arm that moves the best is the one to exploit: an optimizer
 * still converging keeps earning, one stuck at a worse optimum stops. The per-candidate rank
 * reward used before (share of earlier candidates beaten) favoured for good a family whose random
 * points look better, whatever its optimum: on the three-family problem of
 * tests/search/bandit.test.ts, Thompson spent a median 12% of the budget on the best family
 * with it, 71% with this one.
 *
 * Pulls differ in size by method (population, chains, batch size) and a larger pull has more
 * chances to improve, so arms are compared per candidate spent, as a budgeted bandit compares
 * reward per cost (Xia, Li, Qin, Yu & Liu, IJCAI 2015): an arm's mean reward (UCB1) or posterior
 * draw (Thompson) is scaled by c_min / c_a, c_a its mean pull size and c_min the smallest among
 * the active arms, which keeps the value in [0, 1]. Every arm is pulled once first, which gives
 * its size; ties go to the lower arm.
 * - UCB1 (Auer, Cesa-Bianchi & Fischer, Machine Learning 47, 2002): the arm maximising
 *   (c_min / c_a) mean_a + sqrt(2 ln t / n_a), t = pulls so far.
 * - Thompson sampling with Beta(1 + s_a, 1 + f_a) posteriors, maximising (c_min / c_a) θ_a over
 *   the draws θ_a; a reward r in [0, 1] counts as a success with probability r (Agrawal & Goyal,
 *   COLT 2012), so Bernoulli and fractional rewards share one posterior. Beta draws are
 *   X / (X + Y) of Marsaglia-Tsang gamma draws.
 * On top of either, a pull goes to a uniformly random active arm with probability `explorationShare`.
 *
 * Infeasible families: once some family has a feasible candidate, a family with
 * `retireInfeasibleAfter` candidates and not one feasible gets no more pulls (all its arms retire)
 * and is listed in `retired` with its count. While no family has a feasible candidate none is
 * retired, so every arm keeps working on the least-violating front.
 */
import { standardNormal } from '../../native-free-kernels/stats/normal.js';
import type { Optimizer } from './optimize.js';
import type { OptimizerSettings } from '../config/optimizer-settings.js';

export type BanditPolicyKind = OptimizerSettings['bandit']['policy'];

export interface BanditChoice {
  readonly arm: number;
  /** Whether the arm was picked uniformly at random (the exploration share) rather than by the policy. */
  readonly explored: boolean;
}

export interface BanditPolicy {
  /** The arm to pull next; at least one arm must be active. */
  select(): BanditChoice;
  /**
   * Record a pull of `arm`.
   * @param reward in [0, 1]
   * @param cost what the pull spent (> 0; candidates): arms are ranked per unit of it
   */
  update(arm: number, reward: number, cost?: number): void;
  /** Pulls recorded per arm. */
  readonly pulls: Float64Array;
  /** Never select `arm` again. */
  retire(arm: number): void;
  /** Arms not retired. */
  readonly active: number;
}

/**
 * A bandit policy over `arms` arms.
 * @param arms number of arms (>= 1)
 * @param policy ucb1 or thompson
 * @param explorationShare probability that a pull picks a uniformly random active arm
 * @param rand uniform [0, 1) generator
 * @returns the policy
 */
export function createBanditPolicy(arms: number, policy: BanditPolicyKind, explorationShare: number, rand: () => number): BanditPolicy {
  if (!Number.isInteger(arms) || arms < 1) throw new RangeError(`bandit: arms must be an integer >= 1, got ${arms}`);
  const pulls = new Float64Array(arms);
  const rewardSum = new Float64Array(arms);
  const costSum = new Float64Array(arms);
  const successes = new Float64Array(arms);
  const retired = new Uint8Array(arms);
  let active = arms;
  let total = 0;

  const choose = (): number => {
    let cheapest = Infinity;
    for (let a = 0; a < arms; a++) {
      if (retired[a]) continue;
      if (pulls[a] === 0) return a;
      cheapest = Math.min(cheapest, costSum[a] / pulls[a]);
    }
    let best = 0;
    let bestScore = -Infinity;
    for (let a = 0; a < arms; a++) {
      if (retired[a]) continue;
      const perCost = cheapest / (costSum[a] / pulls[a]);
      const score =
        policy === 'ucb1'
          ? (perCost * rewardSum[a]) / pulls[a] + Math.sqrt((2 * Math.log(total)) / pulls[a])
          : perCost * betaDraw(1 + successes[a], 1 + pulls[a] - successes[a], rand);
      if (score > bestScore) {
        best = a;
        bestScore = score;
      }
    }
    return best;
  };
  /** The k-th active arm. */
  const activeArm = (k: number): number => {
    for (let a = 0; ; a++) if (!retired[a] && k-- === 0) return a;
  };

  return {
    pulls,
    get active() {
      return active;
    },
    retire(arm) {
      if (retired[arm]) return;
      retired[arm] = 1;
      active--;
    },
    select() {
      if (active === 0) throw new RangeError('bandit: every arm is retired');
      if (rand() < explorationShare) return { arm: activeArm(Math.floor(rand() * active)), explored: true };
      return { arm: choose(), explored: false };
    },
    update(arm, reward, cost = 1) {
      if (!(reward >= 0 && reward <= 1)) throw new RangeError(`bandit: reward must be in [0, 1], got ${reward}`);
      if (!(cost > 0 && cost < Infinity)) throw new RangeError(`bandit: cost must be finite and > 0, got ${cost}`);
      pulls[arm]++;
      rewardSum[arm] += reward;
      costSum[arm] += cost;
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
  /** The arm's own optimizer over that family's unit cube; a pull is one ask/tell of it. */
  readonly optimizer: Optimizer;
}

/** A family whose arms were retired because none of its candidates was feasible. */
export interface RetiredFamily {
  /** Index of the family in the job's spaces. */
  readonly family: number;
  /** Candidates of the family evaluated when it was retired. */
  readonly after: number;
}

export interface BanditSearchOptions {
  readonly arms: readonly BanditArm[];
  readonly policy: BanditPolicyKind;
  readonly explorationShare: number;
  /** Number of objectives (columns of F). */
  readonly objectives: number;
  /** Column of F that is the scalar. */
  readonly primary: number;
  /** Candidates of one family, none feasible, after which its arms are retired (see the header). */
  readonly retireInfeasibleAfter: number;
  readonly rand: () => number;
}

export interface BanditSearch extends Optimizer {
  /** Families retired as infeasible, in the order they were retired. */
  readonly retired: readonly RetiredFamily[];
}

/**
 * A search that lets a bandit choose, pull by pull, which (family, method) arm advances.
 * @param opts arms, policy, the reward's scalar and the retirement count
 * @returns the optimizer; it finishes only when every arm's optimizer has
 */
export function createBanditSearch(opts: BanditSearchOptions): BanditSearch {
  const { arms, objectives: m, primary, retireInfeasibleAfter } = opts;
  if (arms.length === 0) throw new RangeError('bandit: no arm given');
  const families = 1 + Math.max(...arms.map((a) => a.family));
  const policy = createBanditPolicy(arms.length, opts.policy, opts.explorationShare, opts.rand);
  const empty = new Float64Array(0);
  // Per family: candidates evaluated, feasible ones among them, retired or not.
  const evaluated = new Float64Array(families);
  const feasible = new Float64Array(families);
  const isRetired = new Uint8Array(families);
  const retired: RetiredFamily[] = [];
  // The best candidate so far in Deb's order: its violation, then its scalar.
  let bestViolation = Infinity;
  let bestScalar = Infinity;
  let arm = 0;
  let asked = 0;

  function retireInfeasible(): void {
    if (!feasible.some((c) => c > 0)) return;
    for (let f = 0; f < families; f++) {
      if (isRetired[f] || feasible[f] > 0 || evaluated[f] < retireInfeasibleAfter) continue;
      isRetired[f] = 1;
      retired.push({ family: f, after: evaluated[f] });
      for (let a = 0; a < arms.length; a++) if (arms[a].family === f) policy.retire(a);
    }
  }

  return {
    retired,
    ask(max) {
      for (;;) {
        if (policy.active === 0) return { U: empty, n: 0, family: 0, arm: 0 };
        arm = policy.select().arm;
        const p = arms[arm].optimizer.ask(max);
        if (p.n > 0) {
          asked = p.n;
          return { U: p.U, n: p.n, family: arms[arm].family, arm };
        }
        policy.retire(arm);
      }
    },

    tell(F, violation) {
      arms[arm].optimizer.tell(F, violation);
      let pullViolation = Infinity;
      let pullScalar = Infinity;
      let feasibleNow = 0;
      for (let i = 0; i < asked; i++) {
        const v = violation[i] === violation[i] ? violation[i] : Infinity;
        const s = F[i * m + primary] === F[i * m + primary] ? F[i * m + primary] : Infinity;
        if (v === 0) feasibleNow++;
        if (v < pullViolation || (v === pullViolation && s < pullScalar)) {
          pullViolation = v;
          pullScalar = s;
        }
      }
      const improved = pullViolation < bestViolation || (pullViolation === bestViolation && pullScalar < bestScalar);
      if (improved) {
        bestViolation = pullViolation;
        bestScalar = pullScalar;
      }
      policy.update(arm, improved ? 1 : 0, asked);
      const f = arms[arm].family;
      evaluated[f] += asked;
      feasible[f] += feasibleNow;
      retireInfeasible();
    },
  };
}
