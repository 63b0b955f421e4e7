/** `config/hyperopt_config.yml`: the higher-order driver's meta-parameter ranges and bandit policy. */
import { z } from 'zod';
import { int, num } from './schema-helpers.js';

const Range = z.strictObject({ low: num(-Infinity, Infinity), high: num(-Infinity, Infinity) });

export const HyperoptConfig = z.strictObject({
  hyperopt: z.strictObject({
    rounds: int(0, 1e6),
    explore_pct: num(0, 100),
    /** Explore share moves by this many points after each success (down) or failure (up). */
    explore_step_pct: num(0, 100),
    ranges: z.strictObject({
      evaluation_window_bars: Range,
      min_expected_profit: Range,
      min_expected_return: Range,
    }),
  }),
});
export type HyperoptConfig = z.infer<typeof HyperoptConfig>;
