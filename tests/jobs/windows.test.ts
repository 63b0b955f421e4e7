/**
 * The evaluation window from dates (src/jobs/windows.ts): bar indices worked out by hand on a small
 * weekday calendar, the hold-out by date and by fraction, every refusal with the keys and the
 * data's bounds, the date keys' schema, and as a property: the window is exactly the bars whose
 * day lies within [start, end].
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PnloptConfig } from '../../src/config/load.js';
import { EvaluationSettings, parseIsoDate } from '../../src/config/strategy-optimization.js';
import { UsageError } from '../../src/errors.js';
import { evaluationWindows, tradedWindow } from '../../src/jobs/windows.js';

const DAY = 86_400_000;

/**
 * The weekdays of 2024-01-01 (a Monday) .. 2024-01-26, 20 bars:
 *   index  0  1  2  3  4 |  5  6  7  8  9 | 10 11 12 13 14 | 15 16 17 18 19
 *   day   01 02 03 04 05 | 08 09 10 11 12 | 15 16 17 18 19 | 22 23 24 25 26
 */
const JAN = Float64Array.from([1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26], (d) => Date.UTC(2024, 0, d));

interface Evaluation {
  hold_out_fraction: number;
  warmup_bars: number;
  start: string | null;
  end: string | null;
  holdout_start: string | null;
}

/** The config keys the windows read (and the files they name); the rest of a config plays no part. */
function config(evaluation: Partial<Evaluation> = {}, minBars = 2): PnloptConfig {
  return {
    files: { strategy: 'config/strategy_optimization_config.yml', quantSuccess: 'config/quant_success_config.yml' },
    strategy: { evaluation: { hold_out_fraction: 0.25, warmup_bars: 3, start: null, end: null, holdout_start: null, ...evaluation } },
    quantSuccess: { hold_out: { min_bars: minBars } },
  } as unknown as PnloptConfig;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('evaluationWindows (optimize)', () => {
  it('without dates: the bars after the warm-up, the last quarter (floor) held out', () => {
    // [3, 20): 17 bars; floor(17 * 0.25) = 4 hold-out bars from index 16 (the 23rd).
    expect(evaluationWindows(config(), JAN)).toEqual({
      search: { start: 3, end: 16 },
      holdout: { start: 16, end: 20 },
      dates: { search: ['2024-01-04', '2024-01-22'], holdout: ['2024-01-23', '2024-01-26'] },
    });
  });

  it('dates on a weekend: the start moves to the next bar, the end back to the last bar on or before it', () => {
    // Sat 06 -> Mon 08 (index 5); Sun 21 -> bars before Mon 22 (end 15): 10 bars, floor(2.5) = 2 held out.
    expect(evaluationWindows(config({ start: '2024-01-06', end: '2024-01-21' }), JAN)).toEqual({
      search: { start: 5, end: 13 },
      holdout: { start: 13, end: 15 },
      dates: { search: ['2024-01-08', '2024-01-17'], holdout: ['2024-01-18', '2024-01-19'] },
    });
  });

  it('the end date is included; the hold-out starts at its own date, whatever the fraction', () => {
    // 08 (5) .. 26 (19, end 20); hold-out from 15 (10).
    expect(evaluationWindows(config({ start: '2024-01-08', end: '2024-01-26', holdout_start: '2024-01-15', hold_out_fraction: 0.9 }), JAN)).toEqual({
      search: { start: 5, end: 10 },
      holdout: { start: 10, end: 20 },
      dates: { search: ['2024-01-08', '2024-01-12'], holdout: ['2024-01-15', '2024-01-26'] },
    });
  });

  it('the old split of the S&P 500 data: 5105 bars, 252 warm-up, a quarter of 4853 = 1213 held out', () => {
    const time = Float64Array.from({ length: 5105 }, (_, t) => Date.UTC(2000, 0, 3) + t * DAY);
    const w = evaluationWindows(config({ warmup_bars: 252 }, 252), time);
    expect([w.search, w.holdout]).toEqual([{ start: 252, end: 5105 - 1213 }, { start: 5105 - 1213, end: 5105 }]);
    expect(evaluationWindows(config({ warmup_bars: 252 }, 10), time.subarray(0, 600)).holdout).toEqual({ start: 600 - 87, end: 600 });
  });

  it('refuses a start with fewer warm-up bars before it than warmup_bars, naming the first usable start', () => {
    expect(refusal(() => evaluationWindows(config({ start: '2024-01-03' }), JAN))).toMatch(
      /^evaluation\.start 2024-01-03 \(--start, or config\/strategy_optimization_config\.yml\) has 2 bars of the data before it; .*evaluation\.warmup_bars needs 3: the first usable start is 2024-01-04$/,
    );
    expect(refusal(() => evaluationWindows(config({ start: '2024-01-03', warmup_bars: 25 }), JAN))).toContain('too few for any start');
  });

  it('refuses dates outside the data with its bounds; a date whose day has no bar but lies inside is fine', () => {
    const bounds = 'the data has 20 bars, 2024-01-01 .. 2024-01-26';
    expect(refusal(() => evaluationWindows(config({ start: '2023-12-29' }), JAN))).toBe(`evaluation.start 2023-12-29 (--start, or config/strategy_optimization_config.yml) is outside the data: ${bounds}`);
    expect(refusal(() => evaluationWindows(config({ end: '2024-01-27' }), JAN))).toContain(`evaluation.end 2024-01-27 (--end, or config/strategy_optimization_config.yml) is outside the data: ${bounds}`);
    expect(refusal(() => evaluationWindows(config({ holdout_start: '2024-02-01' }), JAN))).toContain('evaluation.holdout_start 2024-02-01 (--holdout-start');
    expect(evaluationWindows(config({ end: '2024-01-26' }), JAN).holdout.end).toBe(20);
  });

  it('refuses a hold-out start not after the window start or past its last bar', () => {
    // The default start is the 4th (index 3): a hold-out from it leaves no search.
    expect(refusal(() => evaluationWindows(config({ holdout_start: '2024-01-04' }), JAN))).toContain('is not inside the evaluation window 2024-01-04 .. 2024-01-26 (17 bars)');
    expect(refusal(() => evaluationWindows(config({ end: '2024-01-24', holdout_start: '2024-01-25' }), JAN))).toContain('is not inside the evaluation window');
  });

  it('refuses a hold-out below hold_out.min_bars, or a search shorter than 2 bars', () => {
    expect(refusal(() => evaluationWindows(config({}, 5), JAN))).toMatch(/leaves 4 hold-out bars and 13 search bars; config\/quant_success_config\.yml: hold_out\.min_bars needs 5 hold-out bars/);
    expect(refusal(() => evaluationWindows(config({ holdout_start: '2024-01-05' }), JAN))).toMatch(/leaves 16 hold-out bars and 1 search bars/);
  });

  it('refuses a window with no bar: dates on one weekend, or a warm-up as long as the data', () => {
    expect(refusal(() => evaluationWindows(config({ start: '2024-01-06', end: '2024-01-07' }), JAN))).toContain('holds no bar of the data');
    expect(refusal(() => evaluationWindows(config({ warmup_bars: 20 }), JAN))).toMatch(/^the data has 20 bars, 2024-01-01 \.\. 2024-01-26: after .*evaluation\.warmup_bars \(20\) no bar is left/);
  });
});

describe('tradedWindow (evaluate, backtest)', () => {
  it('without dates: every bar; a start needs no warm-up; the end is included', () => {
    expect(tradedWindow(config(), JAN)).toEqual({ start: 0, end: 20, dates: ['2024-01-01', '2024-01-26'] });
    expect(tradedWindow(config({ start: '2024-01-02' }), JAN)).toEqual({ start: 1, end: 20, dates: ['2024-01-02', '2024-01-26'] });
    expect(tradedWindow(config({ end: '2024-01-10' }), JAN)).toEqual({ start: 0, end: 8, dates: ['2024-01-01', '2024-01-10'] });
  });

  it('intraday bars: a date stands for its whole day', () => {
    const hours = [10, 14];
    const time = Float64Array.from([1, 2, 3].flatMap((d) => hours.map((h) => Date.UTC(2024, 0, d, h))));
    expect(tradedWindow(config({ start: '2024-01-01', end: '2024-01-02' }), time)).toMatchObject({ start: 0, end: 4 });
    expect(tradedWindow(config({ start: '2024-01-03' }), time)).toMatchObject({ start: 4, end: 6, dates: ['2024-01-03T10:00:00.000Z', '2024-01-03T14:00:00.000Z'] });
  });

  it('is exactly the bars whose day lies within [start, end] (property)', () => {
    const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * DAY).toISOString().slice(0, 10);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        (days, a, b) => {
          const sorted = [...days].sort((x, y) => x - y);
          const time = Float64Array.from(sorted, (d) => Date.UTC(2024, 0, 1) + d * DAY);
          const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
          const inside = sorted.filter((d) => d >= lo && d <= hi).length;
          const outside = lo < sorted[0] || hi > sorted[sorted.length - 1];
          const run = () => tradedWindow(config({ start: day(lo), end: day(hi) }), time);
          if (outside || inside === 0) {
            expect(run).toThrow(UsageError);
            return;
          }
          const w = run();
          expect(w.end - w.start).toBe(inside);
          for (let t = 0; t < sorted.length; t++) expect(t >= w.start && t < w.end).toBe(sorted[t] >= lo && sorted[t] <= hi);
        },
      ),
    );
  });
});

