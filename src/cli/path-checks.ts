/**
 * Checks on the paths a long command will write, run before any work so that a bad path is
 * refused (exit 2, naming the flag and path) with nothing computed or written: an output folder
 * that cannot be created, a store that cannot be created or opened, and an output that is one of
 * the command's own inputs (writing it would replace the input).
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { checkStore } from '../store/database.js';

/** An input of the command: the flag it came from and its path. */
export type NamedInput = readonly [flag: string, path: string];

/** The store a writing command will open: an existing file must be a sound pnlopt store (`checkStore`), a missing one creatable. */
export function checkStorePath(path: string, flag: string): void {
  if (statOf(path) === undefined) checkCreatable(path, flag);
  else checkStore(path);
}

/** A folder the command will create if needed (`mkdir -p`) and write into. */
export function checkOutputFolder(dir: string, flag: string): void {
  const st = statOf(dir);
  if (st === undefined) return checkCreatable(dir, flag);
  if (!st.isDirectory()) throw new UsageError(`${flag} ${dir}: is not a folder`);
  checkWritable(dir, dir, flag);
}

/** Refuse an output that is the same file as one of `inputs` (symlinks and hard links included). */
export function checkDistinct(out: string, flag: string, inputs: readonly NamedInput[]): void {
  const o = statOf(out);
  if (o === undefined || !o.isFile()) return;
  for (const [inFlag, path] of inputs) {
    const i = statOf(path);
    if (i !== undefined && i.dev === o.dev && i.ino === o.ino) {
      throw new UsageError(`${flag} ${out}: is the same file as ${inFlag} ${path}; writing it would replace the input`);
    }
  }
}

/** A missing path that `mkdir -p` / file creation could make: its nearest existing ancestor is a writable folder. */
function checkCreatable(path: string, flag: string): void {
  let up = dirname(resolve(path));
  let st = statOf(up);
  while (st === undefined && dirname(up) !== up) {
    up = dirname(up);
    st = statOf(up);
  }
  if (st === undefined || !st.isDirectory()) throw new UsageError(`${flag} ${path}: cannot be created (${up} is not a folder)`);
  checkWritable(up, path, flag);
}

function checkWritable(dir: string, path: string, flag: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: cannot be written (the folder ${dir} is not writable)`);
  }
}

/** The path's status (symlinks followed), undefined when nothing is there or it cannot be reached. */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
