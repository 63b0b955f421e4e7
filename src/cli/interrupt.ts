/** Ctrl-C (SIGINT) and SIGTERM during long work: stop scheduling, keep what is done, exit 130. */
import { EXIT_FAILURE, EXIT_INTERRUPTED } from '../errors.js';

/** Run `work` with an AbortSignal that SIGINT / SIGTERM fire instead of killing the process. */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(interrupt.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** How a stored run ended, for every command that runs one: the hint on stderr and the exit code. */
export function reportRunEnd(runId: string, status: 'completed' | 'interrupted' | 'failed'): void {
  if (status === 'interrupted') {
    process.stderr.write(`pnlopt: interrupted; continue with --resume ${runId}\n`);
    process.exitCode = EXIT_INTERRUPTED;
  } else if (status === 'failed') {
    process.stderr.write(`pnlopt: stopped after a batch failed on every attempt; see the failed rows of run ${runId} in the store\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
