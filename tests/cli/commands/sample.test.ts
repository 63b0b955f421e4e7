/** `pnlopt sample` end to end (runs the built CLI in this process: `npm run build` first). */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSampler } from '../../../src/search/sampler.js';
import { runCliInProcess } from '../../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'pnlopt-sample-'));

function readPoints(file: string): { header: string; rows: string[][] } {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  return { header: header!, rows: lines.map((l) => l.split(',')) };
}

describe('pnlopt sample', () => {
  it('writes the sampler’s points with a header, to the last bit', async () => {
    const out = join(tmp(), 'points.csv');
    const r = await runCliInProcess(['sample', '--sampler', 'lhs', '--n', '40', '--dims', '3', '--seed', '7', '--maximin', '50', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { header, rows } = readPoints(out);
    expect(header).toBe('x0,x1,x2');
    expect(rows).toHaveLength(40);
    const want = new Float64Array(40 * 3);
    createSampler('lhs', { dims: 3, seed: 7, maximinIterations: 50, scramble: false }).sample(40, want);
    expect(rows.flat().map(Number)).toEqual(Array.from(want));
    // Latin: each column holds one point per stratum [k/40, (k+1)/40).
    for (let j = 0; j < 3; j++) {
      const strata = rows.map((row) => Math.floor(Number(row[j]) * 40)).sort((a, b) => a - b);
      expect(strata).toEqual(Array.from({ length: 40 }, (_, k) => k));
    }
  });

  it('writes the Sobol sequence from the origin, and scrambles it only when asked', async () => {
    const dir = tmp();
    const plain = join(dir, 'plain.csv');
    expect((await runCliInProcess(['sample', '--sampler', 'sobol', '--n', '4', '--dims', '2', '--seed', '1', '--out', plain])).code).toBe(0);
    // Dimension 1 runs 0, 1/2, 3/4, 1/4; dimension 2 runs 0, 1/2, 1/4, 3/4 (see sobol.ts).
    expect(readPoints(plain).rows).toEqual([
      ['0', '0'],
      ['0.5', '0.5'],
      ['0.75', '0.25'],
      ['0.25', '0.75'],
    ]);
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    await runCliInProcess(['sample', '--sampler', 'sobol', '--n', '4', '--dims', '2', '--seed', '1', '--scramble', '--out', a]);
    await runCliInProcess(['sample', '--sampler', 'sobol', '--n', '4', '--dims', '2', '--seed', '2', '--scramble', '--out', b]);
    expect(readFileSync(a, 'utf8')).not.toBe(readFileSync(b, 'utf8'));
  });

  it('exits 2 on a bad sampler, an option that does not apply, or too many Sobol dimensions', async () => {
    const out = join(tmp(), 'x.csv');
    const base = ['--n', '4', '--dims', '2', '--seed', '1', '--out', out];
    expect((await runCliInProcess(['sample', '--sampler', 'grid', ...base])).code).toBe(2);
    const maximin = await runCliInProcess(['sample', '--sampler', 'sobol', '--maximin', '5', ...base]);
    expect(maximin.code).toBe(2);
    expect(maximin.stderr).toContain('--maximin applies to --sampler lhs');
    expect((await runCliInProcess(['sample', '--sampler', 'random', '--scramble', ...base])).code).toBe(2);
    const wide = await runCliInProcess(['sample', '--sampler', 'sobol', '--n', '2', '--dims', '2000', '--seed', '1', '--out', out]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toContain('1024');
    expect((await runCliInProcess(['sample', '--sampler', 'lhs', '--n', '0', '--dims', '2', '--seed', '1', '--out', out])).code).toBe(2);
    expect(() => readFileSync(out)).toThrow();
  });
});
