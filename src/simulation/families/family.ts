/**
 * What a strategy family is to the simulator. One module per kernel under this folder exports a
 * `FamilyModule`; `index.ts` lists them, and every kernel name, dispatch and data requirement is
 * derived from that list. A config family (`families.<name>` in strategy_optimization_config.yml)
 * names one of these kernels: a new family on an existing kernel is YAML only.
 */
import { METRIC_COUNT } from '../../../native-free-kernels/portfolio/metrics.js';
import type { ParamLayout } from '../../config/param-layout.js';
import type { SimulationContext } from '../context.js';

/**
 * A family's evaluator over a parameter matrix. `evaluate(X, rows, F)` reads rows of X (row-major,
 * one column per layout parameter) and writes rows of F (row-major, METRIC_COUNT columns).
 * Evaluators own their scratch buffers, allocated once at creation; `evaluate` allocates nothing.
 */
export interface BatchEvaluator {
  readonly layout: ParamLayout;
  /** Evaluate `rows` candidates of X into F. */
  evaluate(X: Float64Array, rows: number, F: Float64Array): void;
  /** Evaluate one candidate, also writing its equity curve (E_t at each bar of the window) to `equity`. */
  evaluateWithEquity(row: Float64Array, equity: Float64Array, F: Float64Array): void;
}

/**
 * A family's strategy one decision at a time, for an engine that keeps its own book (the paper
 * trader): the same signal and sizing as the batch kernel, written as `Decision` slots
 * (native-free-kernels/portfolio/decision.ts).
 */
export interface LiveStrategy {
  readonly layout: ParamLayout;
  /** Asset class index of each ticker of the context's panel. */
  readonly assetClass: Int32Array;
  /** Use parameter row `row` (one row of the layout) for the calls that follow. */
  select(row: Float64Array): void;
  /**
   * Ticker k's decision at close t into `out` (`Decision` slots), given the engine's book: per
   * ticker, the direction blocked after a stop or take-profit (0: none), and the weight it holds
   * after this close so far (held, or what an order placed for it earlier at this close will hold).
   */
  decide(k: number, t: number, out: Float64Array, blocked: readonly number[], book: Float64Array): void;
  /** The trailing-stop distance in price at close t (NaN when the selected row has no stop). */
  stopDistance(k: number, t: number): number;
  /** Slippage fraction of an order of `notional` in ticker k decided at close t with sigma `vol`. */
  slippage(k: number, t: number, notional: number, vol: number): number;
}

export interface FamilyModule {
  /** The name config families give in `kernel:`. */
  readonly kernel: string;
  /** One line for docs and messages. */
  readonly description: string;
  /**
   * The modules whose code decides the family's results (paths without extension, relative to this
   * folder): with the search space, they make the family's version (`familyVersion`), so a cached
   * optimum of changed code is not served as current.
   */
  readonly code: readonly string[];
  /** Every parameter the evaluator reads, by name, given the configured forecast models (in column order). */
  readonly reads: (forecastModels: readonly string[]) => readonly string[];
  /** Whether the kernel trades a single ticker (its evaluator refuses a basket). */
  readonly oneTicker: boolean;
  /** Whether the context must carry the causal forecast columns (`forecast_models`). */
  readonly needsForecasts: boolean;
  /** The int parameter whose range of ATR windows is precomputed into the context, or null. */
  readonly atrWindowParam: string | null;
  /** Build the evaluator; throws a `ConfigError` when the layout lacks what it reads, an `InputError` when the data does not fit. */
  readonly createEvaluator: (layout: ParamLayout, ctx: SimulationContext) => BatchEvaluator;
  /** Build the live strategy, when the family trades live (paper trading); absent for a reference-only kernel. */
  readonly createLive?: (layout: ParamLayout, ctx: SimulationContext) => LiveStrategy;
}

/**
 * The evaluator of a kernel run one row at a time: `decode` fills the kernel's parameter slots
 * from row r of X, `run` writes one metric row at `offset`; the equity curve goes through the
 * workspace's `equityOut`, which stays null outside `evaluateWithEquity`.
 */
export function rowEvaluator(
  layout: ParamLayout,
  ws: { equityOut: Float64Array | null },
  decode: (X: Float64Array, r: number) => void,
  run: (F: Float64Array, offset: number) => void,
): BatchEvaluator {
  return {
    layout,
    evaluate(X, rows, F) {
      for (let r = 0; r < rows; r++) {
        decode(X, r);
        run(F, r * METRIC_COUNT);
      }
    },
    evaluateWithEquity(row, equity, F) {
      decode(row, 0);
      ws.equityOut = equity;
      try {
        run(F, 0);
      } finally {
        ws.equityOut = null;
      }
    },
  };
}
