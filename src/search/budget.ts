/**
 * When a search stops: after a number of evaluated candidates, after a wall time, or when its
 * AbortSignal fires, whichever comes first. The search asks `remaining()` before each batch, so a
 * batch never overshoots the candidate limit; wall time and the signal are checked between
 * batches (the evaluator may also watch the signal to cut a batch short).
 */

export interface BudgetLimits {
  /** Largest number of candidates to evaluate (Infinity: no limit). */
  readonly maxCandidates: number;
  /** Largest wall time in milliseconds (Infinity: no limit). */
  readonly maxWallMs: number;
  /** Aborting it stops the search. */
  readonly signal?: AbortSignal;
}

export type StopReason = 'candidates' | 'wall_time' | 'aborted' | 'finished';

export interface Budget {
  /** Candidates that may still be evaluated now: 0 once any limit is reached. */
  remaining(): number;
  /** Record n evaluated candidates. */
  spend(n: number): void;
  readonly spent: number;
  /** Which limit stopped the search, or null while none has. */
  stopReason(): StopReason | null;
}

/**
 * Start a budget now.
 * @param limits candidate and wall-time limits (at least one finite) and the abort signal
 * @param clock milliseconds since some fixed origin (performance.now in production)
 * @returns the running budget
 */
export function createBudget(limits: BudgetLimits, clock: () => number): Budget {
  const { maxCandidates, maxWallMs, signal } = limits;
  if (!(maxCandidates >= 0) || (Number.isFinite(maxCandidates) && !Number.isInteger(maxCandidates))) {
    throw new RangeError(`budget: maxCandidates must be an integer >= 0 or Infinity, got ${maxCandidates}`);
  }
  if (!(maxWallMs >= 0)) throw new RangeError(`budget: maxWallMs must be >= 0 or Infinity, got ${maxWallMs}`);
  if (maxCandidates === Infinity && maxWallMs === Infinity) {
    throw new RangeError('budget: give a candidate limit or a wall-time limit, or the search never ends');
  }
  const start = clock();
  let spent = 0;
  const stopReason = (): StopReason | null => {
    if (signal?.aborted) return 'aborted';
    if (spent >= maxCandidates) return 'candidates';
    if (clock() - start >= maxWallMs) return 'wall_time';
    return null;
  };
  return {
    remaining: () => (stopReason() === null ? maxCandidates - spent : 0),
    spend(n) {
      spent += n;
    },
    get spent() {
      return spent;
    },
    stopReason,
  };
}
