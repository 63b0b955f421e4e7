/**
 * In-memory market data. Every numeric column is a `Float64Array` over a `SharedArrayBuffer`, so
 * worker threads read the same memory without copying.
 */

/** One ticker's validated OHLCV history, bars in strictly increasing time order. */
export interface OhlcvSeries {
  readonly ticker: string;
  /** Number of bars. */
  readonly n: number;
  /** Bar timestamps, epoch milliseconds UTC. */
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Validated data loaded from one or more files: one series per ticker, with a content hash. */
export interface MarketData {
  /** Where it came from (file paths or `db:PATH`), for messages and run records. */
  readonly sources: readonly string[];
  readonly series: readonly OhlcvSeries[];
  /** SHA-256 hex of the canonical column bytes, independent of the source format. */
  readonly hash: string;
}

/**
 * Several tickers aligned on one calendar (the intersection of their timestamps), ticker-major:
 * bar t of ticker k sits at index k * T + t in each price column.
 */
export interface Panel {
  readonly tickers: readonly string[];
  /** Bars per ticker on the common calendar. */
  readonly T: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}
