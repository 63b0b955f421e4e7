/**
 * Cache of forecast columns, which take seconds per ticker to compute and depend only on the data,
 * the `forecast_models` config and the code. Two levels: an in-process map, then one file per key,
 * `<cacheDir>/<key>.f64`:
 *
 *   one line of JSON header (format, key, models, tickers, K, T, bars, byte order, payload length
 *   and sha256) + '\n' + mu then sigma as raw Float64 bytes in the header's byte order, each the
 *   bars [from, to) of every model and ticker in the layout's order (the whole file: all T bars).
 *
 * On a miss the columns are computed block by block (`ForecastBlock`: one model, one ticker or, for
 * a panel-wide model, all of them, and a run of bars), and each finished block is written at once
 * to its own file `<key>.<model>.<k0>-<k1>.<from>-<to>.f64` in the same format (its header names
 * the block's model, tickers and bars). An interrupted computation thus keeps its finished blocks,
 * and the next one reads them back and computes only the rest. How the bars are split depends on
 * the threads (`forecastBlocks`); a block file of another split is not read, only recomputed and
 * deleted. Once every block is there, the whole file is written and every block file of the key
 * is deleted.
 *
 * A file is written to a temp name and renamed, so readers see a whole file or none. A file whose
 * header does not parse or match, whose payload length differs or whose checksum fails is not
 * trusted: its columns are recomputed and the file rewritten.
 *
 * The files are capped in total size: after a whole file is written, the least recently used `*.f64`
 * files in the folder (block files included) are deleted until the total fits (the new file itself
 * is always kept). A file counts as used when written or read from disk (a read touches its mtime),
 * so eviction goes by mtime, oldest first, ties by name. Hits from memory do not touch the file.
 * Eviction is best effort: files that vanish meanwhile are skipped and no failure reaches the caller.
 */
import { mkdir, readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { ForecastModelsConfig } from '../config/forecast-models.js';
import { canonicalJson, sha256 } from '../hashing.js';
import { writeFileAtomic } from '../write-atomic.js';
import type { Panel } from '../data/types.js';
import {
  blockSegments,
  configuredModels,
  emptyForecastColumns,
  forecastBlocks,
  type ForecastBlock,
  type ForecastColumns,
} from '../simulation/forecast-columns.js';

// Version 2: block files hold runs of bars (`bars`), so a version 1 block file is never read as one.
const FORMAT = 'pnlopt-forecast-columns/2';

interface Header {
  format: string;
  key: string;
  models: string[];
  tickers: string[];
  K: number;
  T: number;
  bars: [number, number];
  byteOrder: string;
  payloadBytes: number;
  sha256: string;
}

/**
 * Computes `blocks` into `out` on a miss (`computeForecastBlock` each, in any order or in parallel),
 * calling `done` as each one finishes; rejects when interrupted, after the blocks it reported.
 */
export type ComputeForecastBlocks = (
  panel: Panel,
  cfg: ForecastModelsConfig,
  blocks: readonly ForecastBlock[],
  out: ForecastColumns,
  done: (block: ForecastBlock) => void,
) => Promise<void>;

/** Where a computation stands: blocks in all, read from block files, computed so far. */
export interface ForecastProgress {
  readonly blocks: number;
  readonly cached: number;
  readonly computed: number;
}

export interface ForecastCacheOptions {
  /** Folder of the cache files (created when missing). */
  readonly cacheDir: string;
  /** The computation of the blocks that are not on disk. */
  readonly compute: ComputeForecastBlocks;
  /** Threads `compute` runs on, which decide how finely the work is split (`forecastBlocks`); default 1. */
  readonly threads?: number;
  /** Version of the forecast code, part of the key. */
  readonly codeVersion: string;
  /** Cap on the total size of the `*.f64` files in `cacheDir` (`runtime.cache_max_bytes`); default: none. */
  readonly maxBytes?: number;
  /** Called when a computation starts (computed 0) and after each block it finishes; not on a whole-file or memory hit. */
  readonly onProgress?: (p: ForecastProgress) => void;
}

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

/** What a file must say about itself to be trusted for some values of the columns. */
interface FileIdentity {
  readonly key: string;
  readonly models: readonly string[];
  readonly tickers: readonly string[];
  readonly T: number;
  readonly bars: readonly [number, number];
}

/** The identity of a whole set of columns, or of one block of it. */
function identity(key: string, panel: Panel, models: readonly string[], block?: ForecastBlock): FileIdentity {
  return block === undefined
    ? { key, models, tickers: panel.tickers, T: panel.T, bars: [0, panel.T] }
    : { key, models: [block.model], tickers: panel.tickers.slice(block.k0, block.k1), T: panel.T, bars: [block.from, block.to] };
}

/** Ranges [start, end) of the columns a file holds, in its payload's order. */
type Segments = readonly { readonly start: number; readonly end: number }[];

function segmentsLength(segments: Segments): number {
  return segments.reduce((n, s) => n + s.end - s.start, 0);
}

/**
 * Copy the values `segments` of mu and sigma from `file` into `out` when the file is there and
 * checks out against `id`; false (nothing copied) otherwise.
 */
async function readColumnsFile(file: string, id: FileIdentity, out: ForecastColumns, segments: Segments): Promise<boolean> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return false;
  }
  const newline = buf.indexOf(0x0a);
  if (newline < 0) return false;
  let h: Header;
  try {
    h = JSON.parse(buf.subarray(0, newline).toString('utf8')) as Header;
  } catch {
    return false;
  }
  const payload = buf.subarray(newline + 1);
  const valuesBytes = segmentsLength(segments) * Float64Array.BYTES_PER_ELEMENT;
  const trusted =
    h.format === FORMAT &&
    h.key === id.key &&
    h.byteOrder === endianness() &&
    h.K === id.tickers.length &&
    h.T === id.T &&
    canonicalJson(h.bars) === canonicalJson(id.bars) &&
    canonicalJson(h.models) === canonicalJson(id.models) &&
    canonicalJson(h.tickers) === canonicalJson(id.tickers) &&
    h.payloadBytes === 2 * valuesBytes &&
    // The checksum also catches a truncated or extended payload.
    sha256(payload) === h.sha256;
  if (!trusted) return false;
  let at = 0;
  for (const { start, end } of segments) {
    const bytes = (end - start) * 8;
    new Uint8Array(out.mu.buffer, out.mu.byteOffset + start * 8, bytes).set(payload.subarray(at, at + bytes));
    new Uint8Array(out.sigma.buffer, out.sigma.byteOffset + start * 8, bytes).set(payload.subarray(valuesBytes + at, valuesBytes + at + bytes));
    at += bytes;
  }
  return true;
}

