/**
 * The higher-order driver's bandit policy (issue 16; the seed's "Higher-Order Hyper-Parameter
 * Driver"): it proposes meta-parameters for one trial at a time and learns from each trial's
 * score. Pure: the hyperopt job runs the trials and reports their scores.
 *
 * Trial t (from 0):
 * - holds dimension `dims[t % D]` constant (hold-one-out): at the best trial's value once there
 *   is a best, else at the range's midpoint (rounded for an integer dimension);
 * - draws u from the rng (always, so the stream never depends on the branch) and explores if
 *   u < explore_pct / 100 or there is no best yet, else exploits;
 * - explore: every other dimension uniform in its range (integers uniform over low..high);
 *   exploit: every other dimension best + exploit_scale x (high - low) x N(0, 1) (Box-Muller),
 *   rounded for integers, clipped to the range.
 * `tell(score)` then reports the score of the oldest proposal not yet told (the last one when
 * propose and tell alternate). A score above the best's (the first finite one when there is none)
 * is a new best and lowers explore_pct by explore_step_pct; any other score, a failed trial's NaN
 * or -Infinity included, raises it; either way it is clamped to [explore_min_pct, explore_max_pct].
 *
 * The rng is the only source of randomness: the same seed and the same scores, told in the same
 * order relative to the proposals, give the same proposals, so a resumed run replays its finished
 * trials (propose, then tell the stored score) and continues as the uninterrupted run would.
 */
import { standardNormal } from '../../native-free-kernels/stats/normal.js';
import type { Rng } from '../rng.js';
import { INTEGER_RANGES, type HyperoptConfig } from '../config/hyperopt.js';

/** One meta-parameter and its range (inclusive). */
export interface HyperoptDimension {
  readonly name: string;
  readonly low: number;
  readonly high: number;
  /** Whole numbers only (bars): proposals are rounded. */
  readonly integer: boolean;
}

/** The policy's knobs, as `hyperopt_config.yml` names them (explore_pct may come from HYPEROPT_EXPLORE_PCT instead). */
export type HyperoptPolicySettings = Pick<
  HyperoptConfig['hyperopt'],
  'explore_pct' | 'explore_step_pct' | 'explore_min_pct' | 'explore_max_pct' | 'exploit_scale'
>;

export type HyperoptArm = 'explore' | 'exploit';

export interface HyperoptProposal {
  /** Trial number, from 0. */
  readonly trial: number;
  readonly arm: HyperoptArm;
  /** The explore share (percent) the arm was drawn with. */
  readonly explore_pct: number;
  /** The dimension held constant. */
  readonly held: string;
  /** Every dimension's value, by name. */
  readonly params: Readonly<Record<string, number>>;
}

export interface HyperoptBest {
  readonly trial: number;
  readonly params: Readonly<Record<string, number>>;
  readonly score: number;
}

export interface HyperoptTold {
  /** Whether the score is a new best. */
  readonly improved: boolean;
  /** The explore share after the update. */
  readonly explore_pct: number;
}

export interface HyperoptPolicyState {
  /** Trials proposed so far (the next trial's number). */
  readonly proposed: number;
  readonly explore_pct: number;
  readonly best: HyperoptBest | null;
  /** Trials proposed and not yet told, oldest first. */
  readonly pending: readonly number[];
}

/**
 * The dimensions of the config's ranges, in the file's key order; `INTEGER_RANGES` are integers.
 * @param ranges `hyperopt.ranges`
 */
export function hyperoptDimensions(ranges: HyperoptConfig['hyperopt']['ranges']): HyperoptDimension[] {
  return Object.entries(ranges).map(([name, r]) => ({ name, low: r.low, high: r.high, integer: INTEGER_RANGES.has(name) }));
}

export class HyperoptPolicy {
  readonly #dims: readonly HyperoptDimension[];
  readonly #settings: HyperoptPolicySettings;
  readonly #rng: Rng;
  #explorePct: number;
  #best: HyperoptBest | null = null;
  #proposed = 0;
  readonly #pending: HyperoptProposal[] = [];

