/**
 * `config/signal_routing_config.yml`: the guardrails on every signal the time-series families
 * route. Read-only to the optimizer.
 */
import { z } from 'zod';
import { fraction, int, num } from './schema-helpers.js';

export const SignalRoutingConfig = z.strictObject({
  signal_routing: z.strictObject({
    time_series: z.strictObject({
      /** Smallest forecast next-bar return (log, per bar) that may open or hold a position. */
      min_expected_return: num(0, 1),
      /** Smallest model confidence (probability the forecast sign is right) to trade on the models. */
      confidence_threshold: num(0.5, 1),
      /** Largest risk score (see docs/metrics.md) a candidate may show. */
      max_risk_score: num(0, Infinity),
      /** Largest fraction of equity any single trade may lose: to its stop, or by the risk model of a stop-less position. */
      capital_at_risk_per_trade: fraction(),
      /**
       * Risk model of a position without a stop (docs/metrics.md, `max_capital_at_risk`): the loss
       * at an adverse move of k standard deviations over h bars. Lower bounds, because a small k
       * or h, or a sigma from a handful of returns (which a calm stretch can put near 0), would let
       * stop-less positions grow past the cap: k no less than the 95% one-sided normal quantile.
       */
      no_stop_adverse_move_sd: num(1.645, Infinity),
      no_stop_horizon_bars: int(1, Infinity),
      /** Log returns in the realised sigma of that model. */
      no_stop_vol_lookback: int(20, Infinity),
    }),
  }),
});
export type SignalRoutingConfig = z.infer<typeof SignalRoutingConfig>;
