/**
 * `config/quant_success_config.yml`: the success criteria a configuration must meet before it is
 * adopted. Guardrails: loaded read-only, never searched, never changed by the optimizer.
 */
import { z } from 'zod';
import { fraction, int, num } from './schema-helpers.js';

export const QuantSuccessConfig = z.strictObject({
  guardrails: z.strictObject({
    min_win_rate: fraction(),
    min_profit_factor: num(0, Infinity),
    max_drawdown: fraction(),
    /** In account currency (`total_profit`), for the configured initial capital. */
    min_expected_profit: num(-Infinity, Infinity),
    min_total_trades: int(0, 1e9),
    /** Share of the window's bars with a position held at the close (`exposure`). */
    min_exposure: fraction(),
  }),
  hold_out: z.strictObject({
    /** Whether adoption requires passing the criteria on the hold-out window too. */
    required: z.boolean({ error: (iss) => `expected true or false, got ${JSON.stringify(iss.input)}` }),
    min_bars: int(1, 1e9),
  }),
});
export type QuantSuccessConfig = z.infer<typeof QuantSuccessConfig>;
