/**
 * The evaluation window on the panel calendar, and its split (docs/optimization.md "Windows").
 * The evaluation window is the bars dated `evaluation.start` .. `evaluation.end`, end included
 * (null: the data's bounds). optimize needs `evaluation.warmup_bars` bars of the data before it,
 * which only feed indicators and forecasts, and splits it into the search window and the later
 * hold-out (forward) window, which begins at `evaluation.holdout_start` or else holds the window's
 * last `hold_out_fraction`. Candidates are ranked on the search window; a configuration is adopted
 * only if it also meets the success criteria on the hold-out. evaluate and backtest trade the whole
 * evaluation window with no warm-up requirement: from the first bar when start is null, else from
 * the start with whatever history the data holds before it.
 */
import type { PnloptConfig } from '../config/load.js';
import { DATE_FLAGS, parseIsoDate } from '../config/strategy-optimization.js';
import { formatTime } from '../data/validate.js';
import { displayPath } from '../paths.js';
import { UsageError } from '../errors.js';

const MS_PER_DAY = 86_400_000;

/** Bars [start, end) of the panel calendar. */
export interface BarWindow {
  readonly start: number;
  readonly end: number;
}

/** The first and the last date of a window (`formatTime`: the day of a daily bar). */
export type DateRange = [first: string, last: string];

export interface EvaluationWindows {
  readonly search: BarWindow;
  readonly holdout: BarWindow;
  readonly dates: { readonly search: DateRange; readonly holdout: DateRange };
}

/** The window evaluate and backtest trade, with its dates. */
export interface TradedWindow extends BarWindow {
  readonly dates: DateRange;
}

type DateKey = keyof typeof DATE_FLAGS;

/** First and last date of bars [w.start, w.end) of `time`. */
export function windowDates(time: ArrayLike<number>, w: BarWindow): DateRange {
  return [formatTime(time[w.start]), formatTime(time[w.end - 1])];
}

/** The search and hold-out windows of an optimize run on the calendar `time`, or a `UsageError` naming the keys and the data's bounds. */
export function evaluationWindows(cfg: PnloptConfig, time: Float64Array): EvaluationWindows {
  const { hold_out_fraction, warmup_bars, holdout_start } = cfg.strategy.evaluation;
  const { min_bars } = cfg.quantSuccess.hold_out;
  const at = new DateChecks(cfg, time);
  const w = at.range(warmup_bars);
  let split: number;
  if (holdout_start !== null) {
    split = at.firstBarOf('holdout_start');
    if (split <= w.start || split >= w.end) {
      throw new UsageError(`${at.named('holdout_start')} is not inside the evaluation window ${at.period(w)}: the hold-out starts after its first bar and on or before its last`);
    }
  } else split = w.end - Math.floor((w.end - w.start) * hold_out_fraction);
  const holdoutBars = w.end - split;
  if (holdoutBars < min_bars || split - w.start < 2) {
    const how = holdout_start !== null ? at.named('holdout_start') : `${at.file}: evaluation.hold_out_fraction (${hold_out_fraction})`;
    throw new UsageError(
      `${at.data}: the evaluation window ${at.period(w)} after ${w.start} warm-up bars, split by ${how}, leaves ${holdoutBars} hold-out bars and ${split - w.start} search bars; ` +
        `${displayPath(cfg.files.quantSuccess)}: hold_out.min_bars needs ${min_bars} hold-out bars (and the search at least 2): give more data or move the dates`,
    );
  }
  const search = { start: w.start, end: split };
  const holdout = { start: split, end: w.end };
  return { search, holdout, dates: { search: windowDates(time, search), holdout: windowDates(time, holdout) } };
}

/** The window evaluate and backtest trade: the evaluation window with no warm-up requirement (`evaluation.holdout_start` does not apply). */
export function tradedWindow(cfg: PnloptConfig, time: Float64Array): TradedWindow {
  const w = new DateChecks(cfg, time).range(0);
  return { ...w, dates: windowDates(time, w) };
}

/** The config's dates against one calendar, with the messages that name them. */
class DateChecks {
  readonly file: string;
  /** The data's extent, for messages. */
  readonly data: string;

  constructor(
    private readonly cfg: PnloptConfig,
    private readonly time: Float64Array,
  ) {
    this.file = displayPath(cfg.files.strategy);
    const T = time.length;
    this.data = `the data has ${T} bars, ${formatTime(time[0])} .. ${formatTime(time[T - 1])}`;
  }

  /** A date key as the user set it: by flag or in the file. */
  named(key: DateKey): string {
    return `evaluation.${key} ${this.cfg.strategy.evaluation[key]} (${DATE_FLAGS[key]}, or ${this.file})`;
  }

  period(w: BarWindow): string {
    const [first, last] = windowDates(this.time, w);
    return `${first} .. ${last} (${w.end - w.start} bars)`;
  }

  /** The UTC midnight of a date key that is set, refused unless its day is within the data. */
  private dayOf(key: DateKey): number {
    const ms = parseIsoDate(this.cfg.strategy.evaluation[key]!)!;
    // A date stands for its whole day: it is outside when the day ends before the first bar or starts after the last.
    if (ms + MS_PER_DAY <= this.time[0] || ms > this.time[this.time.length - 1]) throw new UsageError(`${this.named(key)} is outside the data: ${this.data}`);
    return ms;
  }

  /** Index of the first bar on or after the date of `key` (the calendar's length when none). */
  firstBarOf(key: DateKey, dayOffset = 0): number {
    return this.firstAtOrAfter(this.dayOf(key) + dayOffset * MS_PER_DAY);
  }

  private firstAtOrAfter(ms: number): number {
    const i = this.time.findIndex((t) => t >= ms);
    return i < 0 ? this.time.length : i;
  }

  /**
   * The evaluation window [start, end): from the start date, else from bar `warmup`; to the end
   * date included, else the last bar. An explicit start needs `warmup` bars before it.
   */
  range(warmup: number): BarWindow {
    const { start: startDate, end: endDate } = this.cfg.strategy.evaluation;
    const T = this.time.length;
    const end = endDate !== null ? this.firstBarOf('end', 1) : T;
    let start = warmup;
    if (startDate !== null) {
      start = this.firstBarOf('start');
      if (start < warmup) {
        throw new UsageError(
          `${this.named('start')} has ${start} bars of the data before it; ${this.file}: evaluation.warmup_bars needs ${warmup}: ` +
            (warmup < T ? `the first usable start is ${formatTime(this.time[warmup])}` : `${this.data}, too few for any start`),
        );
      }
    }
    if (start >= end) {
      throw new UsageError(
        startDate !== null
          ? `${this.named('start')} .. ${this.named('end')} holds no bar of the data (${this.data})`
          : `${this.data}: after ${this.file}: evaluation.warmup_bars (${warmup}) no bar is left to evaluate${endDate !== null ? ` up to ${this.named('end')}` : ''}: give more data`,
      );
    }
    return { start, end };
  }
}
