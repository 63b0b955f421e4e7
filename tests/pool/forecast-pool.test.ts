/**
 * Forecast blocks on worker threads against the in-thread computation (the reference): the same
 * bits with 1, 2 or 3 threads, whatever the split into runs of refit points and the order of the
 * blocks; an abort terminates the threads and rejects with an InterruptedError, having reported
 * only finished blocks, whose values are final. Threads run the compiled dist/ (npm test builds first).
 */
import { describe, expect, it } from 'vitest';
import { ForecastModelsConfig } from '../../src/config/forecast-models.js';
import { alignPanel } from '../../src/data/panel.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { InterruptedError } from '../../src/errors.js';
import { computeForecastBlocksInPool, forecastWorkerFile } from '../../src/pool/forecast-pool.js';
import {
  blockSegments,
  computeForecastBlock,
  computeForecastColumns,
  emptyForecastColumns,
  forecastBlocks,
  type ForecastBlock,
} from '../../src/simulation/forecast-columns.js';
import { sameBits } from '../fixtures/pool/setup.js';
import { testConfig } from '../helpers/config.js';

const panelOf = (tickers: number, bars: number) => alignPanel(generateSynthetic({ tickers, bars, seed: 4, config: testConfig().synthetic }));

describe('computeForecastBlocksInPool', () => {
  const mixedPanel = panelOf(3, 250);
  const allModels = ForecastModelsConfig.parse({
    sarimax: { min_history: 70, refit: { mode: 'rolling', window: 60, every: 10 }, ar_order: 2, seasonal_period: 5, seasonal_order: 1, exog: ['log_volume_change', 'range'], ridge: 1e-10 },
    samossa: { min_history: 60, refit: { mode: 'expanding', every: 7 }, series: 'log_close', window_length: 10, components: 3 },
    mssa_rl: { min_history: 80, refit: { mode: 'rolling', window: 70, every: 9 }, series: 'log_return', window_length: 12, components: 4 },
    garch: { min_history: 90, refit: { mode: 'rolling', window: 80, every: 15 }, max_iter: 200, tol: 1e-7 },
  });
  const reference = computeForecastColumns(mixedPanel, allModels);

  // parts 1: one block per chain; 3 (as many as tickers): only mssa_rl split; 7: 3 runs per ticker
  // and 7 for mssa_rl; 60: one refit point per block.
  const cases = [1, 2, 3].flatMap((threads) => [1, 3, 7, 60].map((parts) => ({ threads, parts })));
  it.each(cases)('$threads thread(s), blocks split for $parts parts and given in reverse: the in-thread columns bit for bit, each block reported once', async ({ threads, parts }) => {
    const blocks = forecastBlocks(allModels, 3, mixedPanel.T, parts);
    const out = emptyForecastColumns(allModels, 3, mixedPanel.T);
    const reported: ForecastBlock[] = [];
    await computeForecastBlocksInPool(mixedPanel, allModels, [...blocks].reverse(), out, (b) => reported.push(b), { threads });
    expect(new Set(reported)).toEqual(new Set(blocks));
    expect(reported).toHaveLength(blocks.length);
    expect(sameBits(out.mu, reference.mu)).toBe(true);
    expect(sameBits(out.sigma, reference.sigma)).toBe(true);
  });

  it('splits as asked: one block per chain for 1 part, mssa_rl alone for 3 tickers and 3 parts', () => {
    expect(forecastBlocks(allModels, 3, mixedPanel.T, 1)).toHaveLength(3 * 3 + 1);
    expect(forecastBlocks(allModels, 3, mixedPanel.T, 3).filter((b) => b.model === 'mssa_rl')).toHaveLength(3);
    expect(forecastBlocks(allModels, 3, mixedPanel.T, 3)).toHaveLength(3 * 3 + 3);
    expect(forecastBlocks(allModels, 3, mixedPanel.T, 7)).toHaveLength(3 * 3 * 3 + 7);
  });

  it('on abort terminates the threads and rejects with an InterruptedError; the blocks it reported are final', async () => {
    // GARCH blocks of 1,000 bars: a few hundred ms each, so the abort lands while threads compute.
    const panel = panelOf(4, 1000);
    const cfg = ForecastModelsConfig.parse({ garch: { min_history: 252, refit: { mode: 'rolling', window: 504, every: 21 }, max_iter: 500, tol: 1e-7 } });
    const blocks = forecastBlocks(cfg, 4, panel.T);
    const out = emptyForecastColumns(cfg, 4, panel.T);
    const stop = new AbortController();
    const reported: ForecastBlock[] = [];
    const run = computeForecastBlocksInPool(panel, cfg, blocks, out, (b) => {
      reported.push(b);
      stop.abort();
    }, { threads: 2, signal: stop.signal });
    await expect(run).rejects.toThrow(InterruptedError);
    expect(reported.length).toBeGreaterThanOrEqual(1);
    expect(reported.length).toBeLessThan(blocks.length);
    const one = emptyForecastColumns(cfg, 4, panel.T);
    for (const block of reported) {
      computeForecastBlock(panel, cfg, block, one);
      for (const { start, end } of blockSegments(out, block)) {
        expect(sameBits(out.mu.subarray(start, end), one.mu.subarray(start, end))).toBe(true);
        expect(sameBits(out.sigma.subarray(start, end), one.sigma.subarray(start, end))).toBe(true);
      }
    }
  });

  it('starts no thread for no blocks, and rejects at once when already aborted', async () => {
    const panel = panelOf(1, 50);
    const cfg = ForecastModelsConfig.parse({ garch: { min_history: 20, refit: { mode: 'expanding', every: 5 }, max_iter: 50, tol: 1e-6 } });
    const out = emptyForecastColumns(cfg, 1, panel.T);
    await computeForecastBlocksInPool(panel, cfg, [], out, () => expect.unreachable(), { threads: 2 });
    await expect(computeForecastBlocksInPool(panel, cfg, forecastBlocks(cfg, 1, panel.T), out, () => expect.unreachable(), { threads: 2, signal: AbortSignal.abort() })).rejects.toThrow(
      InterruptedError,
    );
  });

  it('names the fix when the compiled worker is missing', () => {
    expect(() => forecastWorkerFile('/nonexistent-pnlopt-root')).toThrow(/\/nonexistent-pnlopt-root\/dist\/src\/pool\/forecast-worker\.js is missing: run npm run build/);
  });
});
