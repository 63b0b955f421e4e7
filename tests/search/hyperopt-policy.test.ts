/**
 * The hyperopt bandit policy: explore/exploit proportions, the shrink/grow rule, hold-one-out,
 * exploit proposals around the best, and determinism under replay (what a resumed run relies on).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HyperoptPolicy, hyperoptDimensions, type HyperoptDimension, type HyperoptPolicySettings, type HyperoptProposal } from '../../src/search/hyperopt-policy.js';
import { createRng } from '../../src/rng.js';
import { testConfig } from '../helpers/config.js';

const DIMS: HyperoptDimension[] = [
  { name: 'window', low: 1, high: 4, integer: true },
  { name: 'profit', low: 0, high: 1000, integer: false },
  { name: 'ret', low: 0.0002, high: 0.002, integer: false },
];

const SETTINGS: HyperoptPolicySettings = { explore_pct: 30, explore_step_pct: 5, explore_min_pct: 10, explore_max_pct: 70, exploit_scale: 0.1 };

function policy(settings: Partial<HyperoptPolicySettings> = {}, seed = 1, dims: HyperoptDimension[] = DIMS): HyperoptPolicy {
  return new HyperoptPolicy(dims, { ...SETTINGS, ...settings }, createRng(seed, 'hyperopt-policy-test'));
}

/** `n` trials told scores from their own stream (with a failure now and then); the proposals. */
function play(p: HyperoptPolicy, n: number, seed: number): HyperoptProposal[] {
  const scores = createRng(seed, 'scores');
  const out: HyperoptProposal[] = [];
  for (let t = 0; t < n; t++) {
    out.push(p.propose());
    const s = scores();
    p.tell(s < 0.1 ? NaN : s);
  }
  return out;
}

describe('hyperoptDimensions', () => {
  it('takes the config ranges in file order, the evaluation window as integers', () => {
    const dims = hyperoptDimensions(testConfig().hyperopt.hyperopt.ranges);
    expect(dims).toEqual([
      { name: 'evaluation_window_bars', low: 1008, high: 2520, integer: true },
      { name: 'min_expected_profit', low: 0, high: 50000, integer: false },
      { name: 'min_expected_return', low: 0.0002, high: 0.002, integer: false },
    ]);
  });
});

