import { describe, expect, it } from 'vitest';
import { createBudget } from '../../src/search/budget.js';

describe('createBudget', () => {
  it('counts candidates down to 0 and then reports the candidate limit', () => {
    const b = createBudget({ maxCandidates: 10, maxWallMs: Infinity }, () => 0);
    expect(b.remaining()).toBe(10);
    b.spend(7);
    expect(b.remaining()).toBe(3);
    expect(b.stopReason()).toBeNull();
    b.spend(3);
    expect(b.remaining()).toBe(0);
    expect(b.spent).toBe(10);
    expect(b.stopReason()).toBe('candidates');
  });

  it('stops on wall time measured from its creation', () => {
    let now = 1000;
    const b = createBudget({ maxCandidates: Infinity, maxWallMs: 50 }, () => now);
    now = 1049;
    expect(b.remaining()).toBe(Infinity);
    now = 1050;
    expect(b.remaining()).toBe(0);
    expect(b.stopReason()).toBe('wall_time');
  });

  it('stops when its signal aborts, before any other limit', () => {
    const ac = new AbortController();
    const b = createBudget({ maxCandidates: 5, maxWallMs: Infinity, signal: ac.signal }, () => 0);
    expect(b.remaining()).toBe(5);
    ac.abort();
    b.spend(5);
    expect(b.remaining()).toBe(0);
    expect(b.stopReason()).toBe('aborted');
  });

  it('refuses a budget that never ends or a fractional candidate limit', () => {
    expect(() => createBudget({ maxCandidates: Infinity, maxWallMs: Infinity }, () => 0)).toThrow(/never ends/);
    expect(() => createBudget({ maxCandidates: 2.5, maxWallMs: Infinity }, () => 0)).toThrow(/maxCandidates/);
  });
});
