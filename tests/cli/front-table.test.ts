/** The front table of `pnlopt optimize` / `demo`: within 160 columns, percentages, the period, no parameters inline. */
import { describe, expect, it } from 'vitest';
import { frontTable } from '../../src/cli/front-table.js';
import { MAX_WIDTH, metricTable, pct, wrapList, wrapWords } from '../../src/cli/table.js';
import type { CandidateReport, FamilyStats, OptimizationSummary, ViolatingCandidate } from '../../src/jobs/optimize.js';
import { METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';

const RUN = '8e458273-6e7a-40b0-8e36-70645a9052b1';

/** A ts_ensemble-sized parameter set: 20 parameters with long names and values (the old inline text was ~450 columns). */
function longParams(i: number): Record<string, number | string> {
  const p: Record<string, number | string> = {};
  for (let k = 0; k < 18; k++) p[`parameter_with_a_long_name_${k}`] = 0.123456789 * (k + 1) + i;
  p.direction = 'long_short';
  p.order_type = 'market_with_slippage_model';
  return p;
}

function metrics(over: Partial<Record<MetricName, number>>): Record<string, number> {
  return { ...Object.fromEntries(METRIC_NAMES.map((n) => [n, 0.5])), ...over };
}

function candidate(id: number, family: string, over: Partial<Record<MetricName, number>>, holdoutReturn: number, failed: string[] = []): CandidateReport {
  return {
    candidate_id: id, family, front_rank: 0, crowding: Infinity, feasible: true, violation: 0, failed_guardrails: [],
    params: longParams(id), metrics: metrics(over),
    holdout_metrics: metrics({ total_return: holdoutReturn }), holdout_failed_guardrails: failed,
  };
}

function summary(over: Partial<OptimizationSummary> = {}): OptimizationSummary {
  const front = [
    candidate(1625, 'ts_ensemble', { total_return: 0.123, max_drawdown: 0.0000259081, sharpe: 0.852595, win_rate: 0.916667, profit_factor: 43.528, total_trades: 12, exposure: 0.41 }, 0.000549042),
    candidate(391, 'ts_with_fallback', { total_return: -0.0512, max_drawdown: 0.25, sharpe: -0.1, win_rate: 1, profit_factor: Infinity, total_trades: 6, exposure: 0 }, -0.02, ['min_win_rate']),
    candidate(12, 'sma_cross', { total_return: 1.5, max_drawdown: 0.5, sharpe: NaN, win_rate: NaN, profit_factor: 0, total_trades: 0, exposure: 1 }, NaN),
  ];
  return {
    run_id: RUN, status: 'completed', families: ['ts_ensemble', 'ts_with_fallback', 'sma_cross'], optimizer: 'bandit', seed: 20261126, budget: 5000,
    config_hash: 'c'.repeat(64), data_hash: 'd'.repeat(64), code_version: '0.1.0',
    windows: { search: { start: 252, end: 3892 }, holdout: { start: 3892, end: 5105 }, dates: { search: ['2001-01-02', '2015-06-23'], holdout: ['2015-06-24', '2020-04-17'] } },
    evaluated: 5000, simulated: 4990, failed: 0, first_error: null, on_batch_failure: 'fail', generations: 50, stop_reason: 'budget', constraint_repairs: { rejected: 0, repaired: 0 }, elapsed_s: 3.7512, candidates_per_s: 1332.9,
    best: front[0], adopted: true, adoption_reason: 'feasible on the search window and meets the success criteria on the hold-out',
    front, guardrail_failures: {}, family_stats: [], least_violating: [], out_dir: '/tmp/xrun', ...over,
  };
}

/** The cells of the table row of candidate `id`. */
function rowOf(text: string, id: number): string[] {
  const line = text.split('\n').find((l) => l.replace(/^\*/, '').trim().split(/\s+/)[0] === String(id));
  expect(line, `row of ${id}`).toBeDefined();
  return line!.replace(/^\*/, '').trim().split(/\s+/);
}

describe('frontTable', () => {
  it('keeps every line within 160 columns with long parameter sets, and shows ids instead of parameters', () => {
    const text = frontTable(summary());
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(MAX_WIDTH);
    expect(MAX_WIDTH).toBe(160);
    expect(text).not.toContain('parameter_with_a_long_name');
    expect(text).not.toContain('market_with_slippage_model');
    expect(text).toContain(`pnlopt show ${RUN}`);
    expect(text).toContain(`pnlopt export ${RUN} --out -`);
    expect(text).toContain('/tmp/xrun/summary.json');
  });

  it('shows the run, the families and the period of both windows', () => {
    const lines = frontTable(summary()).split('\n');
    expect(lines[0]).toBe(`run ${RUN} (bandit, seed 20261126): 5000 candidates in 3.75 s, 1333 candidates/s`);
    expect(lines[1]).toBe('families: ts_ensemble, ts_with_fallback, sma_cross');
    expect(lines[2]).toBe('period: search window 2001-01-02 .. 2015-06-23 (3640 bars), hold-out 2015-06-24 .. 2020-04-17 (1213 bars); 252 warm-up bars before');
  });

  it('shows the expected cells: percentages for fractions of capital, exposure, trades, the hold-out return and verdict', () => {
    const text = frontTable(summary());
    const header = text.split('\n').find((l) => l.includes('total_return'))!.trim().split(/\s+/);
    expect(header).toEqual(['id', 'family', 'total_return', 'max_drawdown', 'sharpe', 'win_rate', 'profit_factor', 'trades', 'exposure', 'holdout_return', 'holdout_ok']);
    expect(text.split('\n').find((l) => l.startsWith('*'))).toContain('1625');
    expect(rowOf(text, 1625)).toEqual(['1625', 'ts_ensemble', '12.3%', '0.00259%', '0.853', '91.7%', '43.5', '12', '41.0%', '0.0549%', 'yes']);
    expect(rowOf(text, 391)).toEqual(['391', 'ts_with_fallback', '-5.12%', '25.0%', '-0.100', '100.0%', 'inf', '6', '0%', '-2.00%', 'no']);
    expect(rowOf(text, 12)).toEqual(['12', 'sma_cross', '150.0%', '50.0%', '-', '-', '0', '0', '100.0%', '-', 'yes']);
    expect(text).toContain('adopted: feasible on the search window');
  });

  it('counts the candidates repaired into the pair constraints, when there were any', () => {
    expect(frontTable(summary())).not.toContain('pair constraints');
    expect(frontTable(summary({ constraint_repairs: { rejected: 12, repaired: 3 } }))).toContain('constraints (pairs, basket bounds): 12 sampled point(s) outside them redrawn, 3 point(s) projected into them');
  });

  it('keeps the family column only when several families ran', () => {
    const one = summary({ families: ['sma_cross'] });
    const text = frontTable(one);
    expect(text).toContain('family: sma_cross');
    expect(text.split('\n').find((l) => l.includes('total_return'))!.trim().split(/\s+/)[1]).toBe('total_return');
  });

  it('wraps a long family list instead of cutting it', () => {
    const families = Array.from({ length: 20 }, (_, i) => `family_with_a_rather_long_name_${i}`);
    const text = frontTable(summary({ families }));
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(MAX_WIDTH);
    for (const f of families) expect(text).toContain(f);
  });

  it('says why there is no table: interrupted, or nothing feasible', () => {
    const interrupted = frontTable(summary({ status: 'interrupted', front: [], best: null, adopted: false, adoption_reason: `interrupted: resume with --resume ${RUN}` }));
    expect(interrupted).toContain('period: search window 2001-01-02 .. 2015-06-23');
    expect(interrupted).toContain(`resume with --resume ${RUN}`);
    const reason = 'no candidate met every guardrail on the search window';
    expect(frontTable(summary({ front: [], best: null, adopted: false, adoption_reason: reason }))).toContain(`not adopted: ${reason}`);
  });
});

const CAR = 'signal_routing.time_series.capital_at_risk_per_trade';
const KEYS = ['guardrails.min_win_rate', 'guardrails.min_profit_factor', 'guardrails.max_drawdown', 'guardrails.min_expected_profit', 'guardrails.min_total_trades', 'guardrails.min_exposure', 'signal_routing.time_series.max_risk_score', CAR];

/** Failure counts per key: the given ones, 0 for the rest. */
function failures(given: Record<string, number>): Record<string, number> {
  return Object.fromEntries(KEYS.map((k) => [k, given[k] ?? 0]));
}

function stats(family: string, over: Partial<FamilyStats>): FamilyStats {
  return { family, candidates: 100, checked: 100, feasible: 10, guardrail_failures: failures({}), infeasible: false, binding: [], retired_after: null, ...over };
}

/** Three families: sma_cross never feasible (capital at risk, retired by the bandit), ts_ensemble never feasible either (no guardrail in common). */
const STATS = [
  stats('ts_ensemble', { candidates: 600, checked: 600, feasible: 0, guardrail_failures: failures({ 'guardrails.min_win_rate': 400, 'guardrails.min_profit_factor': 300 }), infeasible: true, retired_after: 512 }),
  stats('ts_with_fallback', { candidates: 3990, checked: 3980, feasible: 25, guardrail_failures: failures({ 'guardrails.min_win_rate': 2000, 'guardrails.max_drawdown': 955 }) }),
  stats('sma_cross', {
    candidates: 410, checked: 410, feasible: 0, guardrail_failures: failures({ [CAR]: 410, 'guardrails.min_win_rate': 41 }), infeasible: true,
    binding: [{ key: CAR, metric: 'max_capital_at_risk', threshold: 0.02, closest: 0.0593 }], retired_after: 384,
  }),
];

function violating(id: number, violation: number, violations: Record<string, number>): ViolatingCandidate {
  const c = candidate(id, 'sma_cross', { total_return: 0.5, max_drawdown: 0.2, sharpe: 0.7, win_rate: 0.6, profit_factor: 2, total_trades: 9, exposure: 0.65, max_capital_at_risk: 0.0593 }, 0);
  const { holdout_metrics, holdout_failed_guardrails, ...rest } = c;
  void holdout_metrics, holdout_failed_guardrails;
  return { ...rest, feasible: false, violation, failed_guardrails: Object.keys(violations), violations };
}

/** One family, nothing feasible: the least-violating candidates instead of the front. */
function infeasible(least: ViolatingCandidate[]): OptimizationSummary {
  const reason = `no candidate met every guardrail on the search window: ${CAR} failed by all 410 candidates (max_capital_at_risk at best 0.0593 vs limit 0.02)`;
  return summary({
    families: ['sma_cross'], front: [], best: null, adopted: false, adoption_reason: reason, evaluated: 410,
    guardrail_failures: STATS[2].guardrail_failures, family_stats: [{ ...STATS[2], retired_after: null }], least_violating: least,
  });
}

describe('frontTable: how the candidates fared against the guardrails', () => {
  it('counts the failures per guardrail (most failed first, share of the candidates with metrics), per family, and names the families never feasible', () => {
    const total = failures({ 'guardrails.min_win_rate': 2441, 'guardrails.min_profit_factor': 300, 'guardrails.max_drawdown': 955, [CAR]: 410 });
    const text = frontTable(summary({ guardrail_failures: total, family_stats: STATS }));
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(MAX_WIDTH);
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('guardrail failures'));
    // After the front and the adoption, before the pointers to the parameters.
    expect(lines[at - 1]).toMatch(/^adopted: /);
    // 600 + 3980 + 410 = 4990 with metrics; 2441 / 4990 = 48.9%, 955 / 4990 = 19.1%, 410 / 4990 = 8.22%, 300 / 4990 = 6.01%.
    expect(lines.slice(at, at + 7)).toEqual([
      'guardrail failures on the search window (4990 candidates with metrics, 25 feasible; a candidate may fail several):',
      'guardrail                                             failed  share',
      '----------------------------------------------------  ------  -----',
      'guardrails.min_win_rate                                 2441  48.9%',
      'guardrails.max_drawdown                                  955  19.1%',
      `${CAR}     410  8.22%`,
      'guardrails.min_profit_factor                             300  6.01%',
    ]);
    expect(lines.slice(at + 7, at + 13)).toEqual([
      '  ts_ensemble: 600 candidates with metrics, 0 feasible; failed: guardrails.min_win_rate 400, guardrails.min_profit_factor 300',
      '  ts_with_fallback: 3980 candidates with metrics, 25 feasible; failed: guardrails.min_win_rate 2000, guardrails.max_drawdown 955',
      `  sma_cross: 410 candidates with metrics, 0 feasible; failed: ${CAR} 410, guardrails.min_win_rate 41`,
      'family ts_ensemble: none of its 600 candidates met every guardrail (no guardrail failed by all); the bandit stopped after 512 candidates',
      // 154 columns; with ' stopped', 162.
      `family sma_cross: infeasible under the guardrails (binding: ${CAR} at best 5.93% vs limit 2.00%); the bandit`,
      '  stopped after 384 candidates',
    ]);
    expect(lines[at + 13]).toBe(`parameter values (by candidate id):   pnlopt show ${RUN}`);
    // The front itself is as before.
    expect(rowOf(text, 1625)).toEqual(['1625', 'ts_ensemble', '12.3%', '0.00259%', '0.853', '91.7%', '43.5', '12', '41.0%', '0.0549%', 'yes']);
  });

  it('says so in one line when no candidate failed any guardrail, and prints no family lines for one family', () => {
    const one = [stats('sma_cross', { feasible: 100 })];
    const text = frontTable(summary({ families: ['sma_cross'], guardrail_failures: failures({}), family_stats: one }));
    expect(text).toContain('guardrail failures on the search window: none (100 candidates with metrics)');
    expect(text).not.toContain('  sma_cross:');
    expect(text).not.toContain('family sma_cross:');
  });

  it('when nothing is feasible, shows the least-violating candidates with their gaps, then why nothing was adopted', () => {
    const text = frontTable(infeasible([violating(17, 0.663, { [CAR]: 0.0393 }), violating(4, 0.7, { [CAR]: 0.041, 'guardrails.min_win_rate': NaN })]));
    const lines = text.split('\n');
    expect(text).not.toContain('feasible Pareto front');
    expect(text).toContain(`family sma_cross: infeasible under the guardrails (binding: ${CAR} at best 5.93% vs limit 2.00%)`);
    const header = lines.find((l) => l.trim().startsWith('id'))!.trim().split(/\s+/);
    expect(header).toEqual(['id', 'violation', 'total_return', 'max_drawdown', 'sharpe', 'win_rate', 'profit_factor', 'trades', 'exposure', 'violations']);
    // The gap in the metric's units under the key's last part; `-` for an undefined metric.
    expect(rowOf(text, 17)).toEqual(['17', '0.663', '50.0%', '20.0%', '0.700', '60.0%', '2', '9', '65.0%', 'capital_at_risk_per_trade=0.0393']);
    expect(rowOf(text, 4)).toEqual(['4', '0.7', '50.0%', '20.0%', '0.700', '60.0%', '2', '9', '65.0%', 'capital_at_risk_per_trade=0.041,', 'min_win_rate=-']);
    expect(lines.findIndex((l) => l.trim().startsWith('17'))).toBeLessThan(lines.findIndex((l) => l.trim().startsWith('4 ')));
    const not = lines.findIndex((l) => l.startsWith('not adopted: '));
    expect(lines[not]).toContain(`${CAR} failed by all 410 candidates`);
    // The reason, 200 columns, continues on a second line.
    expect(lines[not + 1]).toBe('  (max_capital_at_risk at best 0.0593 vs limit 0.02)');
    expect(lines[not + 2]).toBe(`parameter values (by candidate id):   pnlopt show ${RUN}`);
  });

  it('continues the gaps of a candidate that fails many guardrails on the next rows, within 160 columns', () => {
    const many = Object.fromEntries(KEYS.map((k, i) => [k, 0.123456 * (i + 1)]));
    const text = frontTable(infeasible([violating(17, 7.5, many), violating(18, 7.6, { [CAR]: 0.05 })]));
    const lines = text.split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(MAX_WIDTH);
    const first = lines.findIndex((l) => l.trim().startsWith('17'));
    const next = lines.findIndex((l) => l.trim().startsWith('18'));
    expect(next - first).toBeGreaterThan(1);
    // Every gap is shown once, in order, and the continuation rows start at the violations column.
    const column = lines[first].indexOf('min_win_rate=');
    const gaps = lines.slice(first, next).map((l) => l.slice(column)).join(' ').split(' ');
    expect(gaps).toEqual(KEYS.map((k, i) => `${k.slice(k.lastIndexOf('.') + 1)}=${Number((0.123456 * (i + 1)).toPrecision(3))}${i < KEYS.length - 1 ? ',' : ''}`));
    for (const l of lines.slice(first + 1, next)) expect(l.slice(0, column).trim()).toBe('');
  });

  it('reads a summary stored before guardrail failures were counted', () => {
    const { guardrail_failures, family_stats, least_violating, ...old } = summary({ front: [], best: null, adopted: false, adoption_reason: 'no candidate met every guardrail on the search window' });
    void guardrail_failures, family_stats, least_violating;
    const text = frontTable(old as OptimizationSummary);
    expect(text).not.toContain('guardrail failures');
    expect(text).toContain('not adopted: no candidate met every guardrail on the search window');
  });
});

