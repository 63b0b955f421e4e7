import { describe, expect, it } from 'vitest';
import { createBanditPolicy, type BanditPolicyKind } from '../../src/search/bandit.js';
import { runSearch, type EvaluateFn } from '../../src/search/optimize.js';
import { createRng } from '../../src/rng.js';
import { testSettings } from '../helpers/optimizer-settings.js';

const POLICIES: BanditPolicyKind[] = ['ucb1', 'thompson'];

/** N rounds on Bernoulli arms with the given means; returns pulls per arm and the explored rounds. */
function play(policy: BanditPolicyKind, means: number[], share: number, rounds: number, seed: number) {
  const bandit = createBanditPolicy(means.length, policy, share, createRng(seed, 'bandit-test', 'policy'));
  const env = createRng(seed, 'bandit-test', 'environment');
  let explored = 0;
  const exploredPulls = new Array<number>(means.length).fill(0);
  for (let t = 0; t < rounds; t++) {
    const c = bandit.select();
    if (c.explored) {
      explored++;
      exploredPulls[c.arm]++;
    }
    bandit.update(c.arm, env() < means[c.arm] ? 1 : 0);
  }
  return { pulls: Array.from(bandit.pulls), explored, exploredPulls };
}

describe('bandit policies on two Bernoulli arms (means 0.3 and 0.7)', () => {
  it.each(POLICIES)('%s pulls the better arm most, without exploration share', (policy) => {
    for (const seed of [1, 2, 3]) {
      const { pulls, explored } = play(policy, [0.3, 0.7], 0, 2000, seed);
      expect(explored).toBe(0);
      // UCB1's regret bound gives about 8 ln(2000) / 0.4^2 ≈ 380 pulls of the worse arm at most.
      expect(pulls[1]).toBeGreaterThan(0.8 * 2000);
    }
  });

  it.each(POLICIES)('%s respects an exploration share of 0.2', (policy) => {
    const rounds = 4000;
    for (const seed of [1, 2, 3]) {
      const { pulls, explored, exploredPulls } = play(policy, [0.3, 0.7], 0.2, rounds, seed);
      // Explored rounds ~ Binomial(4000, 0.2): mean 800, sd ≈ 25.3; allow 5 sd.
      expect(Math.abs(explored - 800)).toBeLessThan(5 * 25.3);
      // Explored pulls pick either arm with 1/2: sd ≈ sqrt(800/4) ≈ 14; allow 5 sd.
      expect(Math.abs(exploredPulls[0] - explored / 2)).toBeLessThan(5 * 14.2);
      // The rest goes mostly to the better arm: at least 0.1 + 0.8 · 0.8 of all pulls.
      expect(pulls[1]).toBeGreaterThan((0.1 + 0.8 * 0.8) * rounds);
    }
  });

  it('explores every round at share 1, and UCB1 tries each arm once first', () => {
    expect(play('ucb1', [0.3, 0.7], 1, 500, 4).explored).toBe(500);
    const ucb = createBanditPolicy(3, 'ucb1', 0, createRng(1, 'b'));
    const first = [0, 1, 2].map(() => {
      const { arm } = ucb.select();
      ucb.update(arm, 0);
      return arm;
    });
    expect(first).toEqual([0, 1, 2]);
  });

  it('rejects a reward outside [0, 1]', () => {
    expect(() => createBanditPolicy(2, 'thompson', 0, createRng(1, 'b')).update(0, 1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('bandit search over (family, sampler) arms', () => {
  // Two families; the scalar (column 0, minimised) of family "good" is u0, of family "poor" 0.5 + u0.
  const evaluate =
    (infeasibleFamily: number): EvaluateFn =>
    async (U, n, family) => {
      const d = family === 0 ? 2 : 3;
      const F = new Float64Array(2 * n);
      const violation = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        F[2 * i] = (family === 0 ? 0.5 : 0) + U[i * d];
        violation[i] = family === infeasibleFamily ? 1 : 0;
      }
      return { F, violation };
    };
  const spaces = [
    { family: 'poor', strata: new Float64Array(2) },
    { family: 'good', strata: new Float64Array(3) },
  ];

  it.each(POLICIES)('%s spends most candidates on the family with the better scalar, and none is infeasible-favoured', async (policy) => {
    const settings = testSettings({
      sampling: { batch_size: 10, maximin_iterations: 0, scramble: true },
      bandit: { policy, exploration_share: 0.1, samplers: ['lhs', 'random'] },
    });
    const run = (infeasibleFamily: number) =>
      runSearch({ optimizer: 'bandit', spaces, budget: { maxCandidates: 3000, maxWallMs: Infinity }, seed: 5, evaluate: evaluate(infeasibleFamily), settings });
    const r = await run(-1);
    expect(r.arms.map((a) => `${a.family}/${a.method}`)).toEqual(['poor/lhs', 'poor/random', 'good/lhs', 'good/random']);
    const good = r.family.filter((f) => f === 1).length;
    expect(good / r.n).toBeGreaterThan(0.7);
    // Family 0's rows are 2 wide in a 3-wide U: the third coordinate is NaN padding.
    for (let i = 0; i < r.n; i++) expect(Number.isNaN(r.U[i * 3 + 2])).toBe(r.family[i] === 0);
    // When the better family breaks its constraints it earns nothing: the other one wins.
    const s = await run(1);
    expect(s.family.filter((f) => f === 0).length / s.n).toBeGreaterThan(0.7);
  });
});
