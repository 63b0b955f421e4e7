/**
 * The page model of a run's HTML report (`pnlopt report`, `pnlopt serve`, the report.html of
 * `pnlopt optimize`): plain data, gathered by the jobs (src/jobs/report.ts) and turned into one
 * self-contained page by `renderReport` (render.ts). A section the run has no data for is null,
 * and the page leaves it out (with the reason from `notes` where there is one).
 *
 * Columns are typed arrays: the renderer embeds them as base64 bytes, so 100,000 candidates cost
 * a copy of bytes, not a JSON number each, and NaN and infinities survive.
 */

/** Every chart the page draws: the `data-chart` values of the page's contract (docs/report.md). */
export const CHART_KINDS = ['pareto', 'convergence', 'equity', 'drawdown', 'regimes', 'trials', 'paper', 'runs'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** One line of the run header. */
export interface RunOverview {
  readonly run_id: string;
  readonly status: string;
  readonly kind: string;
  readonly families: readonly string[];
  readonly optimizer: string | null;
  readonly seed: string | null;
  readonly budget: number | null;
  /** Candidates stored (ok or failed). */
  readonly stored: number;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly adopted: boolean | null;
  readonly adoption_reason: string | null;
  /** The best candidate under constraints, when the run chose one. */
  readonly best_id: number | null;
}

/** The run's governance record, by name (the seed's "Evaluation & Governance"), each value as stored. */
export interface GovernanceEntry {
  readonly label: string;
  readonly value: unknown;
}

/** A searched parameter's values per candidate (NaN where the candidate has none); `choices` decodes a categorical's index. */
export interface ParamColumnModel {
  readonly name: string;
  readonly choices: readonly (string | number)[] | null;
  readonly values: Float32Array;
}

/** Every stored candidate with metrics, in candidate order. */
export interface ParetoModel {
  /** The run's objectives (the axes offered), in its order; the first two are drawn first. */
  readonly objectives: readonly { readonly metric: string; readonly direction: 'minimize' | 'maximize' }[];
  readonly metricNames: readonly string[];
  readonly ids: Int32Array;
  readonly families: readonly string[];
  /** Index into `families` per candidate. */
  readonly family: Int32Array;
  /** One column per metric name, per candidate. */
  readonly metrics: readonly Float32Array[];
  /** 1 feasible, 0 infeasible, 2 not ranked (an interrupted or evaluate run). */
  readonly feasible: Uint8Array;
  /** Front rank; -1 not ranked. */
  readonly frontRank: Int32Array;
  readonly params: readonly ParamColumnModel[];
  /** The best under constraints (highlighted), when there is one. */
  readonly bestId: number | null;
  readonly adopted: boolean;
}

/** Best primary objective and 2-D hypervolume after each step (generation or batch) of the search. */
export interface ConvergenceModel {
  /** What one step is, e.g. `generation of 100 candidates`. */
  readonly step: string;
  readonly primary: string;
  /** The two objectives the hypervolume is of, and its reference point (their worst values over the run's feasible candidates). */
  readonly pair: readonly [string, string];
  readonly reference: readonly [number, number];
  /** Candidates evaluated at the end of each step. */
  readonly evaluated: Int32Array;
  /** NaN until a feasible candidate is found. */
  readonly best: Float64Array;
  readonly hypervolume: Float64Array;
}

/** A shaded stretch of the time axis. */
export interface WindowBand {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/** The best configuration re-run over the search and hold-out windows, bar by bar. */
export interface EquityModel {
  readonly candidate_id: number;
  readonly family: string;
  readonly params: Readonly<Record<string, number | string>>;
  /** Bar times (epoch ms). */
  readonly time: Float64Array;
  readonly equity: Float64Array;
  /** Fraction below the running peak (0 .. 1), per bar. */
  readonly drawdown: Float64Array;
  /** Buy and hold of the same capital, equal-weighted over the tickers. */
  readonly buyHold: Float64Array;
  readonly windows: readonly WindowBand[];
}

/** A stretch in the market of the best configuration, from its equity curve. */
export interface TradeRow {
  /** The ticker traded; null for a stretch read from the equity curve (a basket's positions together). */
  readonly ticker: string | null;
  readonly entry: string;
  readonly exit: string;
  readonly bars: number;
  readonly pnl: number;
  readonly return: number;
}

/** One ticker's regime labels over its closes. */
export interface RegimeModel {
  readonly ticker: string;
  readonly time: Float64Array;
  readonly close: Float64Array;
  readonly keys: readonly string[];
  /** Bar ranges (both ends included) and their key index. */
  readonly segments: readonly { readonly start: number; readonly end: number; readonly key: number }[];
}

/** One strategy-cache entry (the seed's dashboard: the best known configuration per family and regime). */
export interface CacheRow {
  readonly family: string;
  readonly regime: string;
  readonly status: string;
  readonly run_id: string;
  readonly created_at: string;
  readonly data_hash: string;
  readonly window: unknown;
  readonly params: unknown;
  readonly metrics: unknown;
  readonly holdout_metrics: unknown;
  /** The newest entry of its family and regime. */
  readonly current: boolean;
}

/** One hyperopt trial (issue 16): its score and whether it explored or exploited. */
export interface TrialPoint {
  readonly trial: number;
  readonly score: number;
  readonly kind: 'explore' | 'exploit';
}

/** A paper session with its fills, as the store has them (one row per fill). */
export interface PaperSessionModel {
  readonly session_id: string;
  readonly family: string;
  readonly tickers: readonly string[];
  readonly initial_capital: number;
  readonly first: string;
  readonly last: string;
  readonly bars: number;
  /** Column names of `fills`, as stored. */
  readonly columns: readonly string[];
  readonly fills: readonly (readonly (string | number | null)[])[];
  /** Fill time (epoch ms) and cumulative realized PnL, at each fill that realized some. */
  readonly realizedTime: Float64Array;
  readonly realizedPnl: Float64Array;
}

export interface ReportModel {
  readonly title: string;
  /** pnlopt's code version that wrote the page. */
  readonly generator: string;
  readonly run: RunOverview;
  readonly governance: readonly GovernanceEntry[];
  readonly pareto: ParetoModel | null;
  readonly convergence: ConvergenceModel | null;
  readonly equity: EquityModel | null;
  readonly trades: readonly TradeRow[] | null;
  /** Whether `trades` are the fills of each closed trade (else stretches read from the equity curve). */
  readonly tradesExact: boolean;
  readonly regimes: RegimeModel | null;
  readonly cache: readonly CacheRow[];
  readonly trials: readonly TrialPoint[] | null;
  readonly paper: readonly PaperSessionModel[];
  /** Why a section is missing or partial, one sentence each. */
  readonly notes: readonly string[];
}

/** One line of the run list (`pnlopt serve`). */
export interface RunListRow {
  readonly run_id: string;
  readonly kind: string;
  readonly families: readonly string[];
  readonly status: string;
  readonly started_at: string;
  readonly budget: number | null;
  readonly evaluated: number;
  readonly primary_objective: string | null;
  readonly best: number | null;
  readonly adopted: boolean | null;
}

export interface RunListModel {
  readonly title: string;
  readonly generator: string;
  readonly database: string;
  readonly runs: readonly RunListRow[];
}
