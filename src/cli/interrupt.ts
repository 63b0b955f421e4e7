/** Ctrl-C (SIGINT) and SIGTERM during long work: stop scheduling, keep what is done, exit 130 / 143. */
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_TERMINATED } from '../errors.js';

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
 * How a stored run ended, for every command that runs one: the hint on stderr and the exit code
 * (130 after SIGINT, 143 after SIGTERM, 1 when a failed batch stopped the run).
 */
export function reportRunEnd(runId: string, status: 'completed' | 'interrupted' | 'failed', signal?: AbortSignal): void {
  if (status === 'interrupted') {
    process.stderr.write(`pnlopt: interrupted; continue with --resume ${runId}\n`);
    process.exitCode = signal?.reason === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
  } else if (status === 'failed') {
    process.stderr.write(`pnlopt: stopped after a batch failed on every attempt; see the failed rows of run ${runId} in the store\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
