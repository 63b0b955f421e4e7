/**
 * The evaluation memo against a plain reference (a Map keyed by the row's text, the memo's former
 * implementation): the same hits and values for any sequence of rows, NaN (inactive) equal to NaN
 * and -0 to 0; rows kept through growth; a full table starting again empty; no string per entry.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvaluationMemo } from '../../src/cache/evaluation-memo.js';

const D = 3;
const W = 2;
/** Few distinct values, so that rows repeat; NaN and both zeros included. */
const value = fc.constantFrom(0, -0, 1, 2.5, -7, NaN, 1e300);
const row = fc.array(value, { minLength: D, maxLength: D });

/** The reference key: the row's numbers as text (`${-0}` is "0", NaN prints as NaN). */
const textKey = (r: readonly number[]) => r.map((x) => `${x}`).join(',');

describe('EvaluationMemo', () => {
  it('finds exactly what a Map keyed by the row text finds, with the first value inserted', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(row, fc.double({ noNaN: true })), { maxLength: 300 }), (ops) => {
        const memo = new EvaluationMemo(D, W, 10_000);
        const ref = new Map<string, number>();
        for (const [r, v] of ops) {
          const X = Float64Array.from(r);
          const e = memo.find(X, 0);
          const want = ref.get(textKey(r));
          expect(e >= 0).toBe(want !== undefined);
          if (want !== undefined) {
            const out = new Float64Array(W);
            memo.copyValue(e, out, 0);
            expect([...out]).toEqual([want, -want]);
            expect(memo.valueAt(e, 1)).toBe(-want);
          }
          memo.insert(X, 0, Float64Array.of(v, -v), 0);
          if (want === undefined) ref.set(textKey(r), v);
        }
        expect(memo.size).toBe(ref.size);
      }),
    );
  });

  it('reads keys and values at an offset, and keeps every row through its growth past the initial 1024', () => {
    const memo = new EvaluationMemo(2, 1, 5000);
    const X = new Float64Array(2 * 3000);
    for (let i = 0; i < 3000; i++) X.set([i, i % 7], 2 * i);
    for (let i = 0; i < 3000; i++) memo.insert(X, 2 * i, Float64Array.of(0, i), 1);
    expect(memo.size).toBe(3000);
    const found = Array.from({ length: 3000 }, (_, i) => memo.valueAt(memo.find(X, 2 * i), 0));
    expect(found).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(memo.find(Float64Array.of(3000, 0), 0)).toBe(-1);
  });

  it('holds at most maxEntries rows: a new row that finds it full starts it again empty', () => {
    const memo = new EvaluationMemo(1, 1, 4);
    for (let i = 0; i < 4; i++) memo.insert(Float64Array.of(i), 0, Float64Array.of(i), 0);
    expect(memo.size).toBe(4);
    memo.insert(Float64Array.of(2), 0, Float64Array.of(99), 0); // held already: nothing changes
    expect(memo.valueAt(memo.find(Float64Array.of(2), 0), 0)).toBe(2);
    memo.insert(Float64Array.of(4), 0, Float64Array.of(4), 0);
    expect(memo.size).toBe(1);
    expect(memo.find(Float64Array.of(0), 0)).toBe(-1);
    expect(memo.valueAt(memo.find(Float64Array.of(4), 0), 0)).toBe(4);
  });

  it('takes memory in typed arrays only: 100,000 distinct rows grow the JS heap by under 1 MiB', () => {
    const n = 100_000;
    const memo = new EvaluationMemo(4, 14, n);
    const X = new Float64Array(4 * n).map((_, i) => i * 0.37);
    const V = new Float64Array(14);
    // A full collection before each reading: without one, garbage of other code (vitest's, earlier
    // tests') collected or not in between decides the difference. vitest runs without --expose-gc.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) memo.insert(X, 4 * i, V, 0);
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2 ** 20);
    expect(memo.size).toBe(n);
  });

  it('sizes an entry at its key and value doubles, its hash and two slots', () => {
    // 8 * (4 + 14) + 4 + 2 * 4 = 156
    expect(EvaluationMemo.bytesPerEntry(4, 14)).toBe(156);
  });

  it('refuses a capacity below one row', () => {
    expect(() => new EvaluationMemo(2, 1, 0)).toThrow(/maxEntries must be an integer >= 1, got 0/);
  });
});
