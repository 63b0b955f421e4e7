/** Data-quality statistics of one series, as recorded in `data_quality_snapshots`. */
import type { OhlcvSeries } from './types.js';

export interface QualityStats {
  ticker: string;
  rows: number;
  firstTs: number | null;
  lastTs: number | null;
  /** Median step between consecutive timestamps, ms. */
  medianStepMs: number | null;
  /** Steps longer than `gapMultiple` x the median step. */
  gaps: number;
  largestGapMs: number | null;
  volumeMean: number | null;
  /** Sample standard deviation (ddof = 1). */
  volumeStd: number | null;
  volumeMin: number | null;
  volumeMax: number | null;
  zeroVolumeBars: number;
}

/**
 * @param s validated series (strictly increasing time)
 * @param gapMultiple a step counts as a gap when step > gapMultiple * median step
 */
export function dataQuality(s: OhlcvSeries, gapMultiple: number): QualityStats {
  const n = s.n;
  const steps = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) steps[i - 1] = s.time[i] - s.time[i - 1];
  const medianStep = steps.length > 0 ? median(steps) : null;
  let gaps = 0;
  let largest = 0;
  for (const step of steps) {
    if (medianStep !== null && step > gapMultiple * medianStep) gaps++;
    if (step > largest) largest = step;
  }
  let sum = 0, min = Infinity, max = -Infinity, zero = 0;
  for (let i = 0; i < n; i++) {
    const v = s.volume[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zero++;
  }
  const mean = n > 0 ? sum / n : null;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (s.volume[i] - mean!) ** 2;
  return {
    ticker: s.ticker,
    rows: n,
    firstTs: n > 0 ? s.time[0] : null,
    lastTs: n > 0 ? s.time[n - 1] : null,
    medianStepMs: medianStep,
    gaps,
    largestGapMs: steps.length > 0 ? largest : null,
    volumeMean: mean,
    volumeStd: n > 1 ? Math.sqrt(ss / (n - 1)) : null,
    volumeMin: n > 0 ? min : null,
    volumeMax: n > 0 ? max : null,
    zeroVolumeBars: zero,
  };
}

function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
