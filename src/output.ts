/**
 * Where a command's output goes (`--out`, `--equity`, ...): one writer for every path a user can
 * give.
 *
 * - `-` is standard output (fd 1); nothing on disk is touched.
 * - A path that names this process's own standard output or error (`/dev/stdout`, `/dev/stderr`,
 *   `/proc/self/fd/1`, or a symlink to one) is written to that descriptor, whatever it is (pipe,
 *   socket, terminal, or a file the shell redirected to).
 * - A character device, block device, FIFO or socket (`/dev/null`, a named pipe) is opened and
 *   written directly: no temp file, no rename, so a FIFO's reader gets the data.
 * - A symlink is written through to its final target (like the npm package write-file-atomic):
 *   the target is written as below and the link is left in place; a dangling link creates its target.
 * - A regular file, new or existing, is written atomically (temp file in the target's folder,
 *   fsync, rename), so readers see the whole file or none; an existing file keeps its mode (and,
 *   where allowed, its owner).
 *
 * A path whose folder does not exist or is not writable, or that is a folder, is a `UsageError`
 * naming the path as the user gave it, thrown before anything is created; a failed write leaves
 * no temp file behind.
 */
import { accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ReaderClosedError, UsageError } from './errors.js';
import { writeAtomicWith } from './write-atomic.js';

/**
 * Write `content` to the output `path` (see the header).
 * @param flag the option the path came from, for messages (e.g. `--out`)
 */
export function writeOutput(path: string, content: string | Uint8Array, flag = '--out'): void {
  writeOutputWith(path, (fd) => writeAll(fd, content), flag);
}

/**
 * Write the output `path` through `write(fd)`, which may write in as many pieces as it likes (use
 * `writeAll`: the descriptor may be a non-blocking pipe). Errors thrown by `write` propagate as they are.
 */
export function writeOutputWith(path: string, write: (fd: number) => void, flag = '--out'): void {
  const target = resolveOutput(path, flag);
  switch (target.kind) {
    case 'fd':
      write(target.fd);
      return;
    case 'direct': {
      let fd: number;
      try {
        fd = openSync(target.path, 'w');
      } catch (err) {
        throw outputError(err, path, flag);
      }
      try {
        write(fd);
      } finally {
        closeSync(fd);
      }
      return;
    }
    case 'file': {
      let inWrite = false;
      try {
        writeAtomicWith(target.path, (fd) => {
          inWrite = true;
          write(fd);
          inWrite = false;
          if (target.existing !== undefined) keepModeAndOwner(fd, target.existing);
        });
      } catch (err) {
        if (inWrite) throw err;
        throw outputError(err, path, flag);
      }
      return;
    }
  }
}

/** Write all of `content` to `fd`, waiting out EAGAIN (standard output may be a non-blocking pipe); a closed pipe is a `ReaderClosedError`. */
export function writeAll(fd: number, content: string | Uint8Array): void {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let off = 0;
  let waitMs = 1;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
      waitMs = 1;
    } catch (err) {
      if (errorCode(err) === 'EPIPE') throw new ReaderClosedError(`fd ${fd}: the reader closed the pipe`);
      if (errorCode(err) !== 'EAGAIN') throw err;
      sleep(waitMs);
      waitMs = Math.min(waitMs * 2, 50);
    }
  }
}

/**
 * Check, before any work, that `path` can be written as an output: `-`, a device or FIFO, or a
 * file (or symlink to one) whose folder exists and is writable. Throws a `UsageError` naming it.
 * Nothing is created or opened (a FIFO is not opened, so this never blocks).
 */
export function checkOutputPath(path: string, flag = '--out'): void {
  const target = resolveOutput(path, flag);
  if (target.kind === 'direct') {
    try {
      accessSync(target.path, constants.W_OK);
    } catch (err) {
      throw outputError(err, path, flag);
    }
  }
}

/**
 * Whether writing `path` as an output goes to this process's standard output (`-`, `/dev/stdout`,
 * ...): a command then prints its own summary on standard error, not into the data.
 */
export function writesToStdout(path: string): boolean {
  try {
    const target = resolveOutput(path, '--out');
    return target.kind === 'fd' && target.fd === 1;
  } catch {
    return false;
  }
}

/** Where an output path leads. */
type OutputTarget =
  /** An open descriptor of this process (standard output or error). */
  | { kind: 'fd'; fd: number }
  /** A device, FIFO or socket, opened and written in place. */
  | { kind: 'direct'; path: string }
  /** A regular file (existing or not) at `path` (symlinks resolved), written atomically. */
  | { kind: 'file'; path: string; existing?: Stats };

/** Symlinks followed before giving up, as the kernel does (Linux: 40). */
const MAX_LINKS = 40;

/** The standard descriptors a path may name (`/dev/stdout`, `/dev/stderr`). */
const OWN_FDS = [1, 2] as const;

