/**
 * Content hash of market data: the same numbers give the same hash whatever file format they
 * came from, so a run record can tell whether two runs saw the same data.
 */
import { createHash } from 'node:crypto';
import type { OhlcvSeries } from './types.js';

const HASH_VERSION = 'pnlopt-ohlcv-v1';

/**
 * SHA-256 hex over, for each series in ticker order (UTF-16 code-unit order, so file order does not
 * matter): the ticker's UTF-8 length and bytes, the bar count, then the raw bytes of time, open,
 * high, low, close and volume. Float64 bytes are in platform order, little-endian on every
 * platform Node supports in practice.
 */
export function hashMarketData(series: readonly OhlcvSeries[]): string {
  const h = createHash('sha256').update(HASH_VERSION);
  const sorted = [...series].sort((a, b) => (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0));
  const lengths = new Uint32Array(2);
  for (const s of sorted) {
    const name = Buffer.from(s.ticker, 'utf8');
    lengths[0] = name.length;
    lengths[1] = s.n;
    h.update(new Uint8Array(lengths.buffer)).update(name);
    for (const col of [s.time, s.open, s.high, s.low, s.close, s.volume]) {
      h.update(new Uint8Array(col.buffer, col.byteOffset, s.n * Float64Array.BYTES_PER_ELEMENT));
    }
  }
  return h.digest('hex');
}
