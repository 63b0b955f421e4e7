/**
 * The memory a job may plan to use (`runtime.memory_fraction` of the machine's), and the check that
 * refuses a size whose estimate is above it, before any work starts: a run that cannot fit is a
 * usage error (exit 2), not a kernel OOM kill hours later.
 */
import { totalmem } from 'node:os';
import { UsageError } from './errors.js';

/** `fraction` of this machine's memory (os.totalmem()), in bytes. */
export function memoryLimit(fraction: number): number {
  return Math.floor(fraction * totalmem());
}

/**
 * Refuse `what` (the flags and values asked for) when `bytes`, its estimated memory, is above the limit.
 * @param how how the estimate is made, for the message (e.g. "360 bytes per candidate")
 */
export function checkMemoryEstimate(what: string, bytes: number, how: string, fraction: number): void {
  const limit = memoryLimit(fraction);
  if (bytes > limit) {
    throw new UsageError(
      `${what}: needs about ${formatBytes(bytes)} of memory (${how}), more than the ${formatBytes(limit)} allowed ` +
        `(runtime.memory_fraction ${fraction} of ${formatBytes(totalmem())}); ask for less, or raise runtime.memory_fraction`,
    );
  }
}

/** Bytes in binary units with three significant digits, e.g. "1.46 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v.toPrecision(3)} ${units[u]}`;
}
