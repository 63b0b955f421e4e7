/**
 * The report page from a hand-made model: the `data-chart` / `data-points` contract, sections left
 * out when the model has no data for them, typed columns embedded as their bytes (NaN and
 * infinities survive), user text escaped, and the page self-contained (the library inlined, a
 * policy that allows no request).
 */
import { describe, expect, it } from 'vitest';
import type { ParetoModel, ReportModel } from '../../src/report/html/model.js';
import { embeddedJson, renderReport, renderRunList } from '../../src/report/html/render.js';

const LIB = '/* chart library */ window.echarts = {};';

function pareto(): ParetoModel {
  // Candidates 0, 1, 3 (2 failed, not stored with metrics); candidate 1's max_drawdown is NaN, so 2 points are finite on both axes.
  const metric = (values: number[]) => Float32Array.from(values);
  return {
    objectives: [{ metric: 'total_return', direction: 'maximize' }, { metric: 'max_drawdown', direction: 'minimize' }],
    metricNames: ['total_return', 'max_drawdown'],
    ids: Int32Array.from([0, 1, 3]),
    families: ['sma_cross'],
    family: Int32Array.from([0, 0, 0]),
    metrics: [metric([0.1, 0.2, 0.3]), metric([0.05, NaN, 0.1])],
    feasible: Uint8Array.from([1, 0, 1]),
    frontRank: Int32Array.from([0, 1, 0]),
    params: [{ name: 'fast', choices: null, values: Float32Array.from([5, 6, 7]) }],
    bestId: 0,
    adopted: true,
  };
}

function model(over: Partial<ReportModel> = {}): ReportModel {
  return {
    title: 'run <x>',
    generator: '0.1.0',
    run: { run_id: 'r1', status: 'completed', kind: 'optimize', families: ['sma_cross'], optimizer: 'lhs', seed: '5', budget: 4, stored: 4, started_at: 's', finished_at: 'f', adopted: true, adoption_reason: 'ok', best_id: 0 },
    governance: [{ label: 'data hash', value: 'abc' }, { label: 'ranges', value: { fast: { low: 2, high: 100 } } }],
    pareto: pareto(),
    convergence: { step: 'batch of 2 candidates', primary: 'sharpe', pair: ['total_return', 'max_drawdown'], reference: [0, 0], evaluated: Int32Array.from([2, 4]), best: Float64Array.from([NaN, 1]), hypervolume: Float64Array.from([0, 0.5]) },
    equity: null,
    trades: null,
    tradesExact: false,
    regimes: null,
    cache: [],
    trials: null,
    paper: [],
    notes: ['a note </script><script>alert(1)</script>'],
    ...over,
  };
}

/** The data-chart elements of a page, as kind=points. */
function charts(html: string): string[] {
  return [...html.matchAll(/data-chart="([a-z]+)" data-points="(\d+)"/g)].map((m) => `${m[1]}=${m[2]}`);
}

describe('renderReport', () => {
  it('gives each chart its data-points: the candidates finite on the first two objectives, the steps, the bars', () => {
    const time = Float64Array.from([0, 86_400_000, 172_800_000]);
    const equity = { candidate_id: 0, family: 'sma_cross', params: { fast: 5 }, time, equity: Float64Array.from([1, 2, 1]), drawdown: Float64Array.from([0, 0, 0.5]), buyHold: Float64Array.from([1, 1, 1]), windows: [] };
    const html = renderReport(model({ equity, trades: [], trials: [{ trial: 0, score: 1, kind: 'explore' }] }), LIB);
    expect(charts(html)).toEqual(['pareto=2', 'convergence=2', 'equity=3', 'drawdown=3', 'trials=1']);
  });

  it('leaves out the sections without data', () => {
    const html = renderReport(model({ pareto: null, convergence: null }), LIB);
    expect(charts(html)).toEqual([]);
    expect(html).not.toContain('id="pareto"');
    expect(html).toContain('The strategy cache is empty');
  });

  it('is self-contained: the library inlined, no request allowed, no src or href to fetch', () => {
    const html = renderReport(model(), LIB);
    expect(html).toContain(LIB);
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/\s(src|href)=/);
  });

  it('escapes user text, in the page and in the JSON block', () => {
    const html = renderReport(model(), LIB);
    expect(html).toContain('<h1>run &lt;x&gt;</h1>');
    // One closing tag per script element (data, library, page script): the note's </script> is escaped everywhere.
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).toContain('a note &lt;/script&gt;');
  });

  it('embeds typed columns as their bytes, tagged by type, NaN and infinities included', () => {
    const json = JSON.parse(embeddedJson({ a: Float32Array.from([1, NaN, -Infinity]), b: Int32Array.from([-1, 2]), c: Infinity })) as Record<string, { $t: string; b: string } | string>;
    const a = json.a as { $t: string; b: string };
    expect(a.$t).toBe('f32');
    const bytes = Buffer.from(a.b, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 3))).toEqual([1, NaN, -Infinity]);
    expect(json.b).toEqual({ $t: 'i32', b: Buffer.from(Int32Array.from([-1, 2]).buffer).toString('base64') });
    expect(json.c).toBe('inf');
  });
});

describe('renderRunList', () => {
  it('links every run to its report and charts the runs that have a best value', () => {
    const row = { kind: 'optimize', families: ['sma_cross'], status: 'completed', started_at: 's', budget: 10, evaluated: 10, primary_objective: 'sharpe', adopted: true };
    const html = renderRunList({ title: 'runs', generator: 'g', database: 'db', runs: [{ ...row, run_id: 'a/b', best: 1.5 }, { ...row, run_id: 'c', best: null }] }, LIB);
    expect(charts(html)).toEqual(['runs=1']);
    expect(html).toContain('<a href="/runs/a%2Fb">a/b</a>');
    expect(html).toContain('<a href="/runs/c">c</a>');
  });
});
