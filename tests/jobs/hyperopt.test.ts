/**
 * The hyperopt driver end to end on a small synthetic series: trials on their own databases, logged
 * and recorded, the best re-run in the main database, guardrails untouched, an interrupted run
 * resumed into the uninterrupted one (the first test's, run once); and from the command line,
 * HYPEROPT_ROUNDS turning `run` into hyperopt, and bad input refused with exit 2.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type PnloptConfig } from '../../src/config/load.js';
import { parseOverrides } from '../../src/config/overrides.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { InterruptedError } from '../../src/errors.js';
import { runHyperopt, type HyperoptRequest, type HyperoptSummary } from '../../src/jobs/hyperopt.js';
import { poolSettings } from '../../src/pool/settings.js';
import { DatabaseManager } from '../../src/store/database.js';
import { HyperoptStore } from '../../src/store/hyperopt-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { ROOT, runCliInProcess } from '../helpers/cli.js';
import { configDirWith } from '../helpers/config-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-hyperopt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Small trials: 300..400-bar evaluation windows with a 60-bar hold-out, 16 candidates, 60 bars paper-traded. */
const SETS = [
  'hyperopt.hyperopt.ranges.evaluation_window_bars.low=300', 'hyperopt.hyperopt.ranges.evaluation_window_bars.high=400',
  'quant_success.hold_out.min_bars=60', 'hyperopt.trial.budget=16', 'hyperopt.trial.paper_bars=60', 'hyperopt.trial.optimizer=random',
  `runtime.runtime.runs_dir=${join(tmp, 'runs')}`, `runtime.runtime.cache_dir=${join(tmp, 'cache')}`, `paper_trading.regime_state.path=${join(tmp, 'regime_state.yml')}`,
];
// hold_out.min_bars 60 is a loosening --set refuses: the frozen test config's copy sets it instead.
const DIR = configDirWith('quant_success_config.yml', (d) => d.setIn(['hold_out', 'min_bars'], 60));
const configWith = (sets: readonly string[]): PnloptConfig => loadConfig({ dir: DIR, overrides: parseOverrides([...SETS.filter((x) => !x.startsWith('quant_success.hold_out')), ...sets]) });
const cfg = configWith([]);
const data = generateSynthetic({ tickers: 1, bars: 800, seed: 21, config: cfg.synthetic });

let dbs = 0;
function request(over: Partial<HyperoptRequest> = {}): HyperoptRequest & { dbm: DatabaseManager } {
  return { cfg, configWith, data, rounds: 2, dbm: new DatabaseManager(join(tmp, `main${dbs++}.db`)), pool: poolSettings(cfg, { workers: 1 }), logDir: join(tmp, 'logs'), ...over } as HyperoptRequest & { dbm: DatabaseManager };
}
let uninterrupted: Promise<{ req: ReturnType<typeof request>; s: HyperoptSummary }> | undefined;
/** A whole run of 2 rounds on its own main database: what the first test checks and an interrupted run must resume into. Run once. */
function uninterruptedRun(): Promise<{ req: ReturnType<typeof request>; s: HyperoptSummary }> {
  if (uninterrupted === undefined) {
    const req = request();
    uninterrupted = runHyperopt(req).then((s) => ({ req, s }));
  }
  return uninterrupted;
}
const comparable = (t: { trial: number; arm: string; explore_pct: number; held: string; params: unknown; score: number | null }) => [t.trial, t.arm, t.explore_pct, t.held, t.params, t.score];

