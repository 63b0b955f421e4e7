/**
 * The report pages end to end in headless Chromium (Debian's `chromium`, driven by playwright-core):
 * `pnlopt report` of a small sma_cross run on the S&P 500 data (with a paper session in its store;
 * the run's own report.html, which `pnlopt optimize` writes beside summary.json, is checked too),
 * a page with hyperopt trials, and `pnlopt serve`'s run list. For each: every chart drawn (a canvas with painted pixels), `data-points` equal to the
 * candidates or bars it should show, no console error, no request but the page itself (every
 * request is routed and any other one fails the test), a screenshot under test-artifacts/. On the
 * Pareto chart, hovering a point shows that candidate's id.
 *
 * One browser for every case. Skipped, saying why, only when the browser cannot start.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizationSummary } from '../../src/jobs/optimize.js';
import type { ReportModel } from '../../src/report/html/model.js';
import { ROOT, runCliInProcess } from '../helpers/cli.js';
import { configDirWith } from '../helpers/config-dir.js';

// The compiled modules, as the in-process CLI runs them: the store this test writes and serves is the one the CLI reads.
const dist = (path: string): Promise<unknown> => import(join(ROOT, 'dist', 'src', path));
const { chartLibrarySource } = (await dist('report/html/chart-library.js')) as typeof import('../../src/report/html/chart-library.js');
const { renderReport } = (await dist('report/html/render.js')) as typeof import('../../src/report/html/render.js');
const { startServing } = (await dist('cli/commands/serve.js')) as typeof import('../../src/cli/commands/serve.js');
const { DatabaseManager } = (await dist('store/database.js')) as typeof import('../../src/store/database.js');
const { MIGRATIONS } = (await dist('store/migrations.js')) as typeof import('../../src/store/migrations.js');
const { PaperBook } = (await dist('store/paper-book.js')) as typeof import('../../src/store/paper-book.js');

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SP500 = join(ROOT, 'data', 'sp500_daily_ohlcv_2000_2020.csv');

let browser: Browser | undefined;
let skipReason = '';
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
} catch (err) {
  skipReason = `headless Chromium (${CHROMIUM}) cannot start: ${(err as Error).message.split('\n')[0]}; install Debian's chromium package (.ci/run does)`;
  console.warn(`tests/report/browser.test.ts skipped: ${skipReason}`);
}

const dirs: string[] = [];
afterAll(async () => {
  await browser?.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** What the in-page predicates read of the page's document (the project type-checks without the DOM library). */
interface PageElement {
  hasAttribute(name: string): boolean;
  readonly textContent: string | null;
  readonly style: { readonly display: string };
}
interface PageDocument {
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}

/** Every chart has rendered (run in the page, which allows no eval: predicates are functions, not text). */
function allRendered(): boolean {
  const doc = (globalThis as unknown as { document: PageDocument }).document;
  return Array.from(doc.querySelectorAll('[data-chart]')).every((e) => e.hasAttribute('data-rendered'));
}

/** What a page did while loaded: console errors and requests other than the page. */
interface Visit {
  readonly page: Page;
  readonly errors: string[];
  readonly foreign: string[];
}

/** Open `url` with every request routed: the page itself passes, anything else is recorded and aborted. Waits until every chart has rendered. */
async function visit(url: string): Promise<Visit> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    foreign.push(u);
    return route.abort();
  });
  await page.goto(url);
  await page.waitForFunction(allRendered);
  return { page, errors, foreign };
}

/** Per chart element: its kind, `data-points`, and whether its canvas has any painted pixel. */
async function charts(page: Page): Promise<{ kind: string; points: number; painted: boolean }[]> {
  return page.$$eval('[data-chart]', (els) =>
    els.map((el) => {
      const canvas = el.querySelector('canvas');
      let painted = false;
      if (canvas !== null) {
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < px.length && !painted; i += 4) painted = px[i] !== 0;
      }
      return { kind: el.getAttribute('data-chart')!, points: Number(el.getAttribute('data-points')), painted };
    }),
  );
}

