/**
 * Simulated annealing (Kirkpatrick, Gelatt & Vecchi, Science 220, 1983) on the scalar objective,
 * as parallel independent chains so that one ask is a batch the pool can spread.
 *
 * Step 0 places each chain at a sampler point. At step k = 1..steps every chain proposes
 * u' = fold(u + σ_k z), z ~ N(0, I), σ_k = stepScale · T_k / T_0: the step shrinks as the chain
 * cools. fold reflects at 0 and 1 so the proposal stays in the unit cube; a proposal that breaks
 * the space's pair constraints is projected into them (constraints.ts). T_k runs from T_0 at
 * k = 1 to T_final at k = steps, geometrically (T_0 (T_final / T_0)^((k-1)/(steps-1))) or linearly.
 *
 * On its own, the budget sets the schedule: B candidates over c chains are steps = ceil((B - c) / c)
 * after the c starting points, and the last step moves only the first B - c - (steps - 1) · c
 * chains, so the run evaluates exactly B (a budget of at most c is starting points only).
 * As a bandit arm it has no budget of its own and is pulled at the bandit's pace, so a step's
 * temperature is the schedule at the job's progress p in [0, 1] (candidates evaluated by all arms /
 * the job's budget) instead of at (k - 1) / (steps - 1): an arm cools with the job whether it is
 * pulled often or rarely, and one pulled late starts cold. It then never finishes by itself.
 *
 * Acceptance compares (violation, energy) with Deb's rule, energy = F[primary] (NaN counts as
 * +Infinity): less violation is accepted, more is rejected, and at equal violation Metropolis
 * applies, accepting a worse energy with probability exp(-ΔE / T_k). Temperatures are in units of
 * the primary objective.
 */
import type { RowRepair } from './constraints.js';
import type { Optimizer } from './optimize.js';
import { clampUnit, type Sampler } from './sampler.js';
import { standardNormal } from '../../native-free-kernels/stats/normal.js';
import type { OptimizerSettings } from '../config/optimizer-settings.js';

export type CoolingSchedule = OptimizerSettings['annealing']['schedule'];

/**
 * Temperature at step k of a schedule of `steps` steps.
 * @param schedule geometric or linear
 * @param initial T_0, the temperature of step 1
 * @param final T_final, the temperature of the last step
 * @param steps number of steps (>= 1)
 * @param k step, 1..steps
 * @returns T_k
 */
export function temperatureAt(schedule: CoolingSchedule, initial: number, final: number, steps: number, k: number): number {
  return cooled(schedule, initial, final, steps === 1 ? 0 : (k - 1) / (steps - 1));
}

/** The schedule's temperature at fraction t in [0, 1] of the way from `initial` to `final`. */
function cooled(schedule: CoolingSchedule, initial: number, final: number, t: number): number {
  return schedule === 'geometric' ? initial * Math.pow(final / initial, t) : initial + (final - initial) * t;
}

/** Reflect a coordinate into [0, 1) at both walls (a step may cross a wall several times). */
export function foldUnit(v: number): number {
  const r = v - 2 * Math.floor(v / 2);
  return clampUnit(r > 1 ? 2 - r : r);
}

export interface AnnealingOptions {
  readonly dims: number;
  /** Number of objectives (columns of F). */
  readonly objectives: number;
  /** Column of F that is the energy. */
  readonly primary: number;
  readonly settings: OptimizerSettings['annealing'];
  /** Source of the chains' starting points (inside the constraints); its dims must equal `dims`. */
  readonly initial: Sampler;
  readonly rand: () => number;
  /**
   * What the cooling schedule spans. `budget`: the candidates the run evaluates, starting points
   * included (finite); the run finishes after them. `progress`: a bandit arm's job progress in
   * [0, 1], read at each step; the run never finishes by itself.
   */
  readonly cooling: { readonly budget: number } | { readonly progress: () => number };
  /** Keeps proposals inside the space's constraints (none: the whole cube is feasible). */
  readonly repair?: RowRepair;
}

/**
 * A simulated-annealing optimizer of `settings.chains` chains.
 * @param opts space, objectives, settings, initial sampler, random stream, cooling span and repair
 * @returns the optimizer; with a budget, ask(max) returns n = 0 after its last step has been told
 */
export function createAnnealing(opts: AnnealingOptions): Optimizer {
  const { dims: d, objectives: m, primary, settings, initial, rand, cooling, repair } = opts;
  if (initial.dims !== d) throw new RangeError(`annealing: initial sampler has ${initial.dims} dims, the space ${d}`);
  const { chains, schedule, initial_temperature: T0, final_temperature: T1, step_scale } = settings;
  let progress: (() => number) | null = null;
  let steps = Infinity;
  if ('progress' in cooling) progress = cooling.progress;
  else {
    const { budget } = cooling;
    if (!Number.isInteger(budget) || budget < 1) throw new RangeError(`annealing: the cooling schedule needs a finite candidate budget >= 1, got ${budget}`);
    steps = Math.max(0, Math.ceil((budget - chains) / chains));
  }
  const current = new Float64Array(chains * d);
  const energy = new Float64Array(chains);
  const violationOf = new Float64Array(chains);
  const proposal = new Float64Array(chains * d);
  let live = 0;
  let step = 0;
  let asked = 0;
  let temperature = T0;

  return {
    ask(max) {
      if (step > steps) return { U: proposal, n: 0, family: 0, arm: 0 };
      if (step === 0) {
        asked = Math.min(chains, max);
        initial.sample(asked, proposal);
        return { U: proposal, n: asked, family: 0, arm: 0 };
      }
      asked = Math.min(live, max);
      temperature = progress ? cooled(schedule, T0, T1, Math.min(1, Math.max(0, progress()))) : temperatureAt(schedule, T0, T1, steps, step);
      const sigma = (step_scale * temperature) / T0;
      for (let c = 0; c < asked; c++) {
        for (let j = 0; j < d; j++) proposal[c * d + j] = foldUnit(current[c * d + j] + sigma * standardNormal(rand));
      }
      repair?.(proposal, asked);
      return { U: proposal, n: asked, family: 0, arm: 0 };
    },

    tell(F, violation) {
      for (let c = 0; c < asked; c++) {
        const e = F[c * m + primary];
        const eNew = e !== e ? Infinity : e;
        const v = violation[c];
        const vNew = v !== v ? Infinity : v;
        if (step === 0 || accept(vNew, eNew, violationOf[c], energy[c], temperature, rand)) {
          current.set(proposal.subarray(c * d, (c + 1) * d), c * d);
          energy[c] = eNew;
          violationOf[c] = vNew;
        }
      }
      if (step === 0) live = asked;
      step++;
    },
  };
}

/** Deb's rule on violation, Metropolis on energy at equal violation. */
function accept(vNew: number, eNew: number, vOld: number, eOld: number, T: number, rand: () => number): boolean {
  if (vNew !== vOld) return vNew < vOld;
  if (eNew <= eOld) return true;
  return rand() < Math.exp(-(eNew - eOld) / T);
}