/** Write the values `segments` of `cols` to `file` under `id`, atomically. */
function writeColumnsFile(file: string, id: FileIdentity, cols: ForecastColumns, segments: Segments): void {
  const bytes = (a: Float64Array) => segments.map(({ start, end }) => new Uint8Array(a.buffer, a.byteOffset + start * 8, (end - start) * 8));
  const payload = Buffer.concat([...bytes(cols.mu), ...bytes(cols.sigma)]);
  const header: Header = {
    format: FORMAT,
    key: id.key,
    models: [...id.models],
    tickers: [...id.tickers],
    K: id.tickers.length,
    T: id.T,
    bars: [id.bars[0], id.bars[1]],
    byteOrder: endianness(),
    payloadBytes: payload.length,
    sha256: sha256(payload),
  };
  writeFileAtomic(file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), payload]));
}

/** File name of a block's columns under `key`. */
function blockFileName(key: string, block: ForecastBlock): string {
  return `${key}.${block.model}.${block.k0}-${block.k1}.${block.from}-${block.to}.f64`;
}

/** Delete every block file under `key` (of any split), best effort. */
async function deleteBlockFiles(cacheDir: string, key: string): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(`${key}.`) && n !== `${key}.f64` && isCacheFile(n)).map((n) => unlink(join(cacheDir, n)).catch(() => undefined)));
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

async function loadOrCompute(panel: Panel, key: string, cfg: ForecastModelsConfig, opts: ForecastCacheOptions): Promise<ForecastColumns> {
  const { cacheDir } = opts;
  const models = configuredModels(cfg);
  const out = emptyForecastColumns(cfg, panel.tickers.length, panel.T);
  const name = `${key}.f64`;
  const file = join(cacheDir, name);
  const whole: Segments = [{ start: 0, end: out.mu.length }];
  if (await readColumnsFile(file, identity(key, panel, models), out, whole)) {
    await touch(file);
    return out;
  }
  const blocks = forecastBlocks(cfg, panel.tickers.length, panel.T, opts.threads);
  const todo: ForecastBlock[] = [];
  for (const block of blocks) {
    if (!(await readColumnsFile(join(cacheDir, blockFileName(key, block)), identity(key, panel, models, block), out, blockSegments(out, block)))) todo.push(block);
  }
  const progress = { blocks: blocks.length, cached: blocks.length - todo.length, computed: 0 };
  opts.onProgress?.({ ...progress });
  await mkdir(cacheDir, { recursive: true });
  await opts.compute(panel, cfg, todo, out, (block) => {
    writeColumnsFile(join(cacheDir, blockFileName(key, block)), identity(key, panel, models, block), out, blockSegments(out, block));
    progress.computed++;
    opts.onProgress?.({ ...progress });
  });
  writeColumnsFile(file, identity(key, panel, models), out, whole);
  // The whole file holds every block now.
  await deleteBlockFiles(cacheDir, key);
  await evict(cacheDir, name, opts.maxBytes ?? Infinity);
  return out;
}

/**
 * The forecast columns for `panel` and `cfg`: from this process's memory, else from
 * `<cacheDir>/<key>.f64` when that file checks out, else computed (`opts.compute`) for the blocks
 * that have no trusted block file, each block stored as it finishes; then stored whole in both.
 * Concurrent calls for one key share one load or computation.
 * @param panel the data the columns are for (its tickers and T are checked against any cached copy)
 * @param dataHash hash identifying the panel's content
 * @param cfg the `forecast_models` block
 * @returns the columns, in `SharedArrayBuffer`s
 */
export function loadOrComputeForecasts(panel: Panel, dataHash: string, cfg: ForecastModelsConfig, opts: ForecastCacheOptions): Promise<ForecastColumns> {
  const key = forecastCacheKey(dataHash, cfg, opts.codeVersion);
  const hit = memory.get(key);
  if (hit) {
    return hit.then((cols) => {
      checkShape(cols, panel, configuredModels(cfg));
      return cols;
    });
  }
  const pending = loadOrCompute(panel, key, cfg, opts);
  memory.set(key, pending);
  // A failed or interrupted attempt is forgotten so that the next call tries again.
  pending.catch(() => memory.delete(key));
  return pending;
}