describe('the date keys of evaluation:', () => {
  const base = { hold_out_fraction: 0.25, warmup_bars: 252 };

  it('parseIsoDate takes only dates that exist, written YYYY-MM-DD', () => {
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    for (const bad of ['2023-02-29', '2021-02-30', '2024-13-01', '2024-1-05', '2024-01-05T00:00', ' 2024-01-05', '0050-01-01', '']) expect(parseIsoDate(bad), bad).toBeUndefined();
  });

  it('default to null and must be dates', () => {
    expect(EvaluationSettings.parse(base)).toEqual({ ...base, start: null, end: null, holdout_start: null });
    const bad = EvaluationSettings.safeParse({ ...base, start: 20100104, end: '2010-02-30' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['start', 'expected a date YYYY-MM-DD or null, got 20100104'],
      ['end', 'expected a date YYYY-MM-DD or null, got "2010-02-30"'],
    ]);
  });

  it('must be in order: start <= end, start < holdout_start <= end', () => {
    const issues = (e: Partial<Evaluation>) => EvaluationSettings.safeParse({ ...base, ...e }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ start: '2010-01-04', end: '2010-01-04', holdout_start: '2010-01-04' })).toEqual([
      'holdout_start: expected a date after evaluation.start (2010-01-04), got 2010-01-04 (--holdout-start and --start set these keys)',
    ]);
    expect(issues({ start: '2011-01-03', end: '2010-01-04' })).toEqual(['end: expected a date on or after evaluation.start (2011-01-03), got 2010-01-04 (--end and --start set these keys)']);
    expect(issues({ end: '2010-01-04', holdout_start: '2010-01-05' })).toEqual([
      'holdout_start: expected a date on or before evaluation.end (2010-01-04), got 2010-01-05 (--holdout-start and --end set these keys)',
    ]);
    expect(issues({ start: '2010-01-04', end: '2012-12-31', holdout_start: '2012-12-31' })).toEqual([]);
  });
});
