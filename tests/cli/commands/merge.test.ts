/**
 * `pnlopt optimize --shard I/N` and `pnlopt merge` from the command line: two shards merged give the
 * single-machine run's front, best and summary.json; a missing shard, a shard of another run and a
 * shard of an optimizer that cannot be split exit 2 with nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizationSummary } from '../../../src/jobs/optimize.js';
import { runCliInProcess } from '../../helpers/cli.js';
import { configDirWith } from '../../helpers/config-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-merge-'));
const at = (name: string) => join(tmp, name);
/** All-in sma_cross may be feasible (as in tests/jobs/optimize.test.ts): the front, best and hold-out gate are not empty. */
const ALL_IN = configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1));
/** The embedded S&P 500 data, a small LHS run on one thread. */
const RUN = ['--config-dir', ALL_IN, '--family', 'sma_cross', '--optimizer', 'lhs', '--budget', '200', '--workers', '1', '--json', '-q'];

async function optimize(args: readonly string[]): Promise<OptimizationSummary> {
  const r = await runCliInProcess(['optimize', ...RUN, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as OptimizationSummary;
}

/** A summary without what differs between two runs of one job (id, timing, folder, session work). */
function comparable(s: OptimizationSummary): unknown {
  const { run_id, elapsed_s, candidates_per_s, out_dir, simulated, ...rest } = s;
  void run_id, elapsed_s, candidates_per_s, out_dir, simulated;
  return rest;
}

let single: OptimizationSummary;
beforeAll(async () => {
  single = await optimize(['--seed', '3', '--db', at('single.db'), '--out', at('single')]);
  for (const i of [0, 1]) {
    const shard = await optimize(['--seed', '3', '--shard', `${i}/2`, '--db', at(`s${i}.db`), '--out', at(`s${i}`)]);
    expect(shard.shard).toEqual({ index: i, count: 2, first_id: 100 * i, end_id: 100 * (i + 1) });
  }
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pnlopt merge', () => {
  it("gives the single-machine run's front, best and summary.json", async () => {
    const args = ['merge', '--out', at('merged.db'), at('s1.db'), at('s0.db'), '--run-dir', at('merged'), '--json', '-q'];
    // The config is the shards' own: another one is refused, before anything is written.
    const otherConfig = await runCliInProcess(args);
    expect(otherConfig.code).toBe(2);
    expect(otherConfig.stderr).toMatch(/config \(config_hash\): the shards have [0-9a-f]+, this merge has [0-9a-f]+: give --config-dir with the shards' config/);
    expect(existsSync(at('merged.db'))).toBe(false);
    const r = await runCliInProcess([...args, '--config-dir', ALL_IN]);
    expect(r.code, r.stderr).toBe(0);
    const merged = JSON.parse(r.stdout) as OptimizationSummary;
    expect(merged.best).not.toBeNull();
    expect(merged.best).toEqual(single.best);
    expect(merged.front).toEqual(single.front);
    expect(comparable(merged)).toEqual(comparable(single));
    const json = (dir: string) => comparable(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as OptimizationSummary);
    expect(json(at('merged'))).toEqual(json(at('single')));
  });

  it('reports a missing shard with exit 2 and writes nothing', async () => {
    const r = await runCliInProcess(['merge', '--out', at('missing.db'), at('s0.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing shard\(s\) 1 of 2/);
    expect(existsSync(at('missing.db'))).toBe(false);
  });

  it('refuses a shard of another run, naming what differs, with exit 2 and nothing written', async () => {
    await optimize(['--seed', '4', '--shard', '1/2', '--db', at('other.db'), '--out', at('other')]);
    const r = await runCliInProcess(['merge', '--out', at('mixed.db'), at('s0.db'), at('other.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/other\.db: shard 1 of 2 \(run [0-9a-f-]+\) belongs to another run than .*s0\.db: shard 0 of 2 \(run [0-9a-f-]+\)\nseed: 4, not 3/);
    expect(existsSync(at('mixed.db'))).toBe(false);
  });

  it('refuses --shard out of range, for an optimizer that learns from its results, and with --per-regime (exit 2)', async () => {
    for (const [args, message] of [
      [['--shard', '2/2'], /--shard <I\/N>.*expected I from 0 to N - 1 = 1, got "2\/2"/],
      [['--shard', '0/2', '--optimizer', 'anneal'], /--optimizer anneal learns from every result/],
      [['--shard', '0/2', '--per-regime'], /--per-regime with --shard/],
    ] as const) {
      const r = await runCliInProcess(['optimize', ...RUN, '--db', at('refused.db'), '--out', at('refused'), ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(at('refused.db'))).toBe(false);
  });
});