describe('table helpers', () => {
  it('pct: 3 significant digits, at least one decimal; - for NaN, inf for infinities', () => {
    expect([0.123, 0.0011, 1, -0.0512, 0, 0.000025908, 12.345, NaN, Infinity, -Infinity].map((v) => pct(v))).toEqual(
      ['12.3%', '0.110%', '100.0%', '-5.12%', '0%', '0.00259%', '1234.5%', '-', 'inf', '-inf'],
    );
    expect(pct(0.0402084961, 4)).toBe('4.021%');
  });

  it('wrapWords breaks at spaces within the width, continuations indented, and never cuts a word', () => {
    // 'x: aa bb' is 8 columns; ' cc' would make 11.
    expect(wrapWords('x: ', 'aa bb cc', '  ', 9)).toBe('x: aa bb\n  cc');
    expect(wrapWords('x: ', `${'a'.repeat(20)} b`, '  ', 9)).toBe(`x: ${'a'.repeat(20)}\n  b`);
  });

  it('wrapList breaks at the width and keeps every item', () => {
    expect(wrapList('x: ', ['aa', 'bb', 'cc'], 12)).toBe('x: aa, bb,\n   cc');
    expect(wrapList('x: ', ['a'.repeat(20)], 12)).toBe(`x: ${'a'.repeat(20)}`);
  });

  it('metricTable shows fractions of capital as percentages, right-aligned', () => {
    const text = metricTable(metrics({ total_return: 0.04020849615975197, total_trades: 8, profit_factor: Infinity, sharpe: 0.2817417158070218 }) as Record<MetricName, number>);
    const lines = text.split('\n');
    expect(lines.find((l) => l.startsWith('total_return'))).toMatch(/ 4\.021%$/);
    expect(lines.find((l) => l.startsWith('profit_factor'))).toMatch(/ inf$/);
    expect(lines.find((l) => l.startsWith('sharpe'))).toMatch(/ 0\.2817417158$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
