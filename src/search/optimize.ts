/**
 * The search facade, after pymoo's `minimize(problem, algorithm, termination, seed)`: build the
 * configured optimizer, loop ask → evaluate → tell until the optimizer finishes or the budget
 * stops it, and return every evaluated candidate with its objectives, violation, constrained
 * Pareto rank, crowding distance and the best row under constraints.
 *
 * Every point proposed satisfies its family's pair constraints (constraints.ts: samplers redraw,
 * operators project); the counts are in the result (`repairs`). Every optimizer evaluates exactly
 * the candidate budget unless the wall time or the signal stops it first: NSGA-II runs as many
 * generations as the budget holds, annealing spreads its cooling schedule over it, and the bandit
 * (bandit.ts) passes what is left down to the arm it pulls.
 *
 * The bandit searches several families at once: its arms are every (family, method) pair of
 * `optimizer.bandit.methods`, each with its own optimizer instance, random streams and the
 * family's pair-constraint repair; its annealing arms cool with the job's progress (candidates
 * evaluated / the candidate budget). Families it stopped pulling as infeasible are in `retired`.
 *
 * Evaluation is injected: `evaluate(U, n, family)` turns n unit-cube points of one family into
 * minimised objectives F (n × m, m = settings.objectives.length, e.g. via `objectiveMatrix`) and a
 * total constraint violation per row (0 = feasible; guardrail breaches count here). Optimizers
 * never see how. Given the seed and an evaluate that depends only on its input, the run is
 * reproducible bit for bit (wall-time limits aside), whatever the evaluator's parallelism.
 */
import { performance } from 'node:perf_hooks';
import { createAnnealing, type AnnealingOptions } from './annealing.js';
import { createBanditSearch, type RetiredFamily } from './bandit.js';
import { createBudget, type BudgetLimits, type StopReason } from './budget.js';
import { feasibleRegion, feasibleSampler, rowRepair, type FeasibleRegion, type RepairStats } from './constraints.js';
import { createNsga2 } from './nsga2.js';
import { createRandomSearch } from './random-search.js';
import { bestUnderConstraints, createRankingWorkspace, rankAndCrowd } from './ranking.js';
import { createRng } from '../rng.js';
import { createSampler, type Sampler } from './sampler.js';
import { dimensionStrata } from './operators/categorical.js';
import type { BanditMethod, OptimizerKind, OptimizerSettings, SamplerKind } from '../config/optimizer-settings.js';
import type { ParamLayout } from '../config/param-layout.js';

export { OPTIMIZER_KINDS, type OptimizerKind } from '../config/optimizer-settings.js';

/** Points an optimizer wants evaluated: rows 0..n-1 of U (row-major, the family's dims wide). */
export interface Proposal {
  /** Owned by the optimizer and reused: valid until the next ask. */
  readonly U: Float64Array;
  /** Number of points; 0 = the optimizer has finished. */
  readonly n: number;
  /** Index of the family (search space) the points belong to. */
  readonly family: number;
  /** Index of the arm that proposed them (0 unless the optimizer is a bandit). */
  readonly arm: number;
}

/** pymoo-style ask/tell: every algorithm in src/search implements it. */
export interface Optimizer {
  /** Propose at most `max` points (max >= 1). */
  ask(max: number): Proposal;
  /** Results of the last proposal, rows in its order: F (n × m, minimised) and violation (n). */
  tell(F: Float64Array, violation: Float64Array): void;
}

/** One family's unit cube: per dimension 0 = continuous, else its strata (see `dimensionStrata`). */
export interface SearchSpace {
  readonly family: string;
  readonly strata: Float64Array;
  /** The part of the cube inside the family's pair constraints; absent: all of it. */
  readonly region?: FeasibleRegion | null;
}

/** The search space of a family's layout. */
export function searchSpace(layout: ParamLayout): SearchSpace {
  return { family: layout.family, strata: dimensionStrata(layout), region: feasibleRegion(layout) };
}

