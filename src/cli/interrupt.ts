/**
 * Ctrl-C (SIGINT) and SIGTERM during long work: stop scheduling, keep what is done, exit 130 / 143;
 * and how a stored run ended: the hint on stderr and the exit code, failed candidates included.
 */
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_TERMINATED, InterruptedError } from '../errors.js';
import type { BatchFailurePolicy } from '../pool/coordinator.js';

/**
 * Run `work` with an AbortSignal that SIGINT / SIGTERM fire instead of killing the process; the
 * signal's `reason` is the name of the signal that fired it.
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const onInt = () => interrupt.abort('SIGINT');
  const onTerm = () => interrupt.abort('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await work(interrupt.signal);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/**
 * For `withInterrupt(...).catch(...)`: work that the signal stopped before it recorded a run (the
 * forecast columns are computed before) has no summary; say what stopped and set the exit code
 * (130 after SIGINT, 143 after SIGTERM). Any other error is rethrown.
 * @returns undefined: there is no run to report
 */
export function interruptedBeforeRun(err: unknown, signal: AbortSignal | undefined): undefined {
  if (!(err instanceof InterruptedError) || signal?.aborted !== true) throw err;
  process.stderr.write(`pnlopt: ${err.message}; no run was recorded\n`);
  process.exitCode = signal.reason === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
  return undefined;
}

/** What a run's summary says about its failed candidates (`summary.json`). */
export interface FailureCount {
  /** Candidates stored as failed: their batch failed on every attempt. */
  readonly failed: number;
  /** The error of the first of them, null when none failed. */
  readonly first_error: string | null;
  readonly on_batch_failure: BatchFailurePolicy;
}

/**
 * How a stored run ended, for every command that runs one: the hint on stderr and the exit code
 * (130 after SIGINT, 143 after SIGTERM, 1 when a failed batch stopped the run). With `failures`,
 * failed candidates of a finished run are reported with their count and first error, and exit 1
 * unless `pool.on_batch_failure` is `continue`.
 */
export function reportRunEnd(runId: string, status: 'completed' | 'interrupted' | 'failed', signal?: AbortSignal, failures?: FailureCount): void {
  const what = failures !== undefined && failures.failed > 0 ? `${failures.failed} candidate(s) failed on every attempt (first error: ${failures.first_error})` : '';
  if (status === 'interrupted') {
    process.stderr.write(`pnlopt: interrupted; continue with --resume ${runId}\n`);
    process.exitCode = signal?.reason === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
  } else if (status === 'failed') {
    process.stderr.write(`pnlopt: stopped after a batch failed on every attempt (pool.on_batch_failure: stop)${what !== '' ? `: ${what}` : ''}; see the failed rows of run ${runId} in the store, or retry them with --resume ${runId}\n`);
    process.exitCode = EXIT_FAILURE;
  } else if (what !== '' && failures!.on_batch_failure === 'continue') {
    process.stderr.write(`pnlopt: warning: ${what}; they are stored as failed, without metrics; exit 0 because pool.on_batch_failure is continue\n`);
  } else if (what !== '') {
    process.stderr.write(`pnlopt: ${what}; they are stored as failed, without metrics; exit 1 (pool.on_batch_failure: ${failures!.on_batch_failure}; set it to continue to exit 0)\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
