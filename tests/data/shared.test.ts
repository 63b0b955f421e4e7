import { describe, expect, it } from 'vitest';
import { sharedFloat64, toShared } from '../../src/data/shared.js';

describe('shared columns', () => {
  it('sharedFloat64 gives zeros over a SharedArrayBuffer', () => {
    const a = sharedFloat64(3);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(a)).toEqual([0, 0, 0]);
  });

  it('toShared copies without aliasing its input', () => {
    const src = new Float64Array([1.5, -2, NaN]);
    const out = toShared(src);
    expect(out.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(out)).toEqual([1.5, -2, NaN]);
    src[0] = 9;
    expect(out[0]).toBe(1.5);
    expect(Array.from(toShared([4, 5]))).toEqual([4, 5]);
  });
});
