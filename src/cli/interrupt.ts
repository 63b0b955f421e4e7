/** Ctrl-C (SIGINT) and SIGTERM during long work: stop scheduling, keep what is done, exit 130. */

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
