/** Optimizer settings for tests, built directly (as the config loader would after validation). */
import { OptimizerSettings } from '../../src/config/optimizer-settings.js';

/** Settings that parse under the schema; `patch` overrides whole sections. */
export function testSettings(patch: Partial<OptimizerSettings> = {}): OptimizerSettings {
  return OptimizerSettings.parse({
    objectives: [
      { metric: 'total_return', direction: 'maximize' },
      { metric: 'max_drawdown', direction: 'minimize' },
    ],
    primary_objective: 'total_return',
    sampling: { batch_size: 50, maximin_iterations: 0, scramble: true },
    nsga2: {
      population: 20,
      initial_sampler: 'lhs',
      crossover: { probability: 0.9, eta: 15, variable_probability: 0.5 },
      mutation: { eta: 20, variables_per_child: 1 },
      migrants: 3,
    },
    annealing: {
      chains: 4,
      schedule: 'geometric',
      initial_temperature: 1,
      final_temperature: 0.01,
      step_scale: 0.2,
      initial_sampler: 'lhs',
    },
    defaults: { family: 'sma_cross', optimizer: 'nsga2', budget: 1000, seed: 1, front_rows: 10 },
    bandit: { policy: 'thompson', exploration_share: 0.3, methods: ['nsga2', 'anneal', 'lhs'], retire_infeasible_after: 1000 },
    ...patch,
  });
}
