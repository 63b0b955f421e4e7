/**
 * A report page from its model: one self-contained HTML string. The chart library's source and
 * the data (JSON in a `<script type="application/json">` block, typed columns as base64 bytes) are
 * inlined, and the page's Content-Security-Policy allows no request at all, so it opens offline
 * from a file URL and can fetch nothing.
 *
 * Test contract (docs/report.md): each chart is one element `data-chart="<kind>"` whose
 * `data-points` is the number of points (or bars) it draws, and which gets `data-rendered` once the
 * library has finished drawing it.
 */
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.js';
import type { CacheRow, ChartKind, PaperSessionModel, ReportModel, RunListModel, TradeRow } from './model.js';

/** Typed arrays travel as their bytes, tagged with their type (decoded by the page script). */
const TYPED_TAGS = [
  [Float64Array, 'f64'],
  [Float32Array, 'f32'],
  [Int32Array, 'i32'],
  [Uint8Array, 'u8'],
] as const;

function encodeTyped(_key: string, v: unknown): unknown {
  for (const [Type, tag] of TYPED_TAGS) {
    if (v instanceof Type) return { $t: tag, b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  // JSON has no non-finite numbers; typed columns carry them, a loose number becomes a string.
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? null : v > 0 ? 'inf' : '-inf';
  return v;
}

/** The model as the JSON block's text: `<` escaped, so no text inside can end the script element. */
export function embeddedJson(model: unknown): string {
  return JSON.stringify(model, encodeTyped).replace(/</g, '\\u003c');
}

/** Text as HTML. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number for a table cell: 6 significant digits, `inf` / `nan` spelled out. */
function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** A JSON value as compact readable text. */
function jsonText(v: unknown): string {
  return esc(JSON.stringify(v, encodeTyped) ?? 'null');
}

function chart(kind: ChartKind, points: number, extra = ''): string {
  return `<div class="chart" data-chart="${kind}" data-points="${points}"${extra}></div>`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  const head = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls === '' ? '' : ` class="${cls}"`}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Candidates drawn first: those finite on the first two objectives (the page redraws on a change of axes). */
export function paretoPoints(model: ReportModel): number {
  const p = model.pareto;
  if (p === null) return 0;
  const [x, y] = [p.metricNames.indexOf(p.objectives[0]?.metric ?? ''), p.metricNames.indexOf(p.objectives[1]?.metric ?? p.objectives[0]?.metric ?? '')];
  if (x < 0 || y < 0) return 0;
  let n = 0;
  for (let i = 0; i < p.ids.length; i++) if (Number.isFinite(p.metrics[x][i]) && Number.isFinite(p.metrics[y][i])) n++;
  return n;
}

function overview(m: ReportModel): string {
  const r = m.run;
  const fields: [string, string][] = [
    ['status', r.status],
    ['kind', r.kind],
    [r.families.length > 1 ? 'families' : 'family', r.families.join(', ') || '-'],
    ['optimizer', r.optimizer ?? '-'],
    ['seed', r.seed ?? '-'],
    ['budget', r.budget === null ? '-' : String(r.budget)],
    ['stored', `${r.stored} candidate(s)`],
    ['started', r.started_at],
    ['finished', r.finished_at ?? '-'],
    ['best', r.best_id === null ? 'none' : `candidate ${r.best_id}`],
    ['adopted', r.adopted === null ? '-' : `${r.adopted ? 'yes' : 'no'}${r.adoption_reason !== null ? `: ${r.adoption_reason}` : ''}`],
  ];
  return `<dl class="overview">${fields.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function governance(m: ReportModel): string {
  const rows = m.governance.map((g) => `<dt>${esc(g.label)}</dt><dd><pre>${typeof g.value === 'string' ? esc(g.value) : jsonText(g.value)}</pre></dd>`);
  return section('governance', 'Governance record', `<dl class="governance">${rows.join('')}</dl>`);
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function paretoSection(m: ReportModel): string {
  if (m.pareto === null) return '';
  const axes = ['x', 'y'].map((a) => `<label>${a} <select id="pareto-${a}"></select></label>`).join(' ');
  return section('pareto', 'Pareto front', `<p class="hint">Every candidate with metrics on the search window; hover for its parameters and metrics. Feasible, infeasible and the best under constraints are marked.</p>\n<div class="axes">${axes}</div>\n${chart('pareto', paretoPoints(m))}`);
}

function convergenceSection(m: ReportModel): string {
  const c = m.convergence;
  if (c === null) return '';
  return section('convergence', 'Convergence', `<p class="hint">Best ${esc(c.primary)} under constraints and the hypervolume of the feasible front in (${esc(c.pair.join(', '))}) after each ${esc(c.step)}.</p>\n${chart('convergence', c.evaluated.length)}`);
}

function tradesTable(trades: readonly TradeRow[]): string {
  if (trades.length === 0) return '<p>No trade: the configuration never entered the market.</p>';
  return table(['#', 'ticker', 'entry', 'exit', 'bars', 'pnl', 'return'], trades.map((t, i) => [String(i + 1), esc(t.ticker ?? 'all'), esc(t.entry), esc(t.exit), String(t.bars), num(t.pnl), num(t.return)]), 'trades');
}

function equitySection(m: ReportModel): string {
  const e = m.equity;
  if (e === null) return '';
  const params = Object.entries(e.params).map(([k, v]) => `${k}=${String(v)}`).join(', ');
  return section(
    'equity',
    'Equity of the best configuration',
    `<p class="hint">Candidate ${e.candidate_id} (${esc(e.family)}): ${esc(params)}. Search and hold-out windows shaded; buy and hold of the same capital for comparison.</p>\n` +
      `${chart('equity', e.time.length)}\n<h3>Drawdown</h3>\n${chart('drawdown', e.drawdown.length)}\n` +
      `<h3>Trades</h3>\n<p class="hint">${m.tradesExact ? 'Every closed trade: the fills of the paper-trading engine, which reproduces the backtest of this configuration exactly; return on the equity at the entry decision.' : 'Stretches in the market, read from the equity curve (the family has no live strategy to replay its fills): from the bar whose fill opened a position to the bar whose fill closed the last one.'}</p>\n${tradesTable(m.trades ?? [])}`,
  );
}

function regimesSection(m: ReportModel): string {
  const r = m.regimes;
  if (r === null) return '';
  return section('regimes', `Regimes of ${r.ticker}`, `<p class="hint">${r.segments.length} segment(s) over the closes, one colour per regime key.</p>\n${chart('regimes', r.time.length)}`);
}

function cacheSection(rows: readonly CacheRow[]): string {
  const body =
    rows.length === 0
      ? '<p>The strategy cache is empty: no run has adopted a configuration yet.</p>'
      : table(
          ['family', 'regime', 'status', 'current', 'run', 'created', 'data', 'window', 'params', 'metrics', 'hold-out metrics'],
          rows.map((c) => [esc(c.family), esc(c.regime), esc(c.status), c.current ? 'yes' : '', esc(c.run_id), esc(c.created_at), esc(c.data_hash.slice(0, 12)), jsonText(c.window), jsonText(c.params), jsonText(c.metrics), jsonText(c.holdout_metrics)]),
          'cache',
        );
  return section('cache', 'Best known configuration per family and regime', body);
}

function trialsSection(m: ReportModel): string {
  if (m.trials === null) return '';
  return section('trials', 'Hyper-parameter trials', `<p class="hint">Score per trial, explore and exploit apart.</p>\n${chart('trials', m.trials.length)}`);
}

function paperSection(sessions: readonly PaperSessionModel[]): string {
  if (sessions.length === 0) return '';
  const parts = sessions.map((s, i) => {
    const head = `<h3>Session ${esc(s.session_id.slice(0, 12))}: ${esc(s.family)} on ${esc(s.tickers.join(', '))}</h3>\n<p class="hint">${s.bars} bar(s), ${esc(s.first)} .. ${esc(s.last)}, initial capital ${num(s.initial_capital)}; ${s.fills.length} fill(s).</p>`;
    const fills = table(s.columns, s.fills.map((row) => row.map((v) => (typeof v === 'number' ? num(v) : v === null ? '-' : esc(v)))), 'fills');
    return `${head}\n${chart('paper', s.realizedTime.length, ` data-session="${i}"`)}\n${fills}`;
  });
  return section('paper', 'Paper trading: fills and realized PnL', parts.join('\n'));
}

function notesSection(notes: readonly string[]): string {
  return notes.length === 0 ? '' : `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
}

function page(title: string, body: string, data: unknown, chartLibrary: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // No request of any kind: everything the page needs is in it.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head><body>',
    body,
    `<script type="application/json" id="report-data">${embeddedJson(data)}</script>`,
    // The library's own text may hold `</script`; it never does in a minified bundle, but a page must not break on it.
    `<script>${chartLibrary.replace(/<\/script/gi, '<\\/script')}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/**
 * The report page of one run.
 * @param chartLibrary the chart library's browser bundle (`chartLibrarySource`)
 */
export function renderReport(model: ReportModel, chartLibrary: string): string {
  const body = [
    `<header><h1>${esc(model.title)}</h1>${overview(model)}${notesSection(model.notes)}</header>`,
    paretoSection(model),
    convergenceSection(model),
    equitySection(model),
    regimesSection(model),
    cacheSection(model.cache),
    trialsSection(model),
    paperSection(model.paper),
    governance(model),
    `<footer>pnlopt ${esc(model.generator)}</footer>`,
  ].filter((s) => s !== '');
  return page(model.title, body.join('\n'), { page: 'report', ...model }, chartLibrary);
}

/** The run list of `pnlopt serve`: one row per run, linking its report, and the best objective per run as a chart. */
export function renderRunList(model: RunListModel, chartLibrary: string): string {
  const rows = model.runs.map((r) => [
    `<a href="/runs/${encodeURIComponent(r.run_id)}">${esc(r.run_id)}</a>`,
    esc(r.kind),
    esc(r.families.join(', ')),
    esc(r.status),
    esc(r.started_at),
    r.budget === null ? '-' : String(r.budget),
    String(r.evaluated),
    r.best === null ? '-' : `${esc(r.primary_objective ?? '')} ${num(r.best)}`,
    r.adopted === null ? '-' : r.adopted ? 'yes' : 'no',
  ]);
  const list =
    model.runs.length === 0
      ? `<p>No run in ${esc(model.database)} yet.</p>`
      : table(['run', 'kind', 'families', 'status', 'started', 'budget', 'evaluated', 'best', 'adopted'], rows, 'runs');
  const body = [
    `<header><h1>${esc(model.title)}</h1><p class="hint">${model.runs.length} run(s) in ${esc(model.database)}</p></header>`,
    section('runs', 'Runs', `${chart('runs', model.runs.filter((r) => r.best !== null && Number.isFinite(r.best)).length)}\n${list}`),
    `<footer>pnlopt ${esc(model.generator)}</footer>`,
  ];
  return page(model.title, body.join('\n'), { page: 'runs', ...model }, chartLibrary);
}
