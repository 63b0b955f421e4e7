/**
 * Import validated market data into `ohlcv` (upsert on ticker + timestamp, so re-ingesting the same
 * file changes nothing; in `replace` mode a ticker's stored bars absent from the source are also
 * removed) and record one `data_quality_snapshots` row per ticker, all in one transaction: a
 * failure leaves the database exactly as it was.
 */
import { dataQuality, type QualityStats } from '../data/quality.js';
import type { MarketData, OhlcvSeries } from '../data/types.js';
import type { DatabaseManager } from './database.js';

/** `upsert`: add and update bars, keep the others; `replace`: each ingested ticker's stored bars become exactly the source's. */
export const INGEST_MODES = ['upsert', 'replace'] as const;
export type IngestMode = (typeof INGEST_MODES)[number];

export interface IngestSummary {
  dataHash: string;
  mode: IngestMode;
  /** `removed`: stored bars of the ticker that the source lacks, deleted in `replace` mode (0 in `upsert` mode). */
  tickers: { quality: QualityStats; inserted: number; updated: number; unchanged: number; removed: number }[];
}

/** A `data_quality_snapshots` row as read back: the ingest's quality figures and where they came from. */
export interface StoredQualitySnapshot extends QualityStats {
  source: string;
  dataHash: string;
  createdAt: string;
}

interface StoredBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function sameBar(p: StoredBar, r: readonly [number, number, number, number, number]): boolean {
  return p.open === r[0] && p.high === r[1] && p.low === r[2] && p.close === r[3] && p.volume === r[4];
}

export function ingestMarketData(dbm: DatabaseManager, data: MarketData, gapMultiple: number, mode: IngestMode = 'upsert', now = new Date()): IngestSummary {
  const db = dbm.db;
  const storedTimes = db.prepare('SELECT ts FROM ohlcv WHERE ticker = ? ORDER BY ts').pluck();
  const remove = db.prepare('DELETE FROM ohlcv WHERE ticker = ? AND ts = ?');
  const existing = db.prepare('SELECT open, high, low, close, volume FROM ohlcv WHERE ticker = ? AND ts = ?');
  const upsert = db.prepare(`
    INSERT INTO ohlcv (ticker, ts, open, high, low, close, volume, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (ticker, ts) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
      close = excluded.close, volume = excluded.volume, source = excluded.source`);
  const snapshot = db.prepare(`
    INSERT INTO data_quality_snapshots (ticker, source, data_hash, created_at, rows, first_ts, last_ts, median_step_ms,
      gaps, largest_gap_ms, volume_mean, volume_std, volume_min, volume_max, zero_volume_bars)
    VALUES (@ticker, @source, @dataHash, @createdAt, @rows, @firstTs, @lastTs, @medianStepMs,
      @gaps, @largestGapMs, @volumeMean, @volumeStd, @volumeMin, @volumeMax, @zeroVolumeBars)`);
  const source = data.sources.join(',');
  /** Delete the stored bars of `s.ticker` at times `s` lacks; both are in increasing time order. */
  const removeAbsent = (s: OhlcvSeries): number => {
    const absent: number[] = [];
    let i = 0;
    for (const ts of storedTimes.iterate(s.ticker) as Iterable<number>) {
      while (i < s.n && s.time[i] < ts) i++;
      if (i === s.n || s.time[i] !== ts) absent.push(ts);
    }
    for (const ts of absent) remove.run(s.ticker, ts);
    return absent.length;
  };
  return dbm.transaction(() => ({
    dataHash: data.hash,
    mode,
    tickers: data.series.map((s) => {
      const removed = mode === 'replace' ? removeAbsent(s) : 0;
      let inserted = 0, updated = 0, unchanged = 0;
      for (let i = 0; i < s.n; i++) {
        const row = [s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]] as const;
        const prev = existing.get(s.ticker, s.time[i]) as StoredBar | undefined;
        if (prev !== undefined && sameBar(prev, row)) {
          unchanged++;
          continue;
        }
        if (prev === undefined) inserted++;
        else updated++;
        upsert.run(s.ticker, s.time[i], ...row, source);
      }
      const quality = dataQuality(s, gapMultiple);
      snapshot.run({ ...quality, source, dataHash: data.hash, createdAt: now.toISOString() });
      return { quality, inserted, updated, unchanged, removed };
    }),
  }));
}

/** Every quality snapshot, oldest first (the read side of the ingest log, so tests and reports need no SQL). */
export function qualitySnapshots(dbm: DatabaseManager): StoredQualitySnapshot[] {
  return dbm.db
    .prepare(
      `SELECT ticker, source, data_hash AS dataHash, created_at AS createdAt, rows, first_ts AS firstTs, last_ts AS lastTs, median_step_ms AS medianStepMs,
         gaps, largest_gap_ms AS largestGapMs, volume_mean AS volumeMean, volume_std AS volumeStd, volume_min AS volumeMin, volume_max AS volumeMax,
         zero_volume_bars AS zeroVolumeBars
       FROM data_quality_snapshots ORDER BY id`,
    )
    .all() as StoredQualitySnapshot[];
}
