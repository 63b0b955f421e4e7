/**
 * Forecast cache: key canonicalisation and sensitivity, memory and disk hits (counted compute
 * calls), distrust of damaged files, blocks kept across an interrupted computation (runs of bars
 * split by the threads included), and the size cap's least-recently-used eviction. A fresh module instance (`vi.resetModules`) stands for a new
 * process: empty memory, same disk.
 */
import { mkdtemp, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForecastModelsConfig } from '../../src/config/forecast-models.js';
import type { Panel } from '../../src/data/types.js';
import type { ComputeForecastBlocks, ForecastProgress } from '../../src/cache/forecast-cache.js';
import { InterruptedError } from '../../src/errors.js';
import { blockSegments } from '../../src/simulation/forecast-columns.js';

type CacheModule = typeof import('../../src/cache/forecast-cache.js');

/** A fresh copy of the cache module: its in-memory map starts empty, as in a new process. */
async function freshCache(): Promise<CacheModule> {
  vi.resetModules();
  return import('../../src/cache/forecast-cache.js');
}

const refit = { mode: 'rolling', window: 40, every: 5 } as const;
const cfg = ForecastModelsConfig.parse({
  sarimax: { min_history: 30, refit, ar_order: 2, seasonal_period: 5, seasonal_order: 1, exog: ['range'], ridge: 1e-8 },
  garch: { min_history: 30, refit: { mode: 'expanding', every: 10 }, max_iter: 100, tol: 1e-6 },
});

/** Tickers A and B over `bars` bars (the stand-in computation never reads the prices). */
const panelOf = (bars: number): Panel =>
  ({
    tickers: ['A', 'B'],
    T: bars,
    ...Object.fromEntries(['time', 'open', 'high', 'low', 'close', 'volume'].map((c) => [c, new Float64Array(2 * bars).fill(1)])),
  }) as unknown as Panel;

// Shorter than min_history: no refit point, so one block per model and ticker whatever the threads.
const T = 12;
const panel = panelOf(T);

/**
 * A stand-in computation with recognisable values (NaN warm-up included) by position in the
 * columns, counting its calls and the blocks it computed, reporting each block done.
 */
function countingCompute() {
  const calls = { n: 0, blocks: 0 };
  const compute: ComputeForecastBlocks = async (_p, _c, blocks, out, done) => {
    calls.n++;
    for (const block of blocks) {
      for (const { start, end } of blockSegments(out, block)) {
        for (let i = start; i < end; i++) {
          out.mu[i] = i % out.T < 3 ? NaN : i / 7;
          out.sigma[i] = Math.sqrt(i);
        }
      }
      calls.blocks++;
      done(block);
    }
  };
  return { calls, compute };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pnlopt-forecast-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('forecastCacheKey', () => {
  it('ignores key order at every level', async () => {
    const { forecastCacheKey } = await freshCache();
    const reordered = {
      garch: { tol: 1e-6, max_iter: 100, refit: { every: 10, mode: 'expanding' }, min_history: 30 },
      sarimax: { ridge: 1e-8, exog: ['range'], seasonal_order: 1, seasonal_period: 5, ar_order: 2, refit: { every: 5, window: 40, mode: 'rolling' }, min_history: 30 },
    } as ForecastModelsConfig;
    expect(forecastCacheKey('data', reordered, 'v1')).toBe(forecastCacheKey('data', cfg, 'v1'));
    expect(forecastCacheKey('data', cfg, 'v1')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when any number, the data hash or the code version changes', async () => {
    const { forecastCacheKey } = await freshCache();
    const base = forecastCacheKey('data', cfg, 'v1');
    const keys = new Set([base, forecastCacheKey('data2', cfg, 'v1'), forecastCacheKey('data', cfg, 'v2')]);
    // Paths of every numeric leaf: sarimax has 7 (min_history, window, every, ar_order,
    // seasonal_period, seasonal_order, ridge), garch 4 (min_history, every, max_iter, tol).
    const paths: string[][] = [];
    const walk = (node: object, path: string[]) => {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === 'number') paths.push([...path, k]);
        else if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as object, [...path, k]);
      }
    };
    walk(cfg, []);
    expect(paths.length).toBe(11);
    for (const path of paths) {
      const changed = structuredClone(cfg) as unknown as Record<string, Record<string, number>>;
      const parent = path.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, changed);
      parent[path[path.length - 1]] = (parent[path[path.length - 1]] as number) * 1.5 + 1;
      keys.add(forecastCacheKey('data', changed as unknown as ForecastModelsConfig, 'v1'));
    }
    expect(keys.size).toBe(3 + paths.length);
    expect(forecastCacheKey('data', cfg, 'v1')).toBe(base);
  });
});

