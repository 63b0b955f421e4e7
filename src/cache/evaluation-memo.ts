/**
 * Which candidate of this run first evaluated each configuration, keyed by its exact parameter
 * values. A backtest is deterministic, so a configuration that a search proposes again (NSGA-II
 * offspring often repeat a parent in a discrete space) takes that candidate's metric row instead
 * of a new simulation. Keys are the row's numbers in full precision; NaN (inactive) prints as NaN.
 * The rows themselves stay in the job's metric log: the memo holds one id per configuration.
 */
export class EvaluationMemo {
  private readonly ids = new Map<string, number>();

  /** The key of parameter row `X[offset .. offset + d)`. */
  key(X: Float64Array, offset: number, d: number): string {
    let k = '';
    for (let j = 0; j < d; j++) k += `${X[offset + j]},`;
    return k;
  }

  /** The candidate that first evaluated this configuration, if any. */
  get(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** Remember the first candidate to evaluate a configuration. */
  set(key: string, candidateId: number): void {
    if (!this.ids.has(key)) this.ids.set(key, candidateId);
  }
}
