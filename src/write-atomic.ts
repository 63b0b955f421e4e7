/**
 * Write a file through a uniquely named temp file in the same folder, fsync and rename, so readers
 * see the whole file or none, and a failure leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Write `path` atomically through `write(fd)`, which may write in as many pieces as it likes. */
export function writeAtomicWith(path: string, write: (fd: number) => void): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    write(fd);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Write `content` to `path` atomically. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  writeAtomicWith(path, (fd) => writeFileSync(fd, content));
}
