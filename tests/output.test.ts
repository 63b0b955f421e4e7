/**
 * The output writer (src/output.ts) on each kind of path: new and existing regular files, symlinks
 * (to a file, dangling, chained), FIFOs, `-`, and the paths that are usage errors. Cases that need
 * a process's own standard output run a child on the built module (`npm run build` first).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { checkOutputPath, writeAll, writeOutput, writeOutputWith, writesToStdout } from '../src/output.js';
import { ROOT } from './helpers/cli.js';

const base = mkdtempSync(join(tmpdir(), 'pnlopt-output-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let count = 0;
/** A fresh empty folder per test. */
const tmp = (): string => {
  const d = join(base, `t${count++}`);
  mkdirSync(d);
  return d;
};

const OUTPUT_JS = pathToFileURL(join(ROOT, 'dist', 'src', 'output.js')).href;

/** Run `code` (an ES module body with `writeOutput`, `writeOutputWith`, `writeAll` in scope) in a child node. */
function runChild(code: string, opts: { cwd?: string } = {}) {
  const script = `import { writeOutput, writeOutputWith, writeAll } from ${JSON.stringify(OUTPUT_JS)};\n${code}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: opts.cwd ?? base, encoding: 'utf8', timeout: 60_000 });
}

/** The error `f` throws (fails the test if it throws none). */
function thrown(f: () => void): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('writeOutput to a regular file', () => {
  it('creates a new file, leaving nothing else in the folder', () => {
    const dir = tmp();
    writeOutput(join(dir, 'new.csv'), 'a,b\n1,2\n');
    expect(readFileSync(join(dir, 'new.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(dir)).toEqual(['new.csv']);
  });

  it('writes bytes and pieces (writeOutputWith + writeAll)', () => {
    const dir = tmp();
    writeOutput(join(dir, 'b.bin'), new Uint8Array([0, 1, 2, 255]));
    expect([...readFileSync(join(dir, 'b.bin'))]).toEqual([0, 1, 2, 255]);
    writeOutputWith(join(dir, 'p.txt'), (fd) => {
      writeAll(fd, 'one ');
      writeAll(fd, Buffer.from('two'));
      writeAll(fd, '');
    });
    expect(readFileSync(join(dir, 'p.txt'), 'utf8')).toBe('one two');
  });

  it('replaces an existing file atomically (a new inode renamed into place), keeping its mode', () => {
    const dir = tmp();
    const path = join(dir, 'old.csv');
    writeFileSync(path, 'x'.repeat(10_000));
    chmodSync(path, 0o640);
    const before = statSync(path);
    writeOutput(path, 'new\n');
    const after = statSync(path);
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o7777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['old.csv']);
  });

  it('gives a new file the default mode (0666 less the umask), not a copied one', () => {
    const dir = tmp();
    writeOutput(join(dir, 'n.csv'), 'x');
    const umask = process.umask();
    expect(statSync(join(dir, 'n.csv')).mode & 0o777).toBe(0o666 & ~umask);
  });

  it('leaves the old file and no temp file when the writer throws; the error is the writer’s own', () => {
    const dir = tmp();
    const path = join(dir, 'keep.csv');
    writeFileSync(path, 'old');
    const boom = new Error('boom');
    expect(
      thrown(() =>
        writeOutputWith(path, (fd) => {
          writeAll(fd, 'half');
          throw boom;
        }),
      ),
    ).toBe(boom);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['keep.csv']);
  });
});

describe('writeOutput through a symlink', () => {
  it('writes the target atomically (temp beside the target), keeping the link and the target’s mode', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'links'));
    mkdirSync(join(dir, 'data'));
    const target = join(dir, 'data', 'real.csv');
    writeFileSync(target, 'old');
    chmodSync(target, 0o600);
    const link = join(dir, 'links', 'out.csv');
    symlinkSync('../data/real.csv', link);
    writeOutput(link, 'new\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../data/real.csv');
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(statSync(target).mode & 0o7777).toBe(0o600);
    expect(readdirSync(join(dir, 'links'))).toEqual(['out.csv']);
    expect(readdirSync(join(dir, 'data'))).toEqual(['real.csv']);
  });

  it('follows a chain of links to the last target', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'real.csv'), 'old');
    symlinkSync('real.csv', join(dir, 'b'));
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    writeOutput(join(dir, 'a'), 'chained');
    expect(readFileSync(join(dir, 'real.csv'), 'utf8')).toBe('chained');
    expect(lstatSync(join(dir, 'a')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'b')).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'real.csv']);
  });

  it('creates the target of a dangling link, relative to the link’s folder', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'sub'));
    const link = join(dir, 'sub', 'out.csv');
    symlinkSync('../made.csv', link);
    writeOutput(link, 'made\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'made.csv'), 'utf8')).toBe('made\n');
    expect(readdirSync(dir).sort()).toEqual(['made.csv', 'sub']);
  });

  it('resolves a dangling link’s `..` from the real folder of a symlinked folder', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'real', 'inner'), { recursive: true });
    symlinkSync(join(dir, 'real', 'inner'), join(dir, 'alias'));
    symlinkSync('../t.csv', join(dir, 'real', 'inner', 'out.csv'));
    writeOutput(join(dir, 'alias', 'out.csv'), 't');
    // The kernel resolves `..` from real/inner, not from the alias: the file lands in real/.
    expect(readFileSync(join(dir, 'real', 't.csv'), 'utf8')).toBe('t');
    expect(readdirSync(dir).sort()).toEqual(['alias', 'real']);
  });

  it('is a UsageError naming the link when its target’s folder does not exist', () => {
    const dir = tmp();
    const link = join(dir, 'out.csv');
    symlinkSync('nowhere/t.csv', link);
    const err = thrown(() => writeOutput(link, 'x', '--equity'));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`--equity ${link}: links to ${join(dir, 'nowhere', 't.csv')}, whose folder ${join(dir, 'nowhere')} does not exist`);
    expect(() => checkOutputPath(link)).toThrow(UsageError);
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('is a UsageError on a symlink loop', () => {
    const dir = tmp();
    symlinkSync('b', join(dir, 'a'));
    symlinkSync('a', join(dir, 'b'));
    const err = thrown(() => writeOutput(join(dir, 'a'), 'x'));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain('symbolic links');
  });

  it('is a UsageError when the link leads to a folder', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'd'));
    symlinkSync('d', join(dir, 'l'));
    const err = thrown(() => writeOutput(join(dir, 'l'), 'x'));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`--out ${join(dir, 'l')}: is a folder, not a file`);
    expect(readdirSync(join(dir, 'd'))).toEqual([]);
  });
});

describe('writeOutput to a FIFO', () => {
  it('writes straight into the pipe: the reader gets the data, the FIFO stays a FIFO', async () => {
    const dir = tmp();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // The reader is a separate process, so the writer's blocking open meets it whatever the timing.
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<number | null>((done) => reader.on('close', done));
    writeOutput(fifo, 'through the pipe\n');
    expect(await closed).toBe(0);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('through the pipe\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it('checkOutputPath accepts a FIFO without opening it (no reader: it would block)', () => {
    const dir = tmp();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    checkOutputPath(fifo);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});

describe('writeOutput to -', () => {
  it('writes standard output and creates nothing', () => {
    const dir = tmp();
    const r = runChild(`writeOutput('-', 'to stdout\\n'); writeOutputWith('-', (fd) => { writeAll(fd, 'in '); writeAll(fd, 'pieces\\n'); });`, { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('to stdout\nin pieces\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('waits out a full non-blocking pipe (EAGAIN) instead of failing', async () => {
    // Touching process.stdout makes fd 1 non-blocking; the reader pauses so the pipe fills up.
    const size = 8 << 20;
    const child = spawn(process.execPath, ['--input-type=module', '-e', `import { writeOutput } from ${JSON.stringify(OUTPUT_JS)};\nprocess.stdout;\nwriteOutput('-', Buffer.alloc(${size}, 120));`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let got = 0;
    let stderr = '';
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 300);
    child.stdout.on('data', (c: Buffer) => (got += c.length));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code, stderr).toBe(0);
    expect(got).toBe(size);
  });

  it('writes /dev/stdout to the process’s own standard output (a socket here), leaving /dev/stdout alone', () => {
    const wasLink = lstatSync('/dev/stdout', { throwIfNoEntry: false })?.isSymbolicLink() === true;
    const r = runChild(`writeOutput('/dev/stdout', 'via the device\\n');`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('via the device\n');
    // On machines where /dev/stdout is not a symlink there is nothing more to check.
    if (wasLink) expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
  });

  it('writesToStdout tells standard output from files', () => {
    expect(writesToStdout('-')).toBe(true);
    expect(writesToStdout(join(base, 'x.csv'))).toBe(false);
  });
});

describe('paths that are usage errors', () => {
  it('a missing folder: names the path as given, creates nothing', () => {
    const dir = tmp();
    const path = join(dir, 'missing', 'x.csv');
    const attempts: [string, () => void][] = [
      ['--out', () => writeOutput(path, 'x')],
      ['--out', () => checkOutputPath(path)],
      ['--equity', () => writeOutputWith(path, () => undefined, '--equity')],
    ];
    for (const [flag, f] of attempts) {
      const err = thrown(f);
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toBe(`${flag} ${path}: the folder ${join(dir, 'missing')} does not exist`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a relative path is named as given', () => {
    const err = thrown(() => checkOutputPath('no-such-folder-pnlopt/x.csv'));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('--out no-such-folder-pnlopt/x.csv: the folder no-such-folder-pnlopt does not exist');
  });

  it('a parent that is a file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), '');
    const err = thrown(() => writeOutput(join(dir, 'file', 'x.csv'), 'x'));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain(`--out ${join(dir, 'file', 'x.csv')}: `);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('a directory as the path', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'keep'), '');
    for (const path of [join(dir, 'target'), join(dir, 'target') + '/']) {
      const err = thrown(() => writeOutput(path, 'x'));
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toContain(`--out ${path}: `);
      expect(() => checkOutputPath(path)).toThrow(UsageError);
    }
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readdirSync(join(dir, 'target'))).toEqual(['keep']);
  });

  it('an empty path', () => {
    expect(() => checkOutputPath('')).toThrow(UsageError);
  });

  // Root ignores directory permissions, so this case only means something for other users.
  it.skipIf(process.getuid?.() === 0)('a read-only folder: not writable, nothing left in it', () => {
    const ro = tmp();
    chmodSync(ro, 0o555);
    try {
      const err = thrown(() => writeOutput(join(ro, 'x.csv'), 'x'));
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toBe(`--out ${join(ro, 'x.csv')}: the folder ${ro} is not writable`);
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      chmodSync(ro, 0o755);
    }
  });
});
