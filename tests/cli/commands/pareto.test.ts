/**
 * `pnlopt pareto` end to end (runs the built CLI: `npm run build` first), in this process but for
 * output to `-` (descriptor 1), which a child process prints.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from '../../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'pnlopt-pareto-'));

function ranks(file: string): { rank: number; crowding: string }[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  expect(header).toBe('rank,crowding');
  return lines.map((l) => {
    const [rank, crowding] = l.split(',');
    return { rank: Number(rank), crowding: crowding! };
  });
}

describe('pnlopt pareto', () => {
  it('ranks and crowds a small CSV with ties, duplicates, NaN and empty cells (hand-checked)', async () => {
    const dir = tmp();
    const input = join(dir, 'metrics.csv');
    writeFileSync(
      input,
      ['id,ret,dd,note', 'a,0.10,0.20,x', 'b,0.10,0.20,y', 'c,0.05,0.10,z', 'd,nan,0.05,w', 'e,0.20,0.30,v', 'f,0.05,0.25,u', 'g,,0.05,t', ''].join('\r\n'),
    );
    const out = join(dir, 'ranks.csv');
    const r = await runCliInProcess(['pareto', '--in', input, '--maximize', 'ret', '--minimize', 'dd', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    // Objectives (-ret, dd); nan and empty are +Infinity in the first:
    //   a (-0.10, 0.20)  b = a  c (-0.05, 0.10)  d (inf, 0.05)  e (-0.20, 0.30)  f (-0.05, 0.25)  g = d
    // Only f is dominated (by a and b): front 1, alone, crowding inf. Front 0 = a b c d e g.
    // Crowding in front 0. Objective 1 sorted (ties by row): e, a, b, c, d, g; its range is
    // infinite, so e and g get inf and the interior 0. Objective 2 sorted: d .05, g .05, c .10,
    // a .20, b .20, e .30, range .25: d and e get inf; g (.10-.05)/.25 = 0.2 (already inf);
    // c (.20-.05)/.25 = 0.6; a (.20-.10)/.25 = 0.4; b (.30-.20)/.25 = 0.4.
    const got = ranks(out);
    expect(got.map((x) => x.rank)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(got.map((x) => x.crowding).filter((_, i) => [3, 4, 5, 6].includes(i))).toEqual(['inf', 'inf', 'inf', 'inf']);
    expect(Number(got[0].crowding)).toBeCloseTo(0.4, 12);
    expect(Number(got[1].crowding)).toBeCloseTo(0.4, 12);
    expect(Number(got[2].crowding)).toBeCloseTo(0.6, 12);
    expect(r.stdout).toContain('2 front(s), 6 on the first');
  });

  it('reads inf and -inf, and ranks a single objective by value, -inf maximised as bad as NaN', async () => {
    const dir = tmp();
    const input = join(dir, 'm.csv');
    writeFileSync(input, 'pf\n2\ninf\n-inf\n2\nNaN\n');
    const out = join(dir, 'r.csv');
    expect((await runCliInProcess(['pareto', '--in', input, '--maximize', 'pf', '--out', out])).code).toBe(0);
    // Maximised: inf first, then 2 (twice); -inf and NaN are both the worst value (+Infinity
    // once negated / replaced), so they share the last front: fronts 1, 0, 2, 1, 2.
    expect(ranks(out).map((x) => x.rank)).toEqual([1, 0, 2, 1, 2]);
  });

  it('exits 2 naming a missing column, and naming the row and column of a non-numeric cell', async () => {
    const dir = tmp();
    const input = join(dir, 'metrics.csv');
    writeFileSync(input, 'ret,dd\n0.1,0.2\n0.2,abc\n0.3\n0x10,0.1\n');
    const out = join(dir, 'r.csv');
    const missing = await runCliInProcess(['pareto', '--in', input, '--maximize', 'ret', '--minimize', 'sharpe', '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no column "sharpe"');
    const bad = await runCliInProcess(['pareto', '--in', input, '--maximize', 'ret', '--minimize', 'dd', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('metrics.csv:3:dd: expected a number');
    expect(bad.stderr).toContain('"abc"');
    expect(bad.stderr).toContain('metrics.csv:4:*: expected 2 fields');
    // Numbers are read as data files read them: hex is not a number.
    expect(bad.stderr).toContain('metrics.csv:5:ret: expected a number');
    expect((await runCliInProcess(['pareto', '--in', input, '--out', out])).code).toBe(2);
    expect((await runCliInProcess(['pareto', '--in', join(dir, 'nope.csv'), '--minimize', 'dd', '--out', out])).code).toBe(2);
    expect(() => readFileSync(out)).toThrow();
  });

  it('ranks 1,000,000 rows: a 1000 × 1000 grid, where the front of (x, y) is x + y', async () => {
    const dir = tmp();
    const input = join(dir, 'grid.csv');
    const side = 1000;
    const lines = new Array<string>(side * side + 1);
    lines[0] = 'x,y';
    // Row i holds x = i mod 1000, y = floor(i / 1000), both minimised: (x, y) is dominated exactly
    // by the points with smaller x + y that are <= in both, so its front is x + y.
    for (let i = 0; i < side * side; i++) lines[i + 1] = `${i % side},${Math.floor(i / side)}`;
    writeFileSync(input, lines.join('\n') + '\n');
    const out = join(dir, 'ranks.csv');
    const r = await runCliInProcess(['pareto', '--in', input, '--minimize', 'x,y', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const got = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(got).toHaveLength(side * side + 1);
    let wrong = 0;
    for (let i = 0; i < side * side; i++) {
      const rank = Number(got[i + 1].slice(0, got[i + 1].indexOf(',')));
      if (rank !== (i % side) + Math.floor(i / side)) wrong++;
    }
    expect(wrong).toBe(0);
    // The ends of each anti-diagonal front are inf: (0, 0) is a front of one.
    expect(got[1]).toBe('0,inf');
  });
  it('reads quoted fields, a BOM and CRLF; names a quoted column with a comma; writes to standard output with -', async () => {
    const dir = tmp();
    const input = join(dir, 'quoted.csv');
    writeFileSync(input, '\ufeffname,"ret, %",dd\r\n"a,1",0.10,0.20\r\n"b","0.05",0.10\r\n"c ""x""",0.01,0.30\r\n');
    // a (-0.10, 0.20) and b (-0.05, 0.10) are the first front; c (-0.01, 0.30) is dominated by both.
    const r = runCli(['pareto', '--in', input, '--maximize', '"ret, %"', '--minimize', 'dd', '--out', '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('rank,crowding\n0,inf\n0,inf\n1,inf\n');
    expect(r.stderr).toContain('2 front(s), 2 on the first');
    const unquoted = await runCliInProcess(['pareto', '--in', input, '--maximize', 'ret', '--out', '-']);
    expect(unquoted.code).toBe(2);
    expect(unquoted.stderr).toContain('no column "ret"; its columns: name, "ret, %", dd');
    expect(unquoted.stderr).toContain(`--maximize '"ret, %"'`);
  });

  it('reads a pandas file with an unnamed index column, and locates a quoting problem', async () => {
    const dir = tmp();
    const input = join(dir, 'pandas.csv');
    writeFileSync(input, ',ret,dd\n0,0.1,0.2\n1,0.2,0.1\n');
    const out = join(dir, 'r.csv');
    const r = await runCliInProcess(['pareto', '--in', input, '--maximize', 'ret', '--minimize', 'dd', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(ranks(out).map((x) => x.rank)).toEqual([1, 0]);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'ret,dd\n0.1,0.2\n"0.2"x,0.1\n');
    const b = await runCliInProcess(['pareto', '--in', bad, '--maximize', 'ret', '--out', out]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('bad.csv:3:ret: field 1: text after the closing quote');
  });

  it('refuses an input that is not UTF-8 at its line and character', async () => {
    const dir = tmp();
    const input = join(dir, 'latin1.csv');
    writeFileSync(input, Buffer.from('id,ret\ncafé,0.1\n', 'latin1'));
    const r = await runCliInProcess(['pareto', '--in', input, '--maximize', 'ret', '--out', join(dir, 'r.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('latin1.csv:2:4: invalid UTF-8 (byte 0xe9); the file must be UTF-8 text');
  });
});