describe('HyperoptPolicy', () => {
  it('explores explore_pct of the trials once there is a best (within 4 binomial standard deviations)', () => {
    const n = 4000;
    for (const pct of [10, 30, 70]) {
      for (const seed of [1, 2, 3]) {
        // Step 0: the share never moves, so every arm is Bernoulli(pct / 100).
        const p = policy({ explore_pct: pct, explore_step_pct: 0, explore_min_pct: 0, explore_max_pct: 100 }, seed);
        p.propose();
        p.tell(1);
        let explored = 0;
        for (let t = 0; t < n; t++) {
          const q = p.propose();
          expect(q.explore_pct).toBe(pct);
          if (q.arm === 'explore') explored++;
          p.tell(0); // never a new best
        }
        // Binomial(4000, q): mean 4000 q, sd sqrt(4000 q (1 - q)); at 30%: 1200 +- 4 x 28.98 = 1200 +- 115.9.
        const q = pct / 100;
        expect(Math.abs(explored - n * q)).toBeLessThanOrEqual(4 * Math.sqrt(n * q * (1 - q)));
      }
    }
  });

  it('always explores before the first best, and never after one at explore_pct 0', () => {
    const p = policy({ explore_pct: 0, explore_step_pct: 0, explore_min_pct: 0 });
    for (let t = 0; t < 5; t++) {
      expect(p.propose().arm).toBe('explore');
      p.tell(NaN);
    }
    p.propose();
    p.tell(1);
    for (let t = 0; t < 200; t++) {
      expect(p.propose().arm).toBe('exploit');
      p.tell(0);
    }
  });

  it('shrinks the explore share on a new best, grows it otherwise, clamped to [min, max]', () => {
    const p = policy({ explore_pct: 30, explore_step_pct: 10, explore_min_pct: 10, explore_max_pct: 50 });
    // score -> (improved, explore_pct after), by hand from 30 with steps of 10 in [10, 50]:
    const steps: [number, boolean, number][] = [
      [NaN, false, 40], //       a failure before any best: up
      [5, true, 30], //          first finite score: a best, down
      [7, true, 20], //          better: down
      [9, true, 10], //          better: down
      [12, true, 10], //         better: 0 clamps to min 10
      [12, false, 20], //        equal is not better: up
      [-Infinity, false, 30], // failure: up
      [3, false, 40], //         worse: up
      [NaN, false, 50], //       failure: up
      [11, false, 50], //        worse: 60 clamps to max 50
      [13, true, 40], //         better: down
    ];
    for (const [i, [score, improved, pct]] of steps.entries()) {
      expect(p.propose().explore_pct).toBe(i === 0 ? 30 : steps[i - 1][2]);
      expect(p.tell(score)).toEqual({ improved, explore_pct: pct });
    }
    expect(p.best()).toMatchObject({ trial: 10, score: 13 });
    expect(p.state()).toMatchObject({ proposed: 11, explore_pct: 40, pending: [] });
  });

  it('a failed first trial is not a best: -Infinity and NaN leave best() null', () => {
    const p = policy();
    p.propose();
    p.tell(-Infinity);
    p.propose();
    p.tell(NaN);
    expect(p.best()).toBeNull();
  });

  it('holds dims[t % D] at the best value, or at the midpoint (rounded for integers) before a best', () => {
    const p = policy();
    const scores = createRng(9, 'scores');
    for (let t = 0; t < 300; t++) {
      const best = p.best();
      const q = p.propose();
      expect(q.trial).toBe(t);
      expect(q.held).toBe(DIMS[t % DIMS.length].name);
      // Midpoints: window (1 + 4) / 2 = 2.5 -> 3; profit 500; ret 0.0011.
      const mid: Record<string, number> = { window: 3, profit: 500, ret: (0.0002 + 0.002) / 2 };
      expect(q.params[q.held]).toBe(best === null ? mid[q.held] : best.params[q.held]);
      // The first trials fail, so the midpoint case is exercised for every dimension.
      p.tell(t < 4 ? NaN : scores());
    }
  });

  it('exploits near the best with a small exploit_scale: within 5 sd (+ rounding) of it', () => {
    const scale = 1e-3;
    const p = policy({ explore_pct: 10, explore_step_pct: 0, exploit_scale: scale }, 4);
    let exploited = 0;
    for (let t = 0; t < 2000; t++) {
      const best = p.best();
      const q = p.propose();
      if (q.arm === 'exploit' && best !== null) {
        exploited++;
        for (const d of DIMS) {
          const slack = 5 * scale * (d.high - d.low) + (d.integer ? 0.5 : 0);
          expect(Math.abs(q.params[d.name] - best.params[d.name])).toBeLessThanOrEqual(slack);
        }
      }
      p.tell(t % 50 === 0 ? t : -t);
    }
    expect(exploited).toBeGreaterThan(1000);
  });

  it('draws exploit steps from N(0, (exploit_scale x range)^2) around the best', () => {
    // One free dimension per trial (D = 2); the range is wide enough that clipping never happens.
    const dims: HyperoptDimension[] = [
      { name: 'a', low: 0, high: 1000, integer: false },
      { name: 'b', low: 0, high: 1000, integer: false },
    ];
    const p = policy({ explore_pct: 0, explore_min_pct: 0, explore_step_pct: 0, exploit_scale: 0.01 }, 5, dims);
    const first = p.propose();
    p.tell(1);
    const steps: number[] = [];
    for (let t = 0; t < 4000; t++) {
      const q = p.propose();
      const free = q.held === 'a' ? 'b' : 'a';
      steps.push(q.params[free] - first.params[free]);
      p.tell(0);
    }
    const mean = steps.reduce((s, x) => s + x, 0) / steps.length;
    const sd = Math.sqrt(steps.reduce((s, x) => s + (x - mean) ** 2, 0) / (steps.length - 1));
    // sd 0.01 x 1000 = 10: the mean within 4 standard errors (4 x 10 / sqrt(4000) = 0.63), the sd within 5%.
    expect(Math.abs(mean)).toBeLessThan(0.64);
    expect(sd).toBeGreaterThan(9.5);
    expect(sd).toBeLessThan(10.5);
  });

  it('keeps every proposal in its range, integers whole (property)', () => {
    const dim = fc
      .record({ low: fc.double({ min: -1e6, max: 1e6, noNaN: true }), span: fc.double({ min: 0, max: 1e6, noNaN: true }), integer: fc.boolean() })
      .map(({ low, span, integer }) => (integer ? { low: Math.round(low), high: Math.round(low) + Math.round(span), integer } : { low, high: low + span, integer }));
    fc.assert(
      fc.property(fc.array(dim, { minLength: 1, maxLength: 4 }), fc.integer(), fc.double({ min: 1e-6, max: 1, noNaN: true }), (raw, seed, scale) => {
        const dims = raw.map((d, i) => ({ name: `d${i}`, ...d }));
        const p = policy({ exploit_scale: scale }, seed, dims);
        for (const q of play(p, 60, seed)) {
          for (const d of dims) {
            const x = q.params[d.name];
            expect(x).toBeGreaterThanOrEqual(d.low);
            expect(x).toBeLessThanOrEqual(d.high);
            if (d.integer) expect(Number.isInteger(x)).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic: the same seed and scores give the same proposals; a replayed run continues identically', () => {
    const whole = play(policy({}, 7), 40, 3);
    expect(play(policy({}, 7), 40, 3)).toEqual(whole);
    expect(play(policy({}, 8), 40, 3)).not.toEqual(whole);
    // Resume after 25 finished trials: a new policy replays their stored scores (propose, tell), then runs on.
    const scores = createRng(3, 'scores');
    const stored = whole.map(() => {
      const s = scores();
      return s < 0.1 ? NaN : s;
    });
    const resumed = policy({}, 7);
    for (let t = 0; t < 25; t++) {
      resumed.propose();
      resumed.tell(stored[t]);
    }
    const rest: HyperoptProposal[] = [];
    for (let t = 25; t < 40; t++) {
      rest.push(resumed.propose());
      resumed.tell(stored[t]);
    }
    expect(rest).toEqual(whole.slice(25));
  });

  it('tells pending proposals oldest first (trials run concurrently), and refuses a tell with none pending', () => {
    const p = policy();
    const [a, b] = [p.propose(), p.propose()];
    expect(p.state().pending).toEqual([a.trial, b.trial]);
    p.tell(1);
    expect(p.best()?.trial).toBe(a.trial);
    p.tell(2);
    expect(p.best()).toEqual({ trial: b.trial, params: b.params, score: 2 });
    expect(() => p.tell(3)).toThrow(/no proposal is waiting/);
  });

  it('refuses settings with explore_pct outside its bounds and inverted or fractional integer ranges', () => {
    expect(() => policy({ explore_pct: 80 })).toThrow(RangeError);
    expect(() => policy({}, 1, [{ name: 'w', low: 2, high: 1, integer: false }])).toThrow(/low <= high/);
    expect(() => policy({}, 1, [{ name: 'w', low: 1.5, high: 3, integer: true }])).toThrow(/integer low <= high/);
    expect(() => policy({}, 1, [])).toThrow(/at least one dimension/);
  });
});
