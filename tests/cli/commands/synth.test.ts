/**
 * `pnlopt synth` sizes against the memory estimate, through the built CLI: a size whose estimate
 * (bars x tickers x SYNTH_BYTES_PER_BAR of the format) is above `runtime.memory_fraction` of RAM is
 * refused with exit 2 and the estimate, before anything is generated or written.
 */
import { existsSync, mkdtempSync } from 'node:fs';
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
