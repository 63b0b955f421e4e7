/**
 * `pnlopt etl`, `auto-trade` and `run` from the command line: the window from the flags or from
 * TICKERS / START_DATE / END_DATE (flags win), auto-trade equal to `paper --from --to`, run's optimize
 * on the data before --start, and a bad variable named with exit 2 and nothing written.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../helpers/cli.js';
import { configDirWith } from '../../helpers/config-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'pnlopt-entry-'));
const data = join(tmp, 'syn.csv');
const state = join(tmp, 'state.yml');
/** The regime state written in the temp folder; forecasts in the test config's cache, which tests/jobs/pipeline.test.ts shares (the same synthetic series). */
const sets = ['--set', `paper_trading.regime_state.path=${state}`, '--set', `runtime.runtime.runs_dir=${join(tmp, 'runs')}`];
let dbs = 0;
const db = () => join(tmp, `e${dbs++}.db`);
/** No entry-point variable from the environment of the test run itself. */
const ENV_CLEAR = { TICKERS: undefined, START_DATE: undefined, END_DATE: undefined, HYPEROPT_ROUNDS: undefined };

interface IngestJson {
  ingest: { tickers: { ticker: string; first_ts: number; last_ts: number }[] };
}
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const spans = (j: IngestJson) => j.ingest.tickers.map((t) => [t.ticker, day(t.first_ts), day(t.last_ts)]);

beforeAll(async () => {
  const r = await runCliInProcess(['synth', '--tickers', '2', '--bars', '1500', '--seed', '4', '--out', data]);
  expect(r.code).toBe(0);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the window from the environment', () => {
  it('etl reads TICKERS, START_DATE and END_DATE when the flags are absent, and the flags win', async () => {
    const env = { ...ENV_CLEAR, TICKERS: 'SYN1', START_DATE: '2004-01-01', END_DATE: '2004-03-31' };
    const fromEnv = await runCliInProcess(['etl', '--data', data, '--db', db(), ...sets, '--json'], { env });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(spans(JSON.parse(fromEnv.stdout) as IngestJson)).toEqual([['SYN1', '2004-01-01', '2004-03-31']]);
    const flags = await runCliInProcess(['etl', '--data', data, '--db', db(), ...sets, '--tickers', 'SYN0', '--start', '2004-02-02', '--json'], { env });
    expect(flags.code, flags.stderr).toBe(0);
    expect(spans(JSON.parse(flags.stdout) as IngestJson)).toEqual([['SYN0', '2004-02-02', '2004-03-31']]);
  });

  it('a bad START_DATE or TICKERS, or an unknown ticker, is named with exit 2 and nothing is written', async () => {
    for (const [command, env, message] of [
      ['etl', { START_DATE: '2004-02-30' }, 'START_DATE: expected a date YYYY-MM-DD, got "2004-02-30"'],
      ['auto-trade', { START_DATE: '2004-2-3' }, 'START_DATE: expected a date YYYY-MM-DD, got "2004-2-3"'],
      ['run', { END_DATE: 'soon' }, 'END_DATE: expected a date YYYY-MM-DD, got "soon"'],
      ['etl', { TICKERS: ' , ' }, 'TICKERS: expected comma-separated ticker names, got " , "'],
      ['auto-trade', { TICKERS: 'SYN0,FOO' }, 'TICKERS: FOO is not in the data (tickers: SYN0, SYN1)'],
      ['run', { START_DATE: '2030-01-01' }, 'START_DATE 2030-01-01 is after the data\'s last bar (2005-09-30)'],
    ] as const) {
      const store = db();
      const r = await runCliInProcess([command, '--data', data, '--db', store, ...sets], { env: { ...ENV_CLEAR, ...env } });
      expect(r.code, `${command} ${JSON.stringify(env)}`).toBe(2);
      expect(r.stderr).toBe(`pnlopt: ${message}\n`);
      expect(existsSync(store)).toBe(false);
    }
  });

  it('HYPEROPT_ROUNDS that is not a whole number >= 0: run and auto-trade exit 2 naming it, before any work', async () => {
    for (const command of ['run', 'auto-trade']) {
      for (const value of ['abc', '-1', '1.5']) {
        const store = db();
        const r = await runCliInProcess([command, '--data', data, '--db', store, ...sets], { env: { ...ENV_CLEAR, HYPEROPT_ROUNDS: value } });
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`pnlopt: HYPEROPT_ROUNDS: expected an integer >= 0, got "${value}"\n`);
        expect(existsSync(store)).toBe(false);
      }
    }
  });
});