export interface Evaluation {
  /** Minimised objectives, row-major n × m; NaN counts as +Infinity. */
  readonly F: Float64Array;
  /** Total constraint violation per row: 0 feasible, > 0 infeasible, NaN worst. */
  readonly violation: Float64Array;
}

/**
 * Evaluate n points of one family. U is the optimizer's buffer: read it before the promise
 * settles, do not keep it. The signal is the budget's: abort work in flight when it fires.
 */
export type EvaluateFn = (U: Float64Array, n: number, family: number, signal?: AbortSignal) => Promise<Evaluation>;

export interface GenerationInfo {
  /** 0 for the first batch. */
  readonly generation: number;
  /** The batch is rows start..start+n-1 of the result. */
  readonly start: number;
  readonly n: number;
  readonly family: number;
  readonly arm: number;
  /** Candidates evaluated so far, this batch included. */
  readonly evaluated: number;
}

export interface SearchJob {
  readonly optimizer: OptimizerKind;
  /** The families searched: exactly one, except for the bandit, whose arms are (family, method) pairs. */
  readonly spaces: readonly SearchSpace[];
  readonly budget: BudgetLimits;
  readonly seed: number | string;
  readonly evaluate: EvaluateFn;
  readonly settings: OptimizerSettings;
  /** Called after each batch is told. */
  readonly onGeneration?: (info: GenerationInfo) => void;
  /** Milliseconds for the wall-time limit; default performance.now. */
  readonly clock?: () => number;
  /** Keys that give this search random streams of its own under the seed (an NSGA-II island). */
  readonly stream?: readonly (string | number)[];
  /** NSGA-II: points that replace the last rows of generation 0 (an island's migrants). */
  readonly immigrants?: Float64Array;
}

export interface SearchArm {
  readonly family: string;
  /** The method of a bandit arm, else the optimizer. */
  readonly method: OptimizerKind;
}

export interface SearchResult {
  /** Candidates evaluated. */
  readonly n: number;
  /** Width of U: the widest family's dims; narrower families' rows are NaN-padded. */
  readonly dims: number;
  /** Objectives per row (columns of F). */
  readonly m: number;
  readonly U: Float64Array;
  readonly family: Int32Array;
  readonly arm: Int32Array;
  readonly F: Float64Array;
  readonly violation: Float64Array;
  /** Constrained Pareto rank over all evaluated candidates (0 = feasible non-dominated). */
  readonly rank: Int32Array;
  readonly crowding: Float64Array;
  /** Row chosen by `bestUnderConstraints` on the primary objective, -1 if none is feasible. */
  readonly best: number;
  readonly arms: readonly SearchArm[];
  /** Families the bandit stopped pulling because none of their first `after` candidates was feasible. */
  readonly retired: readonly { readonly family: string; readonly after: number }[];
  readonly generations: number;
  readonly stopReason: StopReason;
  /** Proposed points that broke a pair constraint: redrawn by a sampler, or projected. */
  readonly repairs: RepairStats;
}

/**
 * Run a whole search job.
 * @param job optimizer, spaces, budget, seed, evaluator and settings
 * @returns every evaluated candidate, ranked
 */
