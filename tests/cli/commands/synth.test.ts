/**
 * `pnlopt synth` sizes against the memory estimate, through the built CLI: a size whose estimate
 * (bars x tickers x SYNTH_BYTES_PER_BAR of the format) is above `runtime.memory_fraction` of RAM is
 * refused with exit 2 and the estimate, before anything is generated or written. `--factor-loadings`
 * makes a one-factor basket; a bad list is refused with exit 2 naming the option, nothing written.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../helpers/cli.js';

describe('pnlopt synth sizes', () => {
  it('refuses 100000 x 100000 bars with the estimate, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-synth-'));
    const out = join(dir, 's.csv');
    const r = await runCliInProcess(['synth', '--tickers', '100000', '--bars', '100000', '--seed', '1', '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    // 1e10 bars x 850 bytes = 7.73 TiB
    expect(r.stderr).toMatch(/--tickers 100000 --bars 100000: needs about 7\.73 TiB of memory \(850 bytes per bar written as csv\), more than the .* allowed \(runtime\.memory_fraction 0\.5 of/);
    expect(existsSync(out)).toBe(false);
  });

  it('estimates Arrow output at its own cost per bar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-synth-'));
    const out = join(dir, 's.arrow');
    // 2 x 1000 bars x 170 bytes = 340,000 bytes, above 1e-6 of any machine's memory under 340 GB.
    const refused = await runCliInProcess(['synth', '--tickers', '2', '--bars', '1000', '--seed', '1', '--out', out, '--set', 'runtime.runtime.memory_fraction=0.000001'], { cwd: dir });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/needs about 332 KiB of memory \(170 bytes per bar written as arrow\)/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('pnlopt synth --factor-loadings', () => {
  it('writes a one-factor basket and reports its loadings; without the option the config default (none)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-synth-'));
    const args = ['synth', '--tickers', '3', '--bars', '500', '--seed', '7', '--json'];
    const plain = await runCliInProcess([...args, '--out', join(dir, 'plain.csv')], { cwd: dir });
    expect(plain.code, plain.stderr).toBe(0);
    const plainSummary = JSON.parse(plain.stdout) as { factor_loadings: unknown; data_hash: string };
    expect(plainSummary.factor_loadings).toBeNull();
    // The hash pinned in tests/data/synth.test.ts: the default output is unchanged.
    expect(plainSummary.data_hash).toBe('8d64eec753ea37be94d5c37fe25c344b1bc8042cda80620c09b174d70b64108d');
    const out = join(dir, 'factor.csv');
    const r = await runCliInProcess([...args, '--factor-loadings', ' 0.9, 0.9,0', '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { factor_loadings: unknown; data_hash: string };
    expect(summary.factor_loadings).toEqual([0.9, 0.9, 0]);
    expect(summary.data_hash).not.toBe(plainSummary.data_hash);
    expect(readFileSync(out, 'utf8')).not.toBe(readFileSync(join(dir, 'plain.csv'), 'utf8'));
  });

  it.each([
    [['--tickers', '3', '--factor-loadings', '0.9,0.9'], '--factor-loadings: 2 loading(s) for --tickers 3; give one per ticker'],
    [['--tickers', '3', '--factor-loadings', '0.9,x,1.5'], '--factor-loadings: expected numbers from -1 to 1, got "x", "1.5"'],
    [['--tickers', '2', '--factor-loadings', '0.5,'], '--factor-loadings: expected numbers from -1 to 1, got ""'],
  ])('refuses %j with exit 2, naming the option, writing nothing', async (extra, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-synth-'));
    const out = join(dir, 's.csv');
    const r = await runCliInProcess(['synth', '--bars', '50', '--seed', '1', '--out', out, ...extra], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses config loadings whose count is not --tickers, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-synth-'));
    const out = join(dir, 's.csv');
    const r = await runCliInProcess(['synth', '--tickers', '2', '--bars', '50', '--seed', '1', '--out', out, '--set', 'synthetic_data.factor.loadings=[0.9]'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('factor.loadings: 1 loading(s) for 2 ticker(s); give one per ticker');
    expect(existsSync(out)).toBe(false);
  });
});
