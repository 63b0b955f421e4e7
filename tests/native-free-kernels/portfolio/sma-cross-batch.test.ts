/**
 * `smaCrossBatch`: candidates advanced together block by block must give each the row it gets
 * alone (`smaCross`), bit for bit, and the independent reference's (tests/reference/sma-cross.ts)
 * to 1e-9, across prefix blocks (2,048 bars), windows beyond a block's reach (513 bars), traded
 * sub-windows, price spikes and levels; fills and long stretches at block boundaries; the close
 * groups that stand in for bars in the drawdown; candidates scanned in groups (block-local and
 * series-wide windows in separate groups, lanes that wait for their windows, empty lanes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_COUNT, METRIC_NAMES, Metric } from '../../../native-free-kernels/portfolio/metrics.js';
import {
  closeGroupCount,
  closeGroupExtremes,
  createSmaWorkspace,
  SMA_PARAM_COUNT,
  SmaParam,
  smaCross,
  smaCrossBatch,
  type SmaData,
  type SmaSettings,
} from '../../../native-free-kernels/portfolio/sma-cross.js';
import { LOCAL_BLOCK, localPrefixLength, localPrefixSums, localReturnPrefixes, prefixSums } from '../../../native-free-kernels/stats/prefix-sum.js';
import { createRng } from '../../../src/rng.js';
import { randomWalk } from '../../helpers/panel.js';
import { referenceSmaCross, type ReferenceBars } from '../../reference/sma-cross.js';

const INITIAL = 1000;
const PERIODS = 252;

/** The kernel's inputs for one series, from the prefix-sum kernels. */
function smaData(open: readonly number[], close: readonly number[]): SmaData {
  const T = close.length;
  const c = Float64Array.from(close);
  const prefixClose = new Float64Array(T + 1);
  prefixSums(c, prefixClose);
  const L = localPrefixLength(T);
  const localPrefixClose = new Float64Array(L);
  const localPrefixCloseLo = new Float64Array(L);
  localPrefixSums(c, localPrefixClose, T, localPrefixCloseLo);
  const ret = new Float64Array(L);
  const ret2 = new Float64Array(L);
  const down2 = new Float64Array(L);
  localReturnPrefixes(c, ret, ret2, down2, new Float64Array(T));
  const closeGroupMax = new Float64Array(closeGroupCount(T));
  const closeGroupMin = new Float64Array(closeGroupCount(T));
  closeGroupExtremes(c, closeGroupMax, closeGroupMin);
  return { open: Float64Array.from(open), close: c, prefixClose, localPrefixClose, localPrefixCloseLo, ret, ret2, down2, closeGroupMax, closeGroupMin };
}

function paramRows(pairs: readonly (readonly [number, number])[]): Float64Array {
  const P = new Float64Array(pairs.length * SMA_PARAM_COUNT);
  pairs.forEach(([f, s], r) => {
    P[r * SMA_PARAM_COUNT + SmaParam.fast] = f;
    P[r * SMA_PARAM_COUNT + SmaParam.slow] = s;
  });
  return P;
}

function expectNear(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected)) return expect(actual, what).toBeNaN();
  if (!Number.isFinite(expected)) return expect(actual, what).toBe(expected);
  const scale = Math.max(Math.abs(expected), 1e-12);
  expect(Math.abs(actual - expected) / scale, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
}

/**
 * Run `pairs` as one batch; check each row against the candidate run alone (identical) and against
 * the reference (1e-9), and the lone run's equity curve against the reference's.
 */
function checkBatch(bars: ReferenceBars, pairs: readonly (readonly [number, number])[], feeBps: number, start: number, end: number): Float64Array {
  const d = smaData(bars.open, bars.close);
  const s: SmaSettings = { start, end, fee: feeBps / 1e4, initial: INITIAL, periodsPerYear: PERIODS };
  const P = paramRows(pairs);
  const F = new Float64Array(pairs.length * METRIC_COUNT);
  smaCrossBatch(d, s, P, createSmaWorkspace(pairs.length), F, pairs.length);
  const lone = createSmaWorkspace(1);
  const row = new Float64Array(METRIC_COUNT);
  pairs.forEach(([fast, slow], c) => {
    const tag = `fast=${fast} slow=${slow} fee=${feeBps} window=[${start}, ${end}) T=${bars.close.length}`;
    lone.equityOut = new Float64Array(bars.close.length).fill(NaN);
    smaCross(d, s, P.subarray(c * SMA_PARAM_COUNT, (c + 1) * SMA_PARAM_COUNT), lone, row, 0);
    expect(F.subarray(c * METRIC_COUNT, (c + 1) * METRIC_COUNT), `${tag}: batch row vs alone`).toEqual(row);
    const ref = referenceSmaCross(bars, { fast, slow, feeBps, initialCapital: INITIAL, periodsPerYear: PERIODS, start, end });
    expect(row[Metric.total_trades], `${tag} total_trades`).toBe(ref.metrics.total_trades);
    for (const name of METRIC_NAMES) expectNear(row[Metric[name]], ref.metrics[name], `${tag} ${name}`);
    ref.equity.forEach((e, i) => expectNear(lone.equityOut![start + i], e, `${tag} equity[${start + i}]`));
  });
  return F;
}

