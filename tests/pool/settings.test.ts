/**
 * Worker counts: `--workers` above the available cores is refused (exit 2, naming the cap) unless
 * `--allow-oversubscribe`, in `poolSettings` and through the built CLI for every command that has
 * the flag, before a database exists (the CLI in this process: `runCliInProcess`).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { poolSettings } from '../../src/pool/settings.js';
import { runCliInProcess } from '../helpers/cli.js';
import { testConfig } from '../helpers/config.js';

const cores = availableParallelism();

describe('poolSettings', () => {
  const cfg = testConfig();

  it('takes up to the available cores, and all of them by default', () => {
    expect(poolSettings(cfg, { workers: cores }).workers).toBe(cores);
    expect(poolSettings(cfg, {}).workers).toBe(cores);
  });

  it('refuses more workers than cores unless oversubscription is allowed', () => {
    expect(() => poolSettings(cfg, { workers: cores + 1 })).toThrow(UsageError);
    expect(() => poolSettings(cfg, { workers: cores + 1 })).toThrow(`--workers ${cores + 1}: more than the ${cores} available cores (os.availableParallelism()); give --allow-oversubscribe`);
    expect(poolSettings(cfg, { workers: cores + 1, allowOversubscribe: true }).workers).toBe(cores + 1);
  });
});

describe('--workers (built CLI)', () => {
  it('optimize and evaluate refuse --workers 1000 with exit 2 naming the cap, and create no database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-workers-'));
    writeFileSync(join(dir, 'c.csv'), 'fast,slow\n5,20\n');
    const commands = [
      ['optimize', '--family', 'sma_cross', '--budget', '10'],
      ['evaluate', '--strategy', 'sma_cross', '--candidates', join(dir, 'c.csv'), '--out', join(dir, 'out.csv')],
    ];
    for (const args of commands) {
      const db = join(dir, `${args[0]}.db`);
      const r = await runCliInProcess([...args, '--workers', '1000', '--db', db], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--workers 1000: more than the ${cores} available cores`);
      expect(existsSync(db)).toBe(false);
    }
  });
});
