/**
 * `config/hyperopt_config.yml`: the higher-order driver (issue 16): the meta-parameter ranges and
 * the bandit policy (src/search/hyperopt-policy.ts), and what one trial runs (the hyperopt job).
 * Shapes and bounds only; every value lives in the YAML. Rules that span files (a range may not
 * loosen a guardrail, the evaluation window must hold the hold-out, the trial's families must be
 * configured) are checked by `loadConfig`.
 */
import { z } from 'zod';
import { int, name, num, showValue } from './schema-helpers.js';
import { MAX_BUDGET, OPTIMIZER_KINDS } from './optimizer-kinds.js';

const Range = z.strictObject({ low: num(-Infinity, Infinity), high: num(-Infinity, Infinity) });
const IntRange = z.strictObject({ low: int(1, 1e7), high: int(1, 1e7) });

/** Ranges whose values are whole numbers (bars): the policy rounds them. */
export const INTEGER_RANGES: ReadonlySet<string> = new Set(['evaluation_window_bars']);

const pct = () => num(0, 100);

/** A list of family names, or one comma-separated string as `optimizer.defaults.family` is; parsed to the list. */
const FamilyList = z
  .union([z.array(name()).min(1), name()], { error: (iss) => `expected a family name, a comma-separated string of them or a list, got ${showValue(iss.input)}` })
  .transform((v) => (typeof v === 'string' ? v.split(',').map((f) => f.trim()) : v))
  .refine((fs) => fs.every((f) => f !== ''), { message: 'expected non-empty family names' })
  .refine((fs) => new Set(fs).size === fs.length, { message: 'expected distinct families' });

export const HyperoptConfig = z.strictObject({
  hyperopt: z
    .strictObject({
      /** Trials when neither --rounds nor HYPEROPT_ROUNDS says; 0: no hyperopt by default (a single pass). */
      rounds: int(0, 1e6),
      /** Starting explore share in percent (HYPEROPT_EXPLORE_PCT overrides it). */
      explore_pct: pct(),
      /** The explore share moves by this many points after each trial: down on a new best, up otherwise. */
      explore_step_pct: pct(),
      /** Bounds the explore share is clamped to. */
      explore_min_pct: pct(),
      explore_max_pct: pct(),
      /** Standard deviation of an exploit step, as a fraction of each dimension's range. */
      exploit_scale: num(0, 1, { exclusiveMin: true }),
      ranges: z.strictObject({
        /** Bars of the optimize evaluation window (search + hold-out) that ends the bar before the trial's paper window. */
        evaluation_window_bars: IntRange,
        min_expected_profit: Range,
        min_expected_return: Range,
      }),
    })
    .superRefine((h, ctx) => {
      if (h.explore_min_pct > h.explore_max_pct) {
        ctx.addIssue({ code: 'custom', path: ['explore_min_pct'], message: `expected at most explore_max_pct (${h.explore_max_pct}), got ${h.explore_min_pct}` });
      } else if (h.explore_pct < h.explore_min_pct || h.explore_pct > h.explore_max_pct) {
        ctx.addIssue({
          code: 'custom',
          path: ['explore_pct'],
          message: `expected between explore_min_pct (${h.explore_min_pct}) and explore_max_pct (${h.explore_max_pct}), got ${h.explore_pct}`,
        });
      }
    }),
  /** One trial: an optimize run on its own database, then paper trading over the next paper_bars bars. */
  trial: z.strictObject({
    /** Families each trial's optimize searches (several need optimizer bandit). */
    families: FamilyList,
    optimizer: z.enum(OPTIMIZER_KINDS),
    /** Candidates per trial: every trial is a full optimize, so keep it small. */
    budget: int(1, MAX_BUDGET),
    /** Bars of the trial's paper-trading window, scored by realized total_profit. */
    paper_bars: int(1, 1e7),
    /** The driver's seed: the hyperopt job seeds the policy's stream (and its trials) from it. */
    seed: int(0, 2 ** 31 - 1),
  }),
});
export type HyperoptConfig = z.infer<typeof HyperoptConfig>;
