/**
 * The search methods and the budget bound, free of zod: the CLI declares `--optimizer`,
 * `--sampler` and `--budget` with them, and `pnlopt --help` loads no schema.
 */

export const SAMPLER_KINDS = ['lhs', 'random', 'sobol', 'halton'] as const;

/** Search methods: a plain sampler (the exploration baseline) or an optimizer. */
export const OPTIMIZER_KINDS = [...SAMPLER_KINDS, 'nsga2', 'anneal', 'bandit'] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

/** Most candidates a run may have, from the config or `--budget`. */
export const MAX_BUDGET = 1e9;
