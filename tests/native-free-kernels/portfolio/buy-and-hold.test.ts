/** Buy and hold and drawdown paths, checked by hand. */
import { describe, expect, it } from 'vitest';
import { buyAndHoldPath, drawdownPath } from '../../../native-free-kernels/portfolio/buy-and-hold.js';

describe('buy and hold', () => {
  it('puts equal capital in each ticker at the first close of the window', () => {
    // Two tickers, bars 1..2: A 10 -> 20 (x2), B 4 -> 2 (x0.5): 1000 x (2 + 0.5) / 2 = 1250 at bar 2.
    const close = Float64Array.from([9, 10, 20, 3, 4, 2]);
    const out = new Float64Array(2);
    buyAndHoldPath(close, 2, 3, 1, 3, 1000, out);
    expect(Array.from(out)).toEqual([1000, 1250]);
  });

  it('drawdown: below the running peak, the initial capital an earlier peak', () => {
    // Peaks 105, 110, 110: 1 - 100/105, 0, 1 - 99/110 = 0.1.
    const d = new Float64Array(3);
    drawdownPath(Float64Array.from([100, 110, 99]), 105, 3, d);
    expect(d[0]).toBeCloseTo(1 - 100 / 105, 15);
    expect(d[1]).toBe(0);
    expect(d[2]).toBeCloseTo(0.1, 15);
  });
});