  /**
   * @param dims at least one dimension, each with low <= high (integer bounds for an integer one)
   * @param settings explore_pct within [explore_min_pct, explore_max_pct] (the config and the job check this)
   * @param rng the policy's own stream, e.g. `createRng(seed, 'hyperopt-policy')`
   */
  constructor(dims: readonly HyperoptDimension[], settings: HyperoptPolicySettings, rng: Rng) {
    if (dims.length === 0) throw new RangeError('HyperoptPolicy: expected at least one dimension');
    for (const d of dims) {
      if (!(d.low <= d.high) || (d.integer && !(Number.isInteger(d.low) && Number.isInteger(d.high)))) {
        throw new RangeError(`HyperoptPolicy: dimension ${d.name}: expected ${d.integer ? 'integer ' : ''}low <= high, got ${d.low}..${d.high}`);
      }
    }
    const { explore_pct, explore_min_pct, explore_max_pct } = settings;
    if (!(explore_min_pct <= explore_pct && explore_pct <= explore_max_pct)) {
      throw new RangeError(`HyperoptPolicy: expected explore_min_pct ${explore_min_pct} <= explore_pct ${explore_pct} <= explore_max_pct ${explore_max_pct}`);
    }
    this.#dims = dims.map((d) => ({ ...d }));
    this.#settings = { ...settings };
    this.#rng = rng;
    this.#explorePct = explore_pct;
  }

  /** The next trial's meta-parameters; it stays pending until a `tell`. */
  propose(): HyperoptProposal {
    const trial = this.#proposed++;
    const held = this.#dims[trial % this.#dims.length];
    const best = this.#best;
    // Drawn on every trial, exploring or not, so the stream's position depends on the trial count only.
    const u = this.#rng();
    const arm: HyperoptArm = best === null || u < this.#explorePct / 100 ? 'explore' : 'exploit';
    const params: Record<string, number> = {};
    for (const d of this.#dims) {
      if (d === held) params[d.name] = best !== null ? best.params[d.name] : midpoint(d);
      else if (best === null || arm === 'explore') params[d.name] = uniformIn(d, this.#rng());
      else params[d.name] = this.#perturb(d, best.params[d.name]);
    }
    const proposal: HyperoptProposal = { trial, arm, explore_pct: this.#explorePct, held: held.name, params: Object.freeze(params) };
    this.#pending.push(proposal);
    return proposal;
  }

  /**
   * Report the score of the oldest pending proposal.
   * @param score realized total_profit; NaN or -Infinity for a failed trial
   */
  tell(score: number): HyperoptTold {
    const p = this.#pending.shift();
    if (p === undefined) throw new Error('HyperoptPolicy.tell: no proposal is waiting for a score');
    // NaN compares false: a failed trial is never a best.
    const improved = score > (this.#best?.score ?? -Infinity);
    if (improved) this.#best = { trial: p.trial, params: p.params, score };
    const { explore_step_pct, explore_min_pct, explore_max_pct } = this.#settings;
    const next = this.#explorePct + (improved ? -explore_step_pct : explore_step_pct);
    this.#explorePct = Math.min(explore_max_pct, Math.max(explore_min_pct, next));
    return { improved, explore_pct: this.#explorePct };
  }

  /** The best trial told so far, or null. */
  best(): HyperoptBest | null {
    return this.#best;
  }

  state(): HyperoptPolicyState {
    return { proposed: this.#proposed, explore_pct: this.#explorePct, best: this.#best, pending: this.#pending.map((p) => p.trial) };
  }

  /** best + N(0, (exploit_scale x range)^2), rounded for integers, clipped to the range. */
  #perturb(d: HyperoptDimension, at: number): number {
    const x = at + this.#settings.exploit_scale * (d.high - d.low) * standardNormal(this.#rng);
    return clip(d, d.integer ? Math.round(x) : x);
  }
}

function midpoint(d: HyperoptDimension): number {
  const m = (d.low + d.high) / 2;
  return d.integer ? Math.round(m) : m;
}

/** Uniform in [low, high]; for integers each of low..high equally likely. */
function uniformIn(d: HyperoptDimension, u: number): number {
  return d.integer ? d.low + Math.floor(u * (d.high - d.low + 1)) : d.low + u * (d.high - d.low);
}

function clip(d: HyperoptDimension, x: number): number {
  return Math.min(d.high, Math.max(d.low, x));
}