describe('runHyperopt', () => {
  it('runs each trial on its own database, logs and records it, re-runs the best as <RUN_ID>_best in the main database, and leaves the guardrails as they were', async () => {
    const guardrails = JSON.stringify([cfg.quantSuccess, cfg.signalRouting]);
    const files = readdirSync(join(ROOT, 'config')).map((f) => readFileSync(join(ROOT, 'config', f), 'utf8'));
    const { req, s } = await uninterruptedRun();
    expect(s.trials.map((t) => t.trial)).toEqual([0, 1]);
    // Hold-one-out: the held dimensions cycle, trial 0 holding its dimension at the midpoint.
    expect(s.trials.map((t) => t.held)).toEqual(['evaluation_window_bars', 'min_expected_profit']);
    expect(s.trials[0].params.evaluation_window_bars).toBe(350);
    const lines = readFileSync(s.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => Object.keys(l).sort())).toEqual(Array(2).fill(['arm', 'duration_s', 'explore_pct', 'held', 'params', 'score', 'trial', 'trial_db']));
    expect(lines.map((l) => l.score)).toEqual(s.trials.map((t) => t.score));
    // Isolation: the trial databases are files of their own; the main one holds only the best re-run.
    const trialDbs = s.trials.map((t) => t.trial_db);
    expect(new Set(trialDbs).size).toBe(2);
    for (const f of trialDbs) expect(existsSync(f)).toBe(true);
    const runs = new RunStore(req.dbm).runs().map((r) => r.run_id);
    expect(runs).toEqual([`${s.run_id}_best`]);
    for (const f of trialDbs) {
      const trialDb = new DatabaseManager(f, undefined, 'read');
      expect(new RunStore(trialDb).runs().map((r) => r.run_id)).not.toContain(`${s.run_id}_best`);
      trialDb.close();
    }
    expect(s.best).not.toBeNull();
    expect(s.best!.score).toBe(Math.max(...s.trials.map((t) => t.score ?? -Infinity)));
    const best = new RunStore(req.dbm).run(`${s.run_id}_best`)!;
    expect(JSON.parse(best.summary_json!)).toMatchObject({ hyperopt_run_id: s.run_id, trials: s.trials.map((t) => ({ trial: t.trial, score: t.score, kind: t.arm })) });
    expect(new HyperoptStore(req.dbm).run(s.run_id)!.status).toBe('completed');
    // The guardrails, in memory and in the config files, are what they were.
    expect(JSON.stringify([cfg.quantSuccess, cfg.signalRouting])).toBe(guardrails);
    expect(readdirSync(join(ROOT, 'config')).map((f) => readFileSync(join(ROOT, 'config', f), 'utf8'))).toEqual(files);
  }, 120_000);

  it('keeps the finished trials of an interrupted run, and --resume ends as the uninterrupted run', async () => {
    const whole = (await uninterruptedRun()).s;
    const stop = new AbortController();
    const cut = request({ rounds: 2, signal: stop.signal, onTrial: () => stop.abort('SIGINT') });
    await expect(runHyperopt(cut)).rejects.toThrow(InterruptedError);
    const store = new HyperoptStore(cut.dbm);
    const [row] = cut.dbm.db.prepare('SELECT run_id, status FROM hyperopt_runs').all() as { run_id: string; status: string }[];
    expect(row.status).toBe('interrupted');
    expect(store.trials(row.run_id)).toHaveLength(1);
    const resumed = await runHyperopt({ ...request({ rounds: 2 }), dbm: cut.dbm, resume: row.run_id });
    expect(resumed.trials.map(comparable)).toEqual(whole.trials.map(comparable));
    expect(resumed.best).toEqual(whole.best);
  }, 180_000);

  it('refuses --rounds 0, and an explore share outside the configured bounds', async () => {
    await expect(runHyperopt(request({ rounds: 0 }))).rejects.toThrow(/--rounds 0: expected a whole number of trials >= 1/);
    await expect(runHyperopt(request({ explorePct: 95 }))).rejects.toThrow(/HYPEROPT_EXPLORE_PCT 95: expected a share between/);
  });
});

describe('pnlopt run with HYPEROPT_ROUNDS', () => {
  it('delegates to hyperopt on the default data: a log of 2 trials and the _best re-run', async () => {
    const cwd = mkdtempSync(join(tmp, 'cli-'));
    const db = join(cwd, 'main.db');
    const sets = ['hyperopt.trial.budget=16', 'hyperopt.trial.optimizer=random', `runtime.runtime.cache_dir=${join(ROOT, '.pnlopt', 'cache')}`, `paper_trading.regime_state.path=${join(cwd, 'regime_state.yml')}`];
    const r = await runCliInProcess(['run', '--db', db, '--json', ...sets.flatMap((s) => ['--set', s])], { cwd, env: { HYPEROPT_ROUNDS: '2' } });
    expect(r.stderr).not.toMatch(/^pnlopt: .*error/m);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { run_id: string; rounds: number; best: { trial: number } | null; log: string };
    expect(out.rounds).toBe(2);
    expect(out.log).toBe(join(cwd, 'logs', 'hyperopt', `hyperopt_${out.run_id}.log`));
    expect(readFileSync(out.log, 'utf8').trim().split('\n')).toHaveLength(2);
    const main = new DatabaseManager(db, undefined, 'read');
    expect(new RunStore(main).runs().map((x) => x.run_id)).toEqual([`${out.run_id}_best`]);
    main.close();
  }, 120_000);

  it('exits 2 on --rounds 0 or negative, and on a range that would loosen a guardrail', async () => {
    for (const rounds of ['0', '-1']) {
      const r = await runCliInProcess(['hyperopt', '--rounds', rounds, '--db', join(tmp, 'never.db')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--rounds/);
    }
    const loose = await runCliInProcess(['hyperopt', '--rounds', '1', '--db', join(tmp, 'never.db'), '--set', 'hyperopt.hyperopt.ranges.min_expected_profit.low=-1']);
    expect(loose.code).toBe(2);
    expect(loose.stderr).toMatch(/hyperopt\.ranges\.min_expected_profit\.low: -1 would loosen the guardrail/);
    const resume = await runCliInProcess(['hyperopt', '--rounds', '1', '--db', join(tmp, 'never.db'), '--resume', 'nope']);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/--resume nope: no database at/);
    expect(existsSync(join(tmp, 'never.db'))).toBe(false);
  });
});
