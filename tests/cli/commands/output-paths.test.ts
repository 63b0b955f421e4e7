/**
 * Output paths end to end (issue 9, "Safe output"): `--out` as `/dev/stdout`, `-`, a symlink, a FIFO
 * and a path in a missing folder, through the built CLI (`npm run build` first). What writes to
 * standard output (`-`, /dev/stdout: descriptor 1) or meets a closed pipe runs in a child process;
 * the rest in this process (`runCliInProcess`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, runCliInProcess, withTestConfig } from '../../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'pnlopt-out-'));

const SAMPLE = ['sample', '--sampler', 'lhs', '--n', '5', '--dims', '2', '--seed', '1'];

/** The CSV `SAMPLE` writes, from a run into a regular file. */
async function expectedCsv(): Promise<string> {
  const file = join(tmp(), 'points.csv');
  const r = await runCliInProcess([...SAMPLE, '--out', file]);
  expect(r.code, r.stderr).toBe(0);
  const csv = readFileSync(file, 'utf8');
  expect(csv.split('\n')[0]).toBe('x0,x1');
  expect(csv.trimEnd().split('\n')).toHaveLength(6);
  return csv;
}

describe('--out paths', () => {
  let csv: string;
  beforeAll(async () => {
    csv = await expectedCsv();
  });

  it('/dev/stdout: prints the CSV (summary on stderr) and leaves /dev/stdout as it was', () => {
    const wasLink = lstatSync('/dev/stdout', { throwIfNoEntry: false })?.isSymbolicLink() === true;
    const r = runCli([...SAMPLE, '--out', '/dev/stdout']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(csv);
    expect(r.stderr).toContain('wrote 5 lhs point(s)');
    // Where /dev/stdout is not a symlink (not Linux-like), there is no link to check.
    if (wasLink) expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
  });

  it('-: prints the CSV and creates no file named -', () => {
    const dir = tmp();
    const r = runCli([...SAMPLE, '--out', '-'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(csv);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('- with --json: the CSV on stdout, the JSON summary on stderr', () => {
    const r = runCli([...SAMPLE, '--out', '-', '--json'], { cwd: tmp() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(csv);
    expect(JSON.parse(r.stderr)).toMatchObject({ out: '-', sampler: 'lhs', n: 5, dims: 2, seed: 1 });
  });

  it('a symlink: the target is written, the link stays a link', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'real.csv'), 'old\n');
    symlinkSync('data/real.csv', join(dir, 'out.csv'));
    const r = await runCliInProcess([...SAMPLE, '--out', 'out.csv'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'out.csv')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'out.csv'))).toBe('data/real.csv');
    expect(readFileSync(join(dir, 'data', 'real.csv'), 'utf8')).toBe(csv);
    expect(readdirSync(dir).sort()).toEqual(['data', 'out.csv']);
    expect(readdirSync(join(dir, 'data'))).toEqual(['real.csv']);
  });

  it('a FIFO: its reader receives the data, and the FIFO stays a FIFO', async () => {
    const dir = tmp();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<number | null>((done) => reader.on('close', done));
    const r = await runCliInProcess([...SAMPLE, '--out', fifo]);
    expect(r.code, r.stderr).toBe(0);
    expect(await closed).toBe(0);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(csv);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it('a reader that closes the pipe early ends the command quietly with 141 (as SIGPIPE), no stack trace', async () => {
    // About 7.7 MB: far more than a pipe holds (64 KiB on Linux and macOS), so the CLI is still writing when the reader closes.
    const child = spawn(process.execPath, [BIN, ...withTestConfig(['sample', '--sampler', 'random', '--n', '100000', '--dims', '4', '--seed', '1', '--out', '-'])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(141);
    expect(stderr).not.toMatch(/internal error|EPIPE|\n\s+at /);
  });

  it('a missing folder: exit 2, a message naming the path as given, no stack trace, nothing created', async () => {
    const dir = tmp();
    const r = await runCliInProcess([...SAMPLE, '--out', 'missing/x.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pnlopt: --out missing/x.csv: the folder missing does not exist\n');
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a folder as the path: exit 2, the folder untouched', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'target'));
    const r = await runCliInProcess([...SAMPLE, '--out', 'target'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pnlopt: --out target: is a folder, not a file\n');
    expect(readdirSync(join(dir, 'target'))).toEqual([]);
  });
});

describe('synth --out', () => {
  const SYNTH = ['synth', '--tickers', '2', '--bars', '5', '--seed', '3'];

  it('- prints the CSV the .csv file gets, with no file named -', async () => {
    const dir = tmp();
    const file = await runCliInProcess([...SYNTH, '--out', 'x.csv'], { cwd: dir });
    expect(file.code, file.stderr).toBe(0);
    const r = runCli([...SYNTH, '--out', '-'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(dir, 'x.csv'), 'utf8'));
    expect(r.stdout.split('\n')[0]).toBe('date,open,high,low,close,volume,ticker');
    expect(r.stderr).toContain('wrote 2 ticker(s) x 5 bars to -');
    expect(readdirSync(dir)).toEqual(['x.csv']);
  });

  it('a name without a known extension is a usage error that mentions - for CSV', async () => {
    const r = await runCliInProcess([...SYNTH, '--out', 'x.txt'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out x.txt: expected a .csv, .arrow, .feather or .ipc file name (or - for CSV on standard output');
  });

  it('a missing folder is a usage error before any data is made', async () => {
    const dir = tmp();
    const r = await runCliInProcess([...SYNTH, '--out', 'nope/x.arrow'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pnlopt: --out nope/x.arrow: the folder nope does not exist\n');
    expect(readdirSync(dir)).toEqual([]);
  });
});
