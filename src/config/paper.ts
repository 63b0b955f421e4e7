/**
 * `config/paper_trading_config.yml`: the paper-trading engine (src/jobs/paper.ts) and the regime
 * state it sizes with (src/jobs/regime-state.ts; the seed's "Regime-Aware Exploration vs
 * Exploitation"). Shapes and bounds only; every value lives in the YAML.
 */
import { z } from 'zod';
import { int, name, num } from './schema-helpers.js';

/** The regime-state modes and states, as regime_state.yml writes them. */
export const REGIME_MODES = ['exploration', 'exploitation'] as const;
export const REGIME_STATES = ['green', 'neutral', 'red'] as const;

const multiplier = () => num(0, 100);

export const PaperConfig = z.strictObject({
  paper: z.strictObject({
    /** The family the live router trades (its cached optimum per regime, else its baseline). */
    family: name(),
    /** A new session without --from starts this many bars before the data's last bar. */
    default_bars: int(1, 1e7),
  }),
  regime_state: z
    .strictObject({
      /** Where update-regime-state writes and the paper engine reads the state, relative to the project root unless absolute. */
      path: name(),
      /** N: the last N realized trades per ticker. */
      window_trades: int(2, 1e6),
      /** N_min: fewer realized trades than this is exploration. */
      min_trades: int(1, 1e6),
      /** ε in sharpe_N = mean / (std + ε). */
      epsilon: num(0, 1, { exclusiveMin: true }),
      green_threshold: num(-1e6, 1e6),
      red_threshold: num(-1e6, 1e6),
      /** Multipliers of a trade's capital at risk, per mode / state; the guardrail capital_at_risk_per_trade still caps it. */
      multipliers: z.strictObject({ exploration: multiplier(), red: multiplier(), green: multiplier(), neutral: multiplier() }),
    })
    .refine((r) => r.red_threshold < r.green_threshold, { message: 'expected red_threshold < green_threshold', path: ['red_threshold'] })
    .refine((r) => r.min_trades <= r.window_trades, { message: 'expected min_trades <= window_trades (a window of N trades can never hold N_min)', path: ['min_trades'] }),
});
export type PaperConfig = z.infer<typeof PaperConfig>;