describe('pnlopt auto-trade', () => {
  it('over START_DATE .. END_DATE prints exactly what pnlopt paper --from --to does (the same session and fills)', async () => {
    const paper = await runCliInProcess(['paper', '--data', data, '--db', db(), ...sets, '--from', '2005-01-03', '--to', '2005-06-30', '--json'], { env: ENV_CLEAR });
    expect(paper.code, paper.stderr).toBe(0);
    const auto = await runCliInProcess(['auto-trade', '--data', data, '--db', db(), ...sets, '--json'], { env: { ...ENV_CLEAR, START_DATE: '2005-01-03', END_DATE: '2005-06-30', HYPEROPT_ROUNDS: '0' } });
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stdout).toBe(paper.stdout);
    const s = JSON.parse(auto.stdout) as { first_bar: string; last_bar: string; fills: number };
    expect([s.first_bar, s.last_bar]).toEqual(['2005-01-03', '2005-06-30']);
    expect(s.fills).toBeGreaterThan(0);
  }, 30_000);
});

describe('pnlopt run', () => {
  it('chains etl, optimize per regime on the data before --start (the runs\' records end there), auto-trade and the regime state', async () => {
    // Regimes by trend, a 100-bar warm-up and a 60-bar hold-out gate: per-regime runs fit 1,500 bars.
    let dir = configDirWith('quant_success_config.yml', (d) => d.setIn(['hold_out', 'min_bars'], 60));
    dir = configDirWith('regime_config.yml', (d) => d.setIn(['regimes', 'key'], ['trend']), dir);
    dir = configDirWith('strategy_optimization_config.yml', (d) => d.setIn(['evaluation', 'warmup_bars'], 100), dir);
    const store = db();
    const args = ['--config-dir', dir, '--data', data, '--db', store, ...sets, '--family', 'ts_with_fallback', '--optimizer', 'random', '--budget', '12', '--seed', '5', '--workers', '2'];
    const r = await runCliInProcess(['run', ...args, '--start', '2005-01-03', '--json'], { env: { ...ENV_CLEAR, END_DATE: '2005-06-30' } });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as {
      status: string; optimize_settings: { evaluation_end: string }; etl: IngestJson; optimize: { regimes: { summary: { run_id: string } | null }[] };
      paper: { first_bar: string; last_bar: string }; regime_state: { path: string };
    };
    expect(s.status).toBe('completed');
    // 2005-01-03 is a Monday: optimize's data ends the Friday before; ETL stores the bars up to END_DATE.
    expect(s.optimize_settings.evaluation_end).toBe('2004-12-31');
    expect(spans(s.etl)).toEqual([['SYN0', '2000-01-03', '2005-06-30'], ['SYN1', '2000-01-03', '2005-06-30']]);
    const runs = s.optimize.regimes.filter((g) => g.summary !== null).map((g) => g.summary!.run_id);
    expect(runs.length).toBeGreaterThan(0);
    for (const id of runs) {
      const shown = await runCliInProcess(['show', id, '--db', store, '--json']);
      const holdoutEnd = (JSON.parse(shown.stdout) as { windows: { dates: { holdout: [string, string] } } }).windows.dates.holdout[1];
      expect(holdoutEnd <= '2004-12-31', holdoutEnd).toBe(true);
    }
    expect([s.paper.first_bar, s.paper.last_bar]).toEqual(['2005-01-03', '2005-06-30']);
    expect(s.regime_state.path).toBe(state);
    expect(existsSync(state)).toBe(true);
  }, 30_000);
});
