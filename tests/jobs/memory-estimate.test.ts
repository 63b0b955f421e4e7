/**
 * Bounds of an optimize run, through the built CLI: `--budget` above the cap or above what
 * `runtime.memory_fraction` of RAM holds is refused (exit 2) before a database exists; the peak RSS
 * grows with the budget by no more than twice the estimate per candidate; and a run whose discrete
 * space is exhausted by its first batch ends at its budget with every candidate stored and each
 * configuration simulated once.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesPerCandidate } from '../../src/jobs/memory-estimate.js';
import { runCli } from '../helpers/cli.js';
import { spawnCli } from '../helpers/cli-child.js';
import { storedCandidates } from '../helpers/store-files.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'pnlopt-bounds-'));

describe('bytesPerCandidate', () => {
  it('counts the search columns twice (growth by doubling) and the ranking scratch once', () => {
    // sma_cross, 5 objectives. Search: 2 x (8*2 + 4 + 4 + 8*5 + 8) = 144. Ranking: rank and crowding 12,
    // non-dominated sort 16*5 + 32 = 112, constrained ranking 8*5 + 28 = 68, crowding 24: 216. Total 360.
    expect(bytesPerCandidate(2, 5)).toBe(360);
  });
});

describe('optimize --budget (built CLI)', () => {
  it('refuses 1e10, above the cap of 1e9, naming the flag, the value and the cap; no database is created', () => {
    const dir = tmp();
    const db = join(dir, 'b.db');
    const r = runCli(['optimize', '--family', 'sma_cross', '--budget', '1e10', '--db', db], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--budget <n>' argument '1e10' is invalid\. expected an integer from 1 to 1000000000/);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a budget whose memory estimate is above runtime.memory_fraction of RAM, with the estimate; no database is created', () => {
    const dir = tmp();
    const db = join(dir, 'b.db');
    const r = runCli(['optimize', '--family', 'sma_cross', '--budget', '100000000', '--db', db, '--set', 'runtime.runtime.memory_fraction=0.001'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    // 1e8 x 360 bytes = 33.5 GiB
    expect(r.stderr).toMatch(/--budget 100000000: needs about 33\.5 GiB of memory \(360 bytes per candidate for 2 parameters and 5 objectives\), more than the .* allowed \(runtime\.memory_fraction 0\.001 of /);
    expect(existsSync(db)).toBe(false);
  });
});

/** `sma_cross` cut to fast 2..3 and slow 5..6: four configurations, exhausted by the first batch. */
const FOUR_CONFIGS = ['--set', 'strategy_optimization.families.sma_cross.params.fast.high=3', '--set', 'strategy_optimization.families.sma_cross.params.slow.high=6'];
const SMALL = 2_000;
const LARGE = 60_000;
/** What the heap may hold as garbage before a collection, on top of what the run keeps (stated in docs/optimization.md). */
const GC_ALLOWANCE = 32 * 2 ** 20;

describe('optimize memory (built CLI)', () => {
  it(`grows the peak RSS from ${SMALL} to ${LARGE} candidates by under 2 x bytesPerCandidate each (+ GC allowance); the exhausted space ends at its budget, all stored`, async () => {
    const dir = tmp();
    const run = (budget: number) =>
      spawnCli(['optimize', '--family', 'sma_cross', '--optimizer', 'random', '--budget', String(budget), '--seed', '4', '--workers', '1', '--db', join(dir, `${budget}.db`), '--out', join(dir, String(budget)), '--no-report', '--json', '-q', ...FOUR_CONFIGS], { cwd: dir, peakRss: true });
    const small = run(SMALL);
    const large = run(LARGE);
    const [a, b] = await Promise.all([small.exit, large.exit]);
    expect(a.code, small.stderr()).toBe(0);
    expect(b.code, large.stderr()).toBe(0);
    const growth = large.peakBytes()! - small.peakBytes()!;
    expect(growth).toBeLessThan((LARGE - SMALL) * 2 * bytesPerCandidate(2, 5) + GC_ALLOWANCE);

    const summary = JSON.parse(large.stdout()) as { run_id: string; evaluated: number; simulated: number; stop_reason: string };
    expect(summary).toMatchObject({ evaluated: LARGE, simulated: 4, stop_reason: 'candidates' });
    expect(storedCandidates(join(dir, `${LARGE}.db`))).toBe(LARGE);
  });
});
