/** The ingest summary as a table or as JSON. */
import type { IngestSummary } from '../store/ingest.js';
import { renderTable } from './table.js';

const DAY_MS = 86_400_000;

function isoDate(ts: number | null): string {
  return ts === null ? '-' : new Date(ts).toISOString().slice(0, 10);
}

export function ingestSummaryTable(s: IngestSummary): string {
  return renderTable(
    ['ticker', 'rows', 'first', 'last', 'inserted', 'updated', 'unchanged', 'gaps', 'largest gap (days)', 'volume mean', 'volume std', 'zero-volume bars'],
    s.tickers.map(({ quality: q, inserted, updated, unchanged }) => [
      q.ticker, q.rows, isoDate(q.firstTs), isoDate(q.lastTs), inserted, updated, unchanged, q.gaps,
      q.largestGapMs === null ? null : q.largestGapMs / DAY_MS, q.volumeMean, q.volumeStd, q.zeroVolumeBars,
    ]),
  );
}

export function ingestSummaryJson(s: IngestSummary): object {
  return {
    data_hash: s.dataHash,
    tickers: s.tickers.map(({ quality: q, inserted, updated, unchanged }) => ({
      ticker: q.ticker,
      rows: q.rows,
      first_ts: q.firstTs,
      last_ts: q.lastTs,
      median_step_ms: q.medianStepMs,
      gaps: q.gaps,
      largest_gap_ms: q.largestGapMs,
      volume_mean: q.volumeMean,
      volume_std: q.volumeStd,
      volume_min: q.volumeMin,
      volume_max: q.volumeMax,
      zero_volume_bars: q.zeroVolumeBars,
      inserted,
      updated,
      unchanged,
    })),
  };
}
