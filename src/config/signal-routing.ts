/**
 * `config/signal_routing_config.yml`: the guardrails on every signal the time-series families
 * route. Read-only to the optimizer.
 */
import { z } from 'zod';
import { fraction, num } from './schema-helpers.js';

export const SignalRoutingConfig = z.strictObject({
  signal_routing: z.strictObject({
    time_series: z.strictObject({
      /** Smallest forecast next-bar return (log, per bar) that may open or hold a position. */
      min_expected_return: num(0, 1),
      /** Smallest model confidence (probability the forecast sign is right) to trade on the models. */
      confidence_threshold: num(0.5, 1),
      /** Largest risk score (see docs/metrics.md) a candidate may show. */
      max_risk_score: num(0, Infinity),
      /** Largest fraction of equity any single trade may lose if its stop is hit. */
      capital_at_risk_per_trade: fraction(),
    }),
  }),
});
export type SignalRoutingConfig = z.infer<typeof SignalRoutingConfig>;
