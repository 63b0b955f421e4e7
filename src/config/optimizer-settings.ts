/**
 * The `optimizer:` section of `config/strategy_optimization_config.yml`: what the search optimises
 * and how each search algorithm is tuned. Shapes and bounds only; every value lives in the YAML.
 */
import { z } from 'zod';
import { METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';
import { fraction, int, num } from './schema-helpers.js';
import { MAX_BUDGET, OPTIMIZER_KINDS, SAMPLER_KINDS } from './optimizer-kinds.js';

export { MAX_BUDGET, OPTIMIZER_KINDS, SAMPLER_KINDS, type OptimizerKind } from './optimizer-kinds.js';

export const SamplerKind = z.enum(SAMPLER_KINDS);
export type SamplerKind = z.infer<typeof SamplerKind>;

/** What a bandit arm runs over its family: an optimizer or a plain sampler. */
export const BANDIT_METHODS = ['nsga2', 'anneal', ...SAMPLER_KINDS] as const;
export type BanditMethod = (typeof BANDIT_METHODS)[number];

export const Direction = z.enum(['minimize', 'maximize']);
export type Direction = z.infer<typeof Direction>;

const Metric = z.enum(METRIC_NAMES as readonly MetricName[] as [MetricName, ...MetricName[]]);

export const ObjectiveSpec = z.strictObject({ metric: Metric, direction: Direction });
export type ObjectiveSpec = z.infer<typeof ObjectiveSpec>;

const positive = () => num(0, Infinity, { exclusiveMin: true });

export const OptimizerSettings = z
  .strictObject({
    /** Columns of the minimised objective matrix F, in this order. */
    objectives: z.array(ObjectiveSpec).min(1, { error: 'expected at least one objective' }),
    /** The scalar: lexicographic key of the best-under-constraints choice, annealing energy, bandit reward. */
    primary_objective: Metric,
    sampling: z.strictObject({
      /** Candidates per ask of the plain samplers, and per bandit pull. */
      batch_size: int(1, 1e7),
      /** Coordinate-swap attempts that spread each Latin hypercube batch (0 = plain LHS). */
      maximin_iterations: int(0, 1e9),
      /** Random digital shift (Sobol) / digit permutations (Halton); off, the sequences ignore the seed. */
      scramble: z.boolean(),
    }),
    nsga2: z.strictObject({
      /** Points per generation; the budget sets how many generations there are. */
      population: int(2, 1e6),
      initial_sampler: SamplerKind,
      crossover: z.strictObject({
        /** Share of parent pairs that are crossed (the rest are copied). */
        probability: fraction(),
        /** SBX distribution index: larger keeps children nearer their parents. */
        eta: num(0, Infinity),
        /** Per dimension of a crossed pair: chance that SBX / uniform exchange touches it. */
        variable_probability: fraction(),
      }),
      mutation: z.strictObject({
        /** Polynomial mutation distribution index. */
        eta: num(0, Infinity),
        /** Expected mutated dimensions per child: per-dimension probability min(1, this / dims). */
        variables_per_child: num(0, Infinity),
      }),
      /** Island runs (`optimize --shard` with nsga2): the best individuals per island `merge --migrate` passes to the next epoch. Optional only until every settings literal names it. */
      migrants: int(1, 1e6),
    }),
    annealing: z.strictObject({
      /** Independent chains, each proposing one candidate per step (one batch = one step of all chains); the budget sets the steps, over which the schedule runs from the initial to the final temperature. */
      chains: int(1, 1e6),
      schedule: z.enum(['geometric', 'linear']),
      /** In units of the primary objective. */
      initial_temperature: positive(),
      final_temperature: positive(),
      /** Standard deviation of the Gaussian step in the unit cube at the initial temperature; scales with T / T0. */
      step_scale: positive(),
      initial_sampler: SamplerKind,
    }),
    /** What `pnlopt optimize` runs when the command line does not say. */
    defaults: z.strictObject({
      family: z.string().min(1),
      optimizer: z.enum(OPTIMIZER_KINDS),
      /** Candidates to evaluate. */
      budget: int(1, MAX_BUDGET),
      seed: int(0, 2 ** 31 - 1),
      /** Rows of the Pareto front printed (best under constraints first). */
      front_rows: int(1, 1e6),
    }),
    bandit: z.strictObject({
      policy: z.enum(['ucb1', 'thompson']),
      /** Share of pulls that go to a uniformly random arm instead of the policy's choice. */
      exploration_share: fraction(),
      /** Arms are every (family, method) pair; each arm runs its own instance of the method. */
      methods: z.array(z.enum(BANDIT_METHODS)).min(1, { error: 'expected at least one method' }),
      /** Candidates of one family, none feasible, after which its arms get no more pulls (while another family has a feasible one). */
      retire_infeasible_after: int(1, MAX_BUDGET),
    }),
  })
  .superRefine((s, ctx) => {
    if (!s.objectives.some((o) => o.metric === s.primary_objective)) {
      ctx.addIssue({
        code: 'custom',
        path: ['primary_objective'],
        message: `expected one of the objectives (${s.objectives.map((o) => o.metric).join(', ')}), got "${s.primary_objective}"`,
      });
    }
    const metrics = s.objectives.map((o) => o.metric);
    if (new Set(metrics).size !== metrics.length) {
      ctx.addIssue({ code: 'custom', path: ['objectives'], message: `expected distinct metrics, got ${metrics.join(', ')}` });
    }
    if (s.annealing.final_temperature > s.annealing.initial_temperature) {
      ctx.addIssue({
        code: 'custom',
        path: ['annealing', 'final_temperature'],
        message: `expected at most initial_temperature (${s.annealing.initial_temperature}), got ${s.annealing.final_temperature}`,
      });
    }
    if (new Set(s.bandit.methods).size !== s.bandit.methods.length) {
      ctx.addIssue({ code: 'custom', path: ['bandit', 'methods'], message: `expected distinct methods, got ${s.bandit.methods.join(', ')}` });
    }
  });
export type OptimizerSettings = z.infer<typeof OptimizerSettings>;
