/** `--queue URL`, parsed when the program is built: light, no BullMQ. */
import { InvalidArgumentError } from 'commander';

export const QUEUE_HELP = 'Redis of the distributed work queue, redis://HOST:PORT (rediss:// for TLS; a password as redis://:PASSWORD@HOST:PORT)';

/** A Redis URL with a host; commander reports the option on failure (exit 2). */
export function queueUrlArg(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected redis://HOST:PORT, got "${value}"`);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') throw new InvalidArgumentError(`expected redis://HOST:PORT, got "${value}"`);
  return value;
}