/** The kinds of the chart elements of a page's HTML, in order. */
function chartKinds(html: string): string[] {
  return [...html.matchAll(/<div class="chart" data-chart="([a-z]+)"/g)].map((m) => m[1]);
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: true });
  expect(existsSync(path)).toBe(true);
}

describe.skipIf(browser === undefined)('report pages in headless Chromium', () => {
  let dir: string;
  let db: string;
  let cfgDir: string;
  let summary: OptimizationSummary;
  /** Fills of the paper session put in the store before the run: two closing fills realize 150 and -40. */
  const FILL_TS = [Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3), Date.UTC(2020, 0, 6), Date.UTC(2020, 0, 7)];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pnlopt-browser-'));
    dirs.push(dir);
    db = join(dir, 'runs.db');
    const dbm = new DatabaseManager(db, MIGRATIONS, 'write');
    try {
      const fill = (ts: number, side: 'buy' | 'sell', realized: number | null) => ({
        ts, ticker: 'SPX', side, quantity: 10, price: 100, fees: 1, slippage: 0.5, realized_pnl: realized, family: 'sma_cross', source: 'baseline' as const, config_id: null, regime: 'all', mode: null,
      });
      new PaperBook(dbm).recordBars(
        { sessionId: 'session-1', family: 'sma_cross', tickers: ['SPX'], initialCapital: 1e6 },
        FILL_TS,
        [fill(FILL_TS[0], 'buy', null), fill(FILL_TS[1], 'sell', 150), fill(FILL_TS[2], 'buy', null), fill(FILL_TS[3], 'sell', -40)],
        '{}',
        new Date(Date.UTC(2020, 0, 8)),
      );
    } finally {
      dbm.close();
    }
    // sma_cross holds all its equity at risk: with the capital-at-risk limit at 1, some candidates are feasible (as in backtest.test.ts).
    cfgDir = configDirWith('signal_routing_config.yml', (d) => d.setIn(['signal_routing', 'time_series', 'capital_at_risk_per_trade'], 1));
    dirs.push(cfgDir);
    const r = await runCliInProcess([
      'optimize', '--config-dir', cfgDir, '--data', SP500, '--family', 'sma_cross', '--optimizer', 'lhs', '--budget', '30', '--seed', '5', '--workers', '1',
      '--start', '2003-01-01', '--end', '2012-12-31', '--holdout-start', '2010-01-04', '--db', db, '--out', join(dir, 'run'), '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    summary = JSON.parse(r.stdout) as OptimizationSummary;
    expect(r.stderr).toContain(`report: ${join(dir, 'run', 'report.html')}`);
  });

  it("opens the run's report from a file URL: every chart drawn with its points, hover names the candidate, nothing fetched", async () => {
    expect(summary.best, 'the run must have a best configuration for the equity charts').not.toBeNull();
    expect(summary.failed).toBe(0);
    // optimize's own page leaves the regimes (seconds of GARCH refits) to pnlopt report.
    expect(chartKinds(readFileSync(join(dir, 'run', 'report.html'), 'utf8'))).toEqual(['pareto', 'convergence', 'equity', 'drawdown', 'paper']);
    const file = join(dir, 'full.html');
    const r = await runCliInProcess(['report', '--db', db, '--run', summary.run_id, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    const url = pathToFileURL(file).href;
    const { page, errors, foreign } = await visit(url);
    const drawn = await charts(page);
    const { search, holdout } = summary.windows;
    const bars = holdout.end - search.start;
    const expected = { pareto: 30, convergence: 1, equity: bars, drawdown: bars, regimes: 5105, paper: 2 };
    expect(Object.fromEntries(drawn.map((c) => [c.kind, c.points]))).toEqual(expected);
    expect(drawn.filter((c) => !c.painted).map((c) => c.kind)).toEqual([]);
    expect(await page.textContent('#cache')).toContain(summary.run_id.slice(0, 8));

    // Hover: an isolated point of the Pareto scatter (no other within 8 px), then the best. All 30 candidates have metrics, so row r is candidate r.
    const points = (await page.evaluate(`(() => {
      const el = document.querySelector('[data-chart="pareto"]');
      const chart = echarts.getInstanceByDom(el);
      const box = el.getBoundingClientRect();
      return chart.getOption().series.flatMap((s, seriesIndex) => s.data.map((v) => {
        const [x, y] = chart.convertToPixel({ seriesIndex }, [v[0], v[1]]);
        return { row: v[2], x: box.left + x, y: box.top + y, series: seriesIndex };
      }));
    })()`)) as { row: number; x: number; y: number; series: number }[];
    expect(points.length).toBe(30);
    const isolated = points.find((p) => p.series < 4 && points.every((q) => q === p || Math.hypot(q.x - p.x, q.y - p.y) > 8))!;
    const best = points.find((p) => p.row === summary.best!.candidate_id)!;
    for (const p of [isolated, best]) {
      await page.mouse.move(p.x, p.y);
      await page.waitForFunction(
        (id) => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('div')).some((d) => d.style.display !== 'none' && (d.textContent ?? '').startsWith(`candidate ${id} `)),
        p.row,
      );
    }
    await screenshot(page, 'report-optimize.png');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('draws the trials chart of a run that has trials (explore and exploit), and no Pareto chart when there are no candidates', async () => {
    const model: ReportModel = {
      title: 'trials',
      generator: 'test',
      run: { run_id: 'r', status: 'completed', kind: 'hyperopt', families: [], optimizer: null, seed: null, budget: 4, stored: 0, started_at: '-', finished_at: null, adopted: null, adoption_reason: null, best_id: null },
      governance: [],
      pareto: null,
      convergence: null,
      equity: null,
      trades: null,
      tradesExact: false,
      regimes: null,
      cache: [],
      trials: [{ trial: 0, score: 0.1, kind: 'explore' }, { trial: 1, score: 0.4, kind: 'exploit' }, { trial: 2, score: 0.3, kind: 'explore' }],
      paper: [],
      notes: [],
    };
    const file = join(dir, 'trials.html');
    writeFileSync(file, renderReport(model, chartLibrarySource()));
    const { page, errors, foreign } = await visit(pathToFileURL(file).href);
    expect(await charts(page)).toEqual([{ kind: 'trials', points: 3, painted: true }]);
    await screenshot(page, 'report-trials.png');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it("serve: the run list renders with nothing fetched and links the run's report; read-only on the store", async () => {
    const before = readFileSync(db);
    const server = await startServing({ db, port: 0, host: '127.0.0.1' });
    try {
      const list = await visit(server.url);
      expect(await charts(list.page)).toEqual([{ kind: 'runs', points: 1, painted: true }]);
      const row = await list.page.textContent('table.runs tbody');
      expect(row).toContain(summary.run_id);
      expect(row).toContain('completed');
      await screenshot(list.page, 'serve-runs.png');
      expect(list.errors).toEqual([]);
      expect(list.foreign).toEqual([]);
      // The link serves the report page (drawn in the browser by the first case).
      const href = await list.page.getAttribute(`a[href$="${summary.run_id}"]`, 'href');
      const report = await fetch(new URL(href!, server.url));
      expect(report.status).toBe(200);
      expect(chartKinds(await report.text())).toEqual(['pareto', 'convergence', 'equity', 'drawdown', 'regimes', 'paper']);
      await list.page.close();
      const missing = await fetch(new URL('/runs/no-such-run', server.url));
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain('run no-such-run: no such run');
    } finally {
      await server.close();
    }
    // Read-only: the store is as the run left it (no -wal / -shm left, its bytes unchanged by serving).
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(readFileSync(db).equals(before)).toBe(true);
  });
});

it.skipIf(browser !== undefined)('report pages in headless Chromium: skipped', () => {
  console.warn(skipReason);
});