describe('loadOrComputeForecasts', () => {
  it('computes once, then serves memory and, in a new process, the file', async () => {
    const cache = await freshCache();
    const { calls, compute } = countingCompute();
    const first = await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' });
    const second = await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' });
    expect(calls.n).toBe(1);
    expect(second).toBe(first);
    expect(await readdir(dir)).toEqual([`${cache.forecastCacheKey('h', cfg, 'v1')}.f64`]);

    const later = await freshCache();
    const fromDisk = await later.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' });
    expect(calls.n).toBe(1);
    expect(fromDisk.models).toEqual(['sarimax', 'garch']);
    expect([fromDisk.K, fromDisk.T]).toEqual([2, T]);
    expect(fromDisk.mu.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(fromDisk.mu.buffer).equals(Buffer.from(first.mu.buffer))).toBe(true);
    expect(Buffer.from(fromDisk.sigma.buffer).equals(Buffer.from(first.sigma.buffer))).toBe(true);
  });

  it('shares one computation between concurrent calls and recomputes for another key', async () => {
    const cache = await freshCache();
    const { calls, compute } = countingCompute();
    const [a, b] = await Promise.all([
      cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' }),
      cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' }),
    ]);
    expect(a).toBe(b);
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v2' });
    expect(calls.n).toBe(2);
  });

  const damages: [string, (file: string) => Promise<void>][] = [
    ['truncated', (f) => truncate(f, 200)],
    [
      'with a flipped payload byte',
      async (f) => {
        const buf = await readFile(f);
        buf[buf.length - 5] ^= 0x10;
        await writeFile(f, buf);
      },
    ],
    ['with a broken header', async (f) => writeFile(f, (await readFile(f)).subarray(3))],
    ['with one byte appended', async (f) => writeFile(f, Buffer.concat([await readFile(f), Buffer.of(0)]))],
  ];

  it.each(damages)('recomputes and rewrites a file %s', async (_what, damage) => {
    const { calls, compute } = countingCompute();
    const original = await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' });
    const [file] = await readdir(dir);
    await damage(join(dir, file));
    const again = await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' });
    expect(calls.n).toBe(2);
    expect(Buffer.from(again.mu.buffer).equals(Buffer.from(original.mu.buffer))).toBe(true);
    // The rewritten file is trusted again, and no temp file is left behind.
    await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' });
    expect(calls.n).toBe(2);
    expect(await readdir(dir)).toEqual([file]);
  });

  it('does not trust a file made for another panel shape under the same key', async () => {
    const { calls, compute } = countingCompute();
    await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' });
    const shorter = { ...panel, T: T - 1 } as Panel;
    const cols = await (await freshCache()).loadOrComputeForecasts(shorter, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1' });
    expect(calls.n).toBe(2);
    expect(cols.T).toBe(T - 1);
  });
});

describe('loadOrComputeForecasts block by block', () => {
  // sarimax and garch on tickers A and B, all T = 12 bars: four blocks, in this order.
  const blockFiles = (key: string) => ['sarimax.0-1', 'sarimax.1-2', 'garch.0-1', 'garch.1-2'].map((b) => `${key}.${b}.0-12.f64`);

  /** The counting computation, stopped by an interrupt after its first `n` blocks. */
  function stoppedAfter(n: number, compute: ComputeForecastBlocks): ComputeForecastBlocks {
    return async (p, c, blocks, out, done) => {
      await compute(p, c, blocks.slice(0, n), out, done);
      throw new InterruptedError('interrupted while computing forecast columns');
    };
  }

  it('keeps the blocks finished before an interrupt, and the next process computes only the rest, equal to an uninterrupted run', async () => {
    const { calls, compute } = countingCompute();
    const cache = await freshCache();
    const key = cache.forecastCacheKey('h', cfg, 'v1');
    await expect(cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute: stoppedAfter(3, compute), codeVersion: 'v1' })).rejects.toThrow(InterruptedError);
    expect(calls.blocks).toBe(3);
    expect((await readdir(dir)).sort()).toEqual(blockFiles(key).slice(0, 3).sort());

    const progress: ForecastProgress[] = [];
    const cols = await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1', onProgress: (p) => progress.push(p) });
    expect(calls.blocks).toBe(4);
    expect(progress).toEqual([
      { blocks: 4, cached: 3, computed: 0 },
      { blocks: 4, cached: 3, computed: 1 },
    ]);
    // Whole now: the block files are gone.
    expect(await readdir(dir)).toEqual([`${key}.f64`]);

    const other = await mkdtemp(join(tmpdir(), 'pnlopt-forecast-cache-whole-'));
    try {
      const whole = await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: other, compute: countingCompute().compute, codeVersion: 'v1' });
      expect(Buffer.from(cols.mu.buffer).equals(Buffer.from(whole.mu.buffer))).toBe(true);
      expect(Buffer.from(cols.sigma.buffer).equals(Buffer.from(whole.sigma.buffer))).toBe(true);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('recomputes a damaged block file and trusts the others', async () => {
    const { calls, compute } = countingCompute();
    const key = (await freshCache()).forecastCacheKey('h', cfg, 'v1');
    await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute: stoppedAfter(3, compute), codeVersion: 'v1' }).catch(() => undefined);
    const damaged = join(dir, blockFiles(key)[1]);
    const buf = await readFile(damaged);
    buf[buf.length - 5] ^= 0x10;
    await writeFile(damaged, buf);
    const progress: ForecastProgress[] = [];
    await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1', onProgress: (p) => progress.push(p) });
    // Blocks 0 and 2 read back; 1 (damaged) and 3 (never computed) computed.
    expect(calls.blocks).toBe(5);
    expect(progress[0]).toEqual({ blocks: 4, cached: 2, computed: 0 });
  });

  it('does not take a block file for another panel under the same key', async () => {
    const { calls, compute } = countingCompute();
    await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute: stoppedAfter(3, compute), codeVersion: 'v1' }).catch(() => undefined);
    const renamed = { ...panel, tickers: ['A', 'C'] } as Panel;
    const progress: ForecastProgress[] = [];
    await (await freshCache()).loadOrComputeForecasts(renamed, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1', onProgress: (p) => progress.push(p) });
    // Ticker A's blocks still fit; B's sarimax block names another ticker than C.
    expect(progress[0]).toEqual({ blocks: 4, cached: 2, computed: 0 });
    expect(calls.blocks).toBe(5);
  });

  describe('split into runs of bars by the threads', () => {
    // T = 40, first forecast bar 29. sarimax refits at 29, 34, 39 on windows of 29, 34 and 39 returns
    // (cost 102); with 4 threads for 2 tickers each chain splits in two: the first run ends at the
    // first refit point whose predecessors cost >= 51, point 2 (29 + 34 = 63), i.e. bar 39. garch
    // refits at 29 and 39: one point per run. 2 models x 2 tickers x 2 runs = 8 blocks.
    const long = panelOf(40);
    const splitFiles = (key: string) =>
      ['sarimax.0-1', 'sarimax.1-2', 'garch.0-1', 'garch.1-2'].flatMap((b) => ['0-39', '39-40'].map((bars) => `${key}.${b}.${bars}.f64`));

    it('keeps the finished runs: the same threads compute only the rest, other threads recompute and delete the other split, all equal to one uninterrupted run', async () => {
      const { calls, compute } = countingCompute();
      const key = (await freshCache()).forecastCacheKey('h', cfg, 'v1');
      const opts = { cacheDir: dir, codeVersion: 'v1', threads: 4 };
      await expect((await freshCache()).loadOrComputeForecasts(long, 'h', cfg, { ...opts, compute: stoppedAfter(3, compute) })).rejects.toThrow(InterruptedError);
      expect((await readdir(dir)).sort()).toEqual(splitFiles(key).slice(0, 3).sort());

      const progress: ForecastProgress[] = [];
      const resumed = await (await freshCache()).loadOrComputeForecasts(long, 'h', cfg, { ...opts, compute, onProgress: (p) => progress.push(p) });
      expect(progress[0]).toEqual({ blocks: 8, cached: 3, computed: 0 });
      expect(calls.blocks).toBe(8);
      expect(await readdir(dir)).toEqual([`${key}.f64`]);

      // Interrupted with 4 threads, resumed with 1: one block per chain, none of them on disk.
      const other = await mkdtemp(join(tmpdir(), 'pnlopt-forecast-cache-split-'));
      try {
        await (await freshCache()).loadOrComputeForecasts(long, 'h', cfg, { ...opts, cacheDir: other, compute: stoppedAfter(3, compute) }).catch(() => undefined);
        const serialProgress: ForecastProgress[] = [];
        const serial = await (await freshCache()).loadOrComputeForecasts(long, 'h', cfg, { cacheDir: other, codeVersion: 'v1', compute, onProgress: (p) => serialProgress.push(p) });
        expect(serialProgress[0]).toEqual({ blocks: 4, cached: 0, computed: 0 });
        expect(await readdir(other)).toEqual([`${key}.f64`]);
        expect(Buffer.from(resumed.mu.buffer).equals(Buffer.from(serial.mu.buffer))).toBe(true);
        expect(Buffer.from(resumed.sigma.buffer).equals(Buffer.from(serial.sigma.buffer))).toBe(true);
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    });

    /** Rewrite the JSON header of `file` with `edit`, keeping its payload (and so its checksum). */
    async function editHeader(file: string, edit: (h: Record<string, unknown>) => void): Promise<void> {
      const buf = await readFile(file);
      const newline = buf.indexOf(0x0a);
      const h = JSON.parse(buf.subarray(0, newline).toString('utf8')) as Record<string, unknown>;
      edit(h);
      await writeFile(file, Buffer.concat([Buffer.from(JSON.stringify(h), 'utf8'), buf.subarray(newline)]));
    }

    const tampered: [string, (h: Record<string, unknown>) => void][] = [
      ['in format 1 (whole-ticker blocks, no bars)', (h) => {
        h.format = 'pnlopt-forecast-columns/1';
        delete h.bars;
      }],
      ['for other bars', (h) => (h.bars = [0, 38])],
    ];

    it.each(tampered)('does not read a block file %s under the block\'s name', async (_what, edit) => {
      const { calls, compute } = countingCompute();
      const key = (await freshCache()).forecastCacheKey('h', cfg, 'v1');
      const opts = { cacheDir: dir, codeVersion: 'v1', threads: 4 };
      await (await freshCache()).loadOrComputeForecasts(long, 'h', cfg, { ...opts, compute: stoppedAfter(2, compute) }).catch(() => undefined);
      await editHeader(join(dir, splitFiles(key)[0]), edit);
      const progress: ForecastProgress[] = [];
      await (await freshCache()).loadOrComputeForecasts(long, 'h', cfg, { ...opts, compute, onProgress: (p) => progress.push(p) });
      // The untouched second file is read; the edited one is computed again with the other six.
      expect(progress[0]).toEqual({ blocks: 8, cached: 1, computed: 0 });
      expect(calls.blocks).toBe(2 + 7);
    });
  });
});

