import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { objectiveColumns, objectiveMatrix } from '../../src/search/objectives.js';

describe('objectives', () => {
  it('picks, orders and signs the metric columns; NaN becomes +Infinity in either direction', () => {
    const names = ['ret', 'dd', 'pf'];
    const cols = objectiveColumns(
      [
        { metric: 'pf', direction: 'maximize' },
        { metric: 'dd', direction: 'minimize' },
      ],
      names,
    );
    expect(Array.from(cols.columns)).toEqual([2, 1]);
    expect(Array.from(cols.signs)).toEqual([-1, 1]);
    // Row 0: pf 1.5 → -1.5, dd 0.2. Row 1: pf NaN → +Infinity (worst), dd NaN → +Infinity.
    // Row 2: pf +Infinity (no losing trade, the best) → -Infinity.
    const M = new Float64Array([0.1, 0.2, 1.5, 0.3, NaN, NaN, 0.2, 0.1, Infinity]);
    const F = new Float64Array(6);
    objectiveMatrix(M, 3, 3, cols, F);
    expect(Array.from(F)).toEqual([-1.5, 0.2, Infinity, Infinity, -Infinity, 0.1]);
    expect(Array.from(M)).toEqual([0.1, 0.2, 1.5, 0.3, NaN, NaN, 0.2, 0.1, Infinity]);
  });

  it('names an unknown metric', () => {
    expect(() => objectiveColumns([{ metric: 'sharp', direction: 'maximize' }], ['sharpe'])).toThrow(UsageError);
    expect(() => objectiveColumns([{ metric: 'sharp', direction: 'maximize' }], ['sharpe'])).toThrow(/"sharp".*known: sharpe/);
  });
});
