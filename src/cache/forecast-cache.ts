/**
 * Cache of forecast columns, which take seconds per ticker to compute and depend only on the data,
 * the `forecast_models` config and the code. Two levels: an in-process map, then one file per key,
 * `<cacheDir>/<key>.f64`:
 *
 *   one line of JSON header (format, key, models, tickers, K, T, byte order, payload length and
 *   sha256) + '\n' + mu then sigma as raw Float64 bytes in the header's byte order.
 *
 * A file is written to a temp name and renamed, so readers see a whole file or none. A file whose
 * header does not parse or match, whose payload length differs or whose checksum fails is not
 * trusted: the columns are recomputed and the file rewritten.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { ForecastModelsConfig } from '../config/forecast-models.js';
import { canonicalJson, sha256 } from '../hashing.js';
import { writeFileAtomic } from '../write-atomic.js';
import type { Panel } from '../data/types.js';
import { configuredModels, type ForecastColumns } from '../simulation/forecast-columns.js';

const FORMAT = 'pnlopt-forecast-columns/1';

interface Header {
  format: string;
  key: string;
  models: string[];
  tickers: string[];
  K: number;
  T: number;
  byteOrder: string;
  payloadBytes: number;
  sha256: string;
}

/** Computes the columns on a miss, e.g. `computeForecastColumns`. */
export type ComputeForecasts = (panel: Panel, cfg: ForecastModelsConfig) => ForecastColumns | Promise<ForecastColumns>;

/**
 * Cache key of the forecast columns for one data set, config and code version.
 * @param dataHash hash identifying the panel's content (tickers, calendar and every column)
 * @param cfg the `forecast_models` block
 * @param codeVersion changes whenever the forecast code changes results
 * @returns sha256 hex of the canonical JSON of all three
 */
export function forecastCacheKey(dataHash: string, cfg: ForecastModelsConfig, codeVersion: string): string {
  return sha256(canonicalJson({ codeVersion, dataHash, forecastModels: cfg }));
}

const memory = new Map<string, Promise<ForecastColumns>>();

function sharedCopy(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(bytes.length));
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The cached columns in `file`, or undefined when it is missing or not to be trusted. */
async function readCacheFile(file: string, key: string, panel: Panel, models: readonly string[]): Promise<ForecastColumns | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return undefined;
  }
  const newline = buf.indexOf(0x0a);
  if (newline < 0) return undefined;
  let h: Header;
  try {
    h = JSON.parse(buf.subarray(0, newline).toString('utf8')) as Header;
  } catch {
    return undefined;
  }
  const K = panel.tickers.length;
  const T = panel.T;
  const payload = buf.subarray(newline + 1);
  const valuesBytes = models.length * K * T * Float64Array.BYTES_PER_ELEMENT;
  const trusted =
    h.format === FORMAT &&
    h.key === key &&
    h.byteOrder === endianness() &&
    h.K === K &&
    h.T === T &&
    canonicalJson(h.models) === canonicalJson(models) &&
    canonicalJson(h.tickers) === canonicalJson(panel.tickers) &&
    h.payloadBytes === 2 * valuesBytes &&
    // The checksum also catches a truncated or extended payload.
    sha256(payload) === h.sha256;
  if (!trusted) return undefined;
  return {
    models: models as ForecastColumns['models'],
    K,
    T,
    mu: sharedCopy(payload.subarray(0, valuesBytes)),
    sigma: sharedCopy(payload.subarray(valuesBytes)),
  };
}

async function writeCacheFile(file: string, key: string, panel: Panel, cols: ForecastColumns): Promise<void> {
  const payload = Buffer.concat([
    new Uint8Array(cols.mu.buffer, cols.mu.byteOffset, cols.mu.byteLength),
    new Uint8Array(cols.sigma.buffer, cols.sigma.byteOffset, cols.sigma.byteLength),
  ]);
  const header: Header = {
    format: FORMAT,
    key,
    models: [...cols.models],
    tickers: [...panel.tickers],
    K: cols.K,
    T: cols.T,
    byteOrder: endianness(),
    payloadBytes: payload.length,
    sha256: sha256(payload),
  };
  writeFileAtomic(file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), payload]));
}

function checkShape(cols: ForecastColumns, panel: Panel, models: readonly string[]): void {
  const n = models.length * panel.tickers.length * panel.T;
  if (cols.K !== panel.tickers.length || cols.T !== panel.T || canonicalJson(cols.models) !== canonicalJson(models) || cols.mu.length !== n || cols.sigma.length !== n) {
    throw new Error(`forecast columns do not fit the panel (is dataHash the panel's?): models ${cols.models.join(',')}, K ${cols.K}, T ${cols.T}, expected ${models.join(',')}, K ${panel.tickers.length}, T ${panel.T}`);
  }
}

async function loadOrCompute(
  panel: Panel,
  key: string,
  cfg: ForecastModelsConfig,
  cacheDir: string,
  compute: ComputeForecasts,
): Promise<ForecastColumns> {
  const models = configuredModels(cfg);
  const file = join(cacheDir, `${key}.f64`);
  const cached = await readCacheFile(file, key, panel, models);
  if (cached) return cached;
  const cols = await compute(panel, cfg);
  checkShape(cols, panel, models);
  await mkdir(cacheDir, { recursive: true });
  await writeCacheFile(file, key, panel, cols);
  return cols;
}

/**
 * The forecast columns for `panel` and `cfg`: from this process's memory, else from
 * `<cacheDir>/<key>.f64` when that file checks out, else from `compute` (then stored in both).
 * Concurrent calls for one key share one load or computation.
 * @param panel the data the columns are for (its tickers and T are checked against any cached copy)
 * @param dataHash hash identifying the panel's content
 * @param cfg the `forecast_models` block
 * @param cacheDir folder of the cache files (created when missing)
 * @param compute the computation to run on a miss
 * @param codeVersion version of the forecast code, part of the key
 * @returns the columns, in `SharedArrayBuffer`s
 */
export function loadOrComputeForecasts(
  panel: Panel,
  dataHash: string,
  cfg: ForecastModelsConfig,
  cacheDir: string,
  compute: ComputeForecasts,
  codeVersion: string,
): Promise<ForecastColumns> {
  const key = forecastCacheKey(dataHash, cfg, codeVersion);
  const hit = memory.get(key);
  if (hit) {
    return hit.then((cols) => {
      checkShape(cols, panel, configuredModels(cfg));
      return cols;
    });
  }
  const pending = loadOrCompute(panel, key, cfg, cacheDir, compute);
  memory.set(key, pending);
  // A failed attempt is forgotten so that the next call tries again.
  pending.catch(() => memory.delete(key));
  return pending;
}