function resolveOutput(path: string, flag: string): OutputTarget {
  if (path === '-') return { kind: 'fd', fd: 1 };
  if (path === '') throw new UsageError(`${flag}: expected a file path (or - for standard output), got an empty string`);
  if (path.endsWith('/') || path.endsWith(sep)) throw usage(path, flag, 'names a folder, not a file');
  let st: Stats | undefined;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (!isMissing(err)) throw outputError(err, path, flag);
  }
  if (st === undefined) return fileTarget(path, path, flag, undefined);
  if (st.isDirectory()) throw usage(path, flag, 'is a folder, not a file');
  if (st.isFile()) return fileTarget(path, path, flag, st);
  // A symlink or a special file: see where it leads (following links, /proc magic links included).
  let followed: Stats | undefined;
  try {
    followed = statSync(path);
  } catch (err) {
    if (!isMissing(err)) throw outputError(err, path, flag);
  }
  if (followed !== undefined) {
    const fd = ownFd(followed);
    if (fd !== undefined) return { kind: 'fd', fd };
    if (followed.isDirectory()) throw usage(path, flag, 'is a folder, not a file');
    if (!followed.isFile()) return { kind: 'direct', path };
  }
  // A symlink to a regular file, or a dangling one: write its final target.
  return fileTarget(path, finalTarget(path, flag), flag, followed);
}

/** The output at `target` (the user's `path`, or where its symlinks lead), checking its folder. */
function fileTarget(path: string, target: string, flag: string, existing: Stats | undefined): OutputTarget {
  const dir = dirname(target);
  const link = target === path ? '' : `links to ${target}, `;
  const folder = target === path ? `the folder ${dir}` : `${link}whose folder ${dir}`;
  let ds: Stats;
  try {
    ds = statSync(dir);
  } catch (err) {
    const code = errorCode(err);
    // ENOTDIR: some folder on the way is a file, so the folder does not exist either.
    if (code === 'ENOENT' || code === 'ENOTDIR') throw usage(path, flag, `${folder} does not exist`);
    throw outputError(err, path, flag);
  }
  if (!ds.isDirectory()) throw usage(path, flag, `${link === '' ? '' : `${link}but `}${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw usage(path, flag, `${folder} is not writable`);
    throw outputError(err, path, flag);
  }
  const resolved = target === path ? path : join(realpathSync(dir), basename(target));
  return existing === undefined ? { kind: 'file', path: resolved } : { kind: 'file', path: resolved, existing };
}

/** Where the symlink `path` finally leads: an existing non-link, or the missing path a dangling link names. */
function finalTarget(path: string, flag: string): string {
  let cur = path;
  for (let i = 0; i <= MAX_LINKS; i++) {
    let st: Stats;
    try {
      st = lstatSync(cur);
    } catch (err) {
      if (isMissing(err)) return resolve(cur);
      throw outputError(err, path, flag);
    }
    if (!st.isSymbolicLink()) return realpathSync(cur);
    // Relative link text is relative to the link's real folder (`..` after a symlinked folder).
    cur = resolve(realpathSync(dirname(cur)), readlinkSync(cur));
  }
  throw usage(path, flag, 'too many levels of symbolic links');
}

/** 1 or 2 when `st` is the file this process's standard output or error is open on. */
function ownFd(st: Stats): number | undefined {
  for (const fd of OWN_FDS) {
    try {
      const own = fstatSync(fd);
      if (own.dev === st.dev && own.ino === st.ino) return fd;
    } catch {
      // Closed descriptor: not ours to write.
    }
  }
  return undefined;
}

/** Give the temp file the replaced file's mode, and its owner where we may (as write-file-atomic does). */
function keepModeAndOwner(fd: number, existing: Stats): void {
  fchmodSync(fd, existing.mode & 0o7777);
  if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) {
    try {
      fchownSync(fd, existing.uid, existing.gid);
    } catch {
      // Only root (or a member of the group) may: otherwise the new file is ours, like any new file.
    }
  }
}

function usage(path: string, flag: string, problem: string): UsageError {
  return new UsageError(`${flag} ${path}: ${problem}`);
}

/**
 * A file-system error while resolving, opening or renaming the output, as an error that names the
 * path the user gave (never an internal temp file): a `UsageError` for what the user can fix.
 */
function outputError(err: unknown, path: string, flag: string): Error {
  const code = errorCode(err);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return usage(path, flag, 'is not writable');
    case 'ENOENT':
    case 'ENOTDIR':
      return usage(path, flag, `the folder ${dirname(path)} does not exist`);
    case 'EISDIR':
      return usage(path, flag, 'is a folder, not a file');
    case 'ELOOP':
      return usage(path, flag, 'too many levels of symbolic links');
    case 'ENAMETOOLONG':
      return usage(path, flag, 'the name is too long');
    case 'ENXIO':
    case 'EOPNOTSUPP':
      return usage(path, flag, 'cannot be opened for writing (a socket, or a device with nothing behind it)');
    case undefined:
      return err instanceof Error ? err : new Error(String(err));
    default:
      return new Error(`${flag} ${path}: could not write (${(err as Error).message.split(',')[0]})`, { cause: err });
  }
}

function errorCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