describe('loadOrComputeForecasts size cap', () => {
  /** The cache file of code version `v`, as named on disk. */
  const fileOf = (cache: CacheModule, v: string) => `${cache.forecastCacheKey('h', cfg, v)}.f64`;
  /** Cache files in the folder, sorted (temp and foreign files included if any). */
  const listing = async () => (await readdir(dir)).sort();
  /**
   * Date a file's last use `secondsAgo` back. File system timestamps are coarse (writes a few ms
   * apart may share an mtime), so each test spaces its files' recency explicitly.
   */
  const age = async (name: string, secondsAgo: number) => {
    const t = new Date(Date.now() - secondsAgo * 1000);
    await utimes(join(dir, name), t, t);
  };
  /** Size of one cache file: every version's file has the same size (same shape, same-length key). */
  async function fileSize(): Promise<number> {
    const probe = await mkdtemp(join(tmpdir(), 'pnlopt-forecast-cache-size-'));
    try {
      const cache = await freshCache();
      await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: probe, compute: countingCompute().compute, codeVersion: 'probe' });
      return (await stat(join(probe, fileOf(cache, 'probe')))).size;
    } finally {
      await rm(probe, { recursive: true, force: true });
    }
  }

  it('keeps the two most recent files under a cap that fits two, and the evicted key recomputes', async () => {
    const size = await fileSize();
    const cap = 2 * size + Math.floor(size / 2);
    const { calls, compute } = countingCompute();
    const cache = await freshCache();
    // Not cache files: left alone and not counted.
    await writeFile(join(dir, 'notes.txt'), Buffer.alloc(3 * size));
    await writeFile(join(dir, `.${fileOf(cache, 'v9')}.123.abc.tmp`), Buffer.alloc(3 * size));
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1', maxBytes: cap });
    await age(fileOf(cache, 'v1'), 300);
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v2', maxBytes: cap });
    await age(fileOf(cache, 'v2'), 200);
    expect((await listing()).filter((n) => n.endsWith('.f64') && !n.startsWith('.'))).toEqual([fileOf(cache, 'v1'), fileOf(cache, 'v2')].sort());
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v3', maxBytes: cap });
    expect(calls.n).toBe(3);
    expect(await listing()).toEqual([`.${fileOf(cache, 'v9')}.123.abc.tmp`, fileOf(cache, 'v2'), fileOf(cache, 'v3'), 'notes.txt'].sort());

    // A new process: v2 and v3 come from disk, v1 is computed again (and then evicts v2, now the oldest).
    const later = await freshCache();
    await later.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v2', maxBytes: cap });
    await later.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v3', maxBytes: cap });
    expect(calls.n).toBe(3);
    await age(fileOf(later, 'v2'), 100);
    await later.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1', maxBytes: cap });
    expect(calls.n).toBe(4);
    expect((await listing()).filter((n) => n.endsWith('.f64') && !n.startsWith('.'))).toEqual([fileOf(later, 'v1'), fileOf(later, 'v3')].sort());
  });

  it('counts a read from disk as use: the file read again outlives an unread newer one', async () => {
    const size = await fileSize();
    const cap = 2 * size + Math.floor(size / 2);
    const { calls, compute } = countingCompute();
    const cache = await freshCache();
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'A', maxBytes: cap });
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'B', maxBytes: cap });
    // A written before B.
    await age(fileOf(cache, 'A'), 300);
    await age(fileOf(cache, 'B'), 200);
    const before = (await stat(join(dir, fileOf(cache, 'A')))).mtimeMs;

    const later = await freshCache();
    await later.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'A', maxBytes: cap });
    expect(calls.n).toBe(2);
    expect((await stat(join(dir, fileOf(later, 'A')))).mtimeMs).toBeGreaterThan(before + 250_000);
    await later.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'C', maxBytes: cap });
    expect(calls.n).toBe(3);
    expect(await listing()).toEqual([fileOf(later, 'A'), fileOf(later, 'C')].sort());
  });

  it('keeps a new file larger than the cap on its own and evicts everything else', async () => {
    const size = await fileSize();
    const { calls, compute } = countingCompute();
    const cache = await freshCache();
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v1', maxBytes: 3 * size });
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v2', maxBytes: 3 * size });
    expect((await listing()).length).toBe(2);
    await cache.loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v3', maxBytes: size - 1 });
    expect(await listing()).toEqual([fileOf(cache, 'v3')]);
    expect((await stat(join(dir, fileOf(cache, 'v3')))).size).toBe(size);

    // The kept file is whole and trusted by a new process.
    await (await freshCache()).loadOrComputeForecasts(panel, 'h', cfg, { cacheDir: dir, compute, codeVersion: 'v3', maxBytes: size - 1 });
    expect(calls.n).toBe(3);
  });
});