describe('smaCrossBatch', () => {
  it('gives every candidate of a batch its lone row and the reference metrics, over several blocks, with spikes (property)', () => {
    const pair = fc.tuple(fc.integer({ min: 1, max: 60 }), fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 450, max: 700 })));
    let multiBlock = 0;
    let beyondReach = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 100, max: 4500 }),
        fc.array(pair, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: -4, max: 2 }),
        fc.array(fc.record({ at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), exp: fc.double({ min: 8, max: 16, noNaN: true }) }), { maxLength: 3 }),
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (seed, T, gaps, level, spikes, fee, startShare, endCut) => {
          const walk = randomWalk(T, createRng(seed, 'batch-walk'));
          const bars = { open: walk.open.map((v) => v * 10 ** level), close: walk.close.map((v) => v * 10 ** level) };
          for (const sp of spikes) bars.close[Math.floor(sp.at * T)] = 10 ** sp.exp;
          const pairs = gaps.map(([fast, gap]) => [fast, fast + gap] as const);
          const start = Math.floor(startShare * T);
          const end = Math.max(start, T - Math.floor(endCut * T));
          checkBatch(bars, pairs, fee, start, end);
          if (end - start > LOCAL_BLOCK) multiBlock++;
          if (pairs.some(([, slow]) => slow > 513)) beyondReach++;
        },
      ),
      { numRuns: 40, seed: 424242 },
    );
    // Not vacuous: batches ran over more than one block, and with windows read from the series-wide prefix.
    expect(multiBlock).toBeGreaterThan(5);
    expect(beyondReach).toBeGreaterThan(5);
  });

  it('fills at the first bar of a block and holds a position across a whole block', () => {
    // Closes fall 0.1% a bar, so SMA_2 < SMA_3 (flat), until bar 2047 jumps 10%: SMA_2 = 1.05 C_2046
    // against SMA_3 = (1.001 + 1 + 1.1) / 3 C_2046 = 1.0337 C_2046, long; they then rise 0.05% a bar
    // (long) until bar 4095 drops 20%: SMA_2 = 0.9 C_4094 < SMA_3 = (1 / 1.0005 + 1 + 0.8) / 3 C_4094
    // = 0.933 C_4094, flat. The entry fills at the open of 2048 and the exit at 4096, the first bars
    // of the second and third blocks.
    const T = 5000;
    const close: number[] = [1000];
    for (let t = 1; t < T; t++) close.push(close[t - 1] * (t === 2047 ? 1.1 : t === 4095 ? 0.8 : t < 2047 || t > 4095 ? 0.999 : 1.0005));
    const bars = { open: close.map((c, t) => (t > 0 ? close[t - 1] : c)), close };
    const ref = referenceSmaCross(bars, { fast: 2, slow: 3, feeBps: 5, initialCapital: INITIAL, periodsPerYear: PERIODS });
    expect(ref.trades.map((tr) => [tr.entryBar, tr.exitBar])).toEqual([[LOCAL_BLOCK, 2 * LOCAL_BLOCK]]);
    checkBatch(bars, [[2, 3], [1, 2], [2, 3], [5, 600]], 5, 0, T);
    checkBatch(bars, [[2, 3]], 5, 2047, 4097);
  });

  it('gives each candidate of a larger batch its lone row: groups of candidates, windows within and beyond a block interleaved', () => {
    // Six windows read the block-local prefix and four the series-wide one (slow > 513),
    // interleaved: they must scan in separate groups (a group that took its prefix from a first,
    // block-local candidate would read the others' windows out of reach), the last one with empty
    // lanes; the slow windows make lanes wait for their first signal at different bars, one into
    // the second block.
    const walk = randomWalk(5000, createRng(11, 'batch-lanes'));
    const bars = { open: walk.open, close: walk.close.map((v, t) => (t === 3100 ? v * 1e9 : v)) };
    const pairs = [[2, 5], [3, 600], [40, 41], [90, 300], [1, 520], [7, 513], [12, 514], [60, 200], [5, 9], [33, 2100]] as const;
    checkBatch(bars, pairs, 5, 0, 5000);
    checkBatch(bars, pairs, 0, 2050, 4700);
  });

  it('refuses more candidates than the workspace holds, and an equity curve for more than one', () => {
    const d = smaData([1, 2, 3, 4], [1, 2, 3, 4]);
    const s: SmaSettings = { start: 0, end: 4, fee: 0, initial: 1, periodsPerYear: PERIODS };
    const P = paramRows([[1, 2], [1, 3]]);
    const F = new Float64Array(2 * METRIC_COUNT);
    expect(() => smaCrossBatch(d, s, P, createSmaWorkspace(1), F, 2)).toThrow(/2 candidates, workspace for 1/);
    const ws = createSmaWorkspace(2);
    ws.equityOut = new Float64Array(4);
    expect(() => smaCrossBatch(d, s, P, ws, F, 2)).toThrow(/one candidate only/);
  });
});

describe('closeGroupExtremes', () => {
  it('writes the highest and lowest close of each group of 8 bars, the last group short', () => {
    // Groups: [3, 1, 4, 1, 5, 9, 2, 6] -> max 9, min 1; [5, 3] -> max 5, min 3.
    const close = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
    expect(closeGroupCount(close.length)).toBe(2);
    const hi = new Float64Array(2);
    const lo = new Float64Array(2);
    closeGroupExtremes(close, hi, lo);
    expect([...hi]).toEqual([9, 5]);
    expect([...lo]).toEqual([1, 3]);
  });
});
