import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OptimizerSettings } from '../../src/config/optimizer-settings.js';

/** The block proposed for `optimizer:` in config/strategy_optimization_config.yml. */
const PROPOSED = `
optimizer:
  objectives:                      # columns of the minimised objective matrix, in this order
    - { metric: total_return, direction: maximize }
    - { metric: max_drawdown, direction: minimize }
    - { metric: calibration_error, direction: minimize }
  primary_objective: total_return  # best-under-constraints key, annealing energy, bandit reward
  sampling:
    batch_size: 256                # candidates per ask of random/lhs/sobol/halton and per bandit pull
    maximin_iterations: 0          # coordinate-swap attempts spreading each LHS batch
    scramble: true                 # Sobol digital shift / Halton digit permutations from the seed
  nsga2:
    population: 100
    initial_sampler: lhs
    crossover: { probability: 0.9, eta: 15, variable_probability: 0.5 }
    mutation: { eta: 20, variables_per_child: 1 }   # per-dimension probability min(1, 1 / dims)
    migrants: 5
  annealing:
    chains: 8                      # parallel chains: one batch = one step of every chain
    schedule: geometric            # or linear
    initial_temperature: 0.05      # units of the primary objective (total_return)
    final_temperature: 0.0005
    step_scale: 0.2                # Gaussian step sd in the unit cube at T0, scaled by T / T0
    initial_sampler: lhs
  defaults: { family: sma_cross, optimizer: nsga2, budget: 1000, seed: 1, front_rows: 10 }
  bandit:
    policy: thompson               # or ucb1
    exploration_share: 0.3         # pulls given to a uniformly random arm
    methods: [nsga2, anneal]       # arms: every (family, method) pair
    retire_infeasible_after: 1000  # candidates of a family, none feasible, before it gets no more pulls
`;

const valid = () => structuredClone((parse(PROPOSED) as { optimizer: Record<string, unknown> }).optimizer);

describe('OptimizerSettings', () => {
  it('accepts the proposed config block', () => {
    const r = OptimizerSettings.safeParse(valid());
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
  });

  it('rejects a misspelled key, a primary objective that is not an objective, and an unknown metric', () => {
    const misspelled = valid();
    (misspelled.nsga2 as Record<string, unknown>).populaton = 10;
    expect(OptimizerSettings.safeParse(misspelled).success).toBe(false);
    const primary = { ...valid(), primary_objective: 'sharpe' };
    const r = OptimizerSettings.safeParse(primary);
    expect(r.error?.issues[0]?.path).toEqual(['primary_objective']);
    expect(r.error?.issues[0]?.message).toContain('expected one of the objectives');
    const unknown = { ...valid(), objectives: [{ metric: 'pnl', direction: 'maximize' }] };
    expect(OptimizerSettings.safeParse(unknown).success).toBe(false);
  });

  it('rejects a schedule that heats up and out-of-range probabilities', () => {
    const hot = valid();
    (hot.annealing as Record<string, unknown>).final_temperature = 1;
    expect(OptimizerSettings.safeParse(hot).error?.issues[0]?.path).toEqual(['annealing', 'final_temperature']);
    const share = valid();
    (share.bandit as Record<string, unknown>).exploration_share = 1.5;
    expect(OptimizerSettings.safeParse(share).error?.issues[0]?.message).toContain('between 0 and 1');
  });

  it('rejects bandit methods that repeat, are unknown or are none, and a retirement count below 1', () => {
    const bandit = (patch: Record<string, unknown>) => {
      const v = valid();
      Object.assign(v.bandit as Record<string, unknown>, patch);
      return OptimizerSettings.safeParse(v).error?.issues[0];
    };
    expect(bandit({ methods: ['nsga2', 'lhs', 'nsga2'] })).toMatchObject({ path: ['bandit', 'methods'], message: 'expected distinct methods, got nsga2, lhs, nsga2' });
    expect(bandit({ methods: ['bandit'] })?.path).toEqual(['bandit', 'methods', 0]);
    expect(bandit({ methods: [] })?.message).toBe('expected at least one method');
    expect(bandit({ retire_infeasible_after: 0 })?.message).toContain('expected integer between 1 and');
    expect(bandit({ methods: ['sobol', 'anneal'], retire_infeasible_after: 1 })).toBeUndefined();
  });
});