export async function runSearch(job: SearchJob): Promise<SearchResult> {
  const { spaces, settings, evaluate } = job;
  if (spaces.length === 0) throw new RangeError('runSearch: no search space given');
  if (job.optimizer !== 'bandit' && spaces.length !== 1) {
    throw new RangeError(`runSearch: ${job.optimizer} searches one family, got ${spaces.length}; use the bandit to search several`);
  }
  const m = settings.objectives.length;
  const primary = settings.objectives.findIndex((o) => o.metric === settings.primary_objective);
  const repairs: RepairStats = { rejected: 0, repaired: 0 };
  const budget = createBudget(job.budget, job.clock ?? (() => performance.now()));
  const { optimizer, arms, retired } = buildOptimizer(job, m, primary, repairs, () => budget.spent / job.budget.maxCandidates);
  const signal = job.budget.signal;
  const dims = Math.max(...spaces.map((s) => s.strata.length));
  const store = createStore(dims, m, job.budget.maxCandidates);

  let generation = 0;
  let stopReason: StopReason;
  for (;;) {
    const max = budget.remaining();
    if (max === 0) {
      stopReason = budget.stopReason()!;
      break;
    }
    const p = optimizer.ask(max);
    if (p.n === 0) {
      stopReason = 'finished';
      break;
    }
    const d = spaces[p.family].strata.length;
    checkProposal(spaces[p.family], p, d);
    let result: Evaluation;
    try {
      result = await evaluate(p.U.subarray(0, p.n * d), p.n, p.family, signal);
    } catch (err) {
      if (signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      throw err;
    }
    checkEvaluation(result, p.n, m);
    const start = store.n;
    store.append(p, d, result);
    optimizer.tell(result.F, result.violation);
    budget.spend(p.n);
    job.onGeneration?.({ generation, start, n: p.n, family: p.family, arm: p.arm, evaluated: store.n });
    generation++;
  }

  const n = store.n;
  const F = store.F.subarray(0, n * m);
  const violation = store.violation.subarray(0, n);
  const rank = new Int32Array(n);
  const crowding = new Float64Array(n);
  rankAndCrowd(F, violation, n, m, rank, crowding, createRankingWorkspace(n, m));
  return {
    n,
    dims,
    m,
    U: store.U.subarray(0, n * dims),
    family: store.family.subarray(0, n),
    arm: store.arm.subarray(0, n),
    F,
    violation,
    rank,
    crowding,
    best: bestUnderConstraints(F, violation, rank, n, m, primary),
    arms,
    retired: retired.map((r) => ({ family: spaces[r.family].family, after: r.after })),
    generations: generation,
    stopReason,
    repairs,
  };
}

interface BuiltOptimizer {
  readonly optimizer: Optimizer;
  readonly arms: SearchArm[];
  readonly retired: readonly RetiredFamily[];
}

/**
 * The job's optimizer. A single optimizer's random streams are keyed by its method alone; bandit
 * arm i prefixes them with ('bandit', i), so each arm draws on streams of its own.
 */
function buildOptimizer(job: SearchJob, m: number, primary: number, repairs: RepairStats, progress: () => number): BuiltOptimizer {
  const { spaces, settings, seed } = job;
  const sampler = (kind: SamplerKind, family: number, stream: readonly (string | number)[]): Sampler => {
    const s = createSampler(kind, {
      dims: spaces[family].strata.length,
      seed,
      stream,
      maximinIterations: settings.sampling.maximin_iterations,
      scramble: settings.sampling.scramble,
    });
    const region = spaces[family].region;
    return region ? feasibleSampler(s, region, repairs) : s;
  };
  /** One method over one family; its points keep that family's pair constraints. */
  const method = (kind: BanditMethod, family: number, prefix: readonly (string | number)[], cooling: AnnealingOptions['cooling']): Optimizer => {
    const region = spaces[family].region;
    const repair = region ? rowRepair(region, repairs) : undefined;
    switch (kind) {
      case 'nsga2':
        return createNsga2({
          strata: spaces[family].strata,
          objectives: m,
          settings: settings.nsga2,
          initial: sampler(settings.nsga2.initial_sampler, family, [...prefix, 'nsga2', 'initial']),
          seed,
          stream: prefix,
          ...(repair ? { repair } : {}),
          ...(job.immigrants !== undefined ? { immigrants: job.immigrants } : {}),
        });
      case 'anneal':
        return createAnnealing({
          dims: spaces[family].strata.length,
          objectives: m,
          primary,
          settings: settings.annealing,
          initial: sampler(settings.annealing.initial_sampler, family, [...prefix, 'annealing', 'initial']),
          rand: createRng(seed, ...prefix, 'annealing', 'steps'),
          cooling,
          ...(repair ? { repair } : {}),
        });
      default:
        return createRandomSearch(sampler(kind, family, [...prefix, 'search']), settings.sampling.batch_size);
    }
  };
  if (job.optimizer !== 'bandit') {
    return {
      optimizer: method(job.optimizer, 0, job.stream ?? [], { budget: job.budget.maxCandidates }),
      arms: [{ family: spaces[0].family, method: job.optimizer }],
      retired: [],
    };
  }
  const { methods } = settings.bandit;
  if (methods.includes('anneal') && !Number.isFinite(job.budget.maxCandidates)) {
    throw new RangeError(`runSearch: the bandit's annealing arms cool over the job's progress, which needs a finite candidate budget`);
  }
  const pairs = spaces.flatMap((_, family) => methods.map((kind) => ({ family, kind })));
  const bandit = createBanditSearch({
    arms: pairs.map((a, i) => ({ family: a.family, optimizer: method(a.kind, a.family, ['bandit', i], { progress }) })),
    policy: settings.bandit.policy,
    explorationShare: settings.bandit.exploration_share,
    objectives: m,
    primary,
    retireInfeasibleAfter: settings.bandit.retire_infeasible_after,
    rand: createRng(seed, 'bandit', 'policy'),
  });
  return { optimizer: bandit, arms: pairs.map((a) => ({ family: spaces[a.family].family, method: a.kind })), retired: bandit.retired };
}

/** An optimizer that proposes a point outside its family's constraints is a bug, not a candidate. */
function checkProposal(space: SearchSpace, p: Proposal, d: number): void {
  if (!space.region) return;
  for (let i = 0; i < p.n; i++) {
    if (!space.region.holds(p.U, i * d)) throw new RangeError(`runSearch: point ${i} of a ${space.family} batch breaks the family's constraints`);
  }
}

function checkEvaluation(e: Evaluation, n: number, m: number): void {
  if (e.F.length < n * m || e.violation.length < n) {
    throw new RangeError(`evaluate returned F of ${e.F.length} and violation of ${e.violation.length} values for ${n} points and ${m} objectives`);
  }
  for (let i = 0; i < n; i++) {
    if (e.violation[i] < 0) throw new RangeError(`evaluate returned violation ${e.violation[i]} for point ${i}; expected >= 0 (0 = feasible)`);
  }
}

/** Rows the result columns start with; they double as needed, so this only saves early copies. */
const INITIAL_ROWS = 4096;

/** Growing typed-array columns of every evaluated candidate. */
function createStore(dims: number, m: number, maxCandidates: number) {
  let capacity = Math.min(maxCandidates, INITIAL_ROWS);
  const s = {
    n: 0,
    U: new Float64Array(capacity * dims),
    family: new Int32Array(capacity),
    arm: new Int32Array(capacity),
    F: new Float64Array(capacity * m),
    violation: new Float64Array(capacity),
    append(p: Proposal, d: number, e: Evaluation): void {
      const need = s.n + p.n;
      if (need > capacity) {
        capacity = Math.max(2 * capacity, need);
        s.U = grow(s.U, capacity * dims);
        s.family = grow(s.family, capacity);
        s.arm = grow(s.arm, capacity);
        s.F = grow(s.F, capacity * m);
        s.violation = grow(s.violation, capacity);
      }
      for (let i = 0; i < p.n; i++) {
        const row = (s.n + i) * dims;
        s.U.set(p.U.subarray(i * d, (i + 1) * d), row);
        s.U.fill(NaN, row + d, row + dims);
      }
      s.family.fill(p.family, s.n, need);
      s.arm.fill(p.arm, s.n, need);
      s.F.set(e.F.subarray(0, p.n * m), s.n * m);
      s.violation.set(e.violation.subarray(0, p.n), s.n);
      s.n = need;
    },
  };
  return s;
}

function grow<T extends Float64Array | Int32Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
