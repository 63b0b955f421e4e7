/** The ingest summary as a table or as JSON. */
import type { IngestSummary } from '../store/ingest.js';
import { renderTable } from './table.js';

const DAY_MS = 86_400_000;

function isoDate(ts: number | null): string {
  return ts === null ? '-' : new Date(ts).toISOString().slice(0, 10);
}

/** The summary table; a `removed` column in `replace` mode, the bars of each ticker it deleted. */
export function ingestSummaryTable(s: IngestSummary): string {
  const replace = s.mode === 'replace';
  return renderTable(
    ['ticker', 'rows', 'first', 'last', 'inserted', 'updated', 'unchanged', ...(replace ? ['removed'] : []), 'gaps', 'largest gap (days)', 'volume mean', 'volume std', 'zero-volume bars'],
    s.tickers.map(({ quality: q, inserted, updated, unchanged, removed }) => [
      q.ticker, q.rows, isoDate(q.firstTs), isoDate(q.lastTs), inserted, updated, unchanged, ...(replace ? [removed] : []), q.gaps,
      q.largestGapMs === null ? null : q.largestGapMs / DAY_MS, q.volumeMean, q.volumeStd, q.zeroVolumeBars,
    ]),
  );
}

export function ingestSummaryJson(s: IngestSummary): object {
  return {
    data_hash: s.dataHash,
    mode: s.mode,
    tickers: s.tickers.map(({ quality: q, inserted, updated, unchanged, removed }) => ({
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
      removed,
    })),
  };
}
