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
 *
 * The files are capped in total size: after a file is written, the least recently used `*.f64`
 * files in the folder are deleted until the total fits (the new file itself is always kept). A
 * file counts as used when written or read from disk (a read touches its mtime), so eviction goes
 * by mtime, oldest first, ties by name. Hits from memory do not touch the file. Eviction is best
 * effort: files that vanish meanwhile are skipped and no failure reaches the caller.
 */
import { mkdir, readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
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

/** Mark `file` as just used (its mtime is the recency eviction goes by); failures are ignored. */
async function touch(file: string): Promise<void> {
  const now = new Date();
  await utimes(file, now, now).catch(() => undefined);
}

/** A cache file (`<key>.f64`), not a temp file of `writeFileAtomic` (`.<key>.f64.<pid>.<rand>.tmp`). */
function isCacheFile(name: string): boolean {
  return name.endsWith('.f64') && !name.startsWith('.');
}

/**
 * Delete the least recently used cache files in `cacheDir` (oldest mtime first, ties by name) until
 * their total size is at most `maxBytes`. `keep` (the file just written) is never deleted, even when
 * it alone is over the cap. Files that vanish meanwhile are skipped; other failures are swallowed:
 * eviction must never fail the computation that triggered it.
 */
async function evict(cacheDir: string, keep: string, maxBytes: number): Promise<void> {
  try {
    const names = (await readdir(cacheDir)).filter(isCacheFile);
    const files: { name: string; size: number; mtimeMs: number }[] = [];
    for (const name of names) {
      try {
        const st = await stat(join(cacheDir, name));
        if (st.isFile()) files.push({ name, size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // Vanished (ENOENT) or unreadable: not ours to count.
      }
    }
    let total = files.reduce((sum, f) => sum + f.size, 0);
    if (total <= maxBytes) return;
    files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const f of files) {
      if (total <= maxBytes) break;
      if (f.name === keep) continue;
      try {
        await unlink(join(cacheDir, f.name));
        total -= f.size;
      } catch (err) {
        // Already gone (another process evicted it): it no longer counts either.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') total -= f.size;
      }
    }
  } catch {
    // Best effort only.
  }
}

async function loadOrCompute(
  panel: Panel,
  key: string,
  cfg: ForecastModelsConfig,
  cacheDir: string,
  compute: ComputeForecasts,
  maxBytes: number,
): Promise<ForecastColumns> {
  const models = configuredModels(cfg);
  const name = `${key}.f64`;
  const file = join(cacheDir, name);
  const cached = await readCacheFile(file, key, panel, models);
  if (cached) {
    await touch(file);
    return cached;
  }
  const cols = await compute(panel, cfg);
  checkShape(cols, panel, models);
  await mkdir(cacheDir, { recursive: true });
  await writeCacheFile(file, key, panel, cols);
  await evict(cacheDir, name, maxBytes);
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
 * @param maxBytes cap on the total size of the `*.f64` files in `cacheDir` (`runtime.cache_max_bytes`),
 *   enforced after each write by deleting the least recently used files; default: no cap
 * @returns the columns, in `SharedArrayBuffer`s
 */
export function loadOrComputeForecasts(
  panel: Panel,
  dataHash: string,
  cfg: ForecastModelsConfig,
  cacheDir: string,
  compute: ComputeForecasts,
  codeVersion: string,
  maxBytes: number = Infinity,
): Promise<ForecastColumns> {
  const key = forecastCacheKey(dataHash, cfg, codeVersion);
  const hit = memory.get(key);
  if (hit) {
    return hit.then((cols) => {
      checkShape(cols, panel, configuredModels(cfg));
      return cols;
    });
  }
  const pending = loadOrCompute(panel, key, cfg, cacheDir, compute, maxBytes);
  memory.set(key, pending);
  // A failed attempt is forgotten so that the next call tries again.
  pending.catch(() => memory.delete(key));
  return pending;
}
