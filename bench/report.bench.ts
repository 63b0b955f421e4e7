/**
 * The report page of a 100,000-candidate run (issue 15): the store read and model (`readStoredReport`
 * of 100,000 stored sma_cross candidates, ranked), the HTML render, and, in headless Chromium
 * (Debian's `/usr/bin/chromium` through playwright-core), the time from navigation to every chart
 * rendered (`data-rendered` on each `data-chart`), and the redraw after a change of the Pareto
 * chart's axes (the page stays responsive). The equity and regime sections need the run's data and
 * are left out: the 100,000 points are the Pareto scatter's.
 * Run alone: `npm run build && node --expose-gc dist/bench/run.js report`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser } from 'playwright-core';
import { METRIC_COUNT } from '../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../src/config/load.js';
import { paramLayout } from '../src/config/param-layout.js';
import { completeReport, readStoredReport } from '../src/jobs/report.js';
import { chartLibrarySource } from '../src/report/html/chart-library.js';
import { renderReport } from '../src/report/html/render.js';
import { createRng } from '../src/rng.js';
import { DatabaseManager } from '../src/store/database.js';
import { RunStore } from '../src/store/run-store.js';
import { median } from './median.js';
import type { SuiteResult } from './simulator.bench.js';

/** What the in-page predicates read of the page's document (the project type-checks without the DOM library). */
interface PageDocument {
  querySelectorAll(selector: string): ArrayLike<{ hasAttribute(name: string): boolean; removeAttribute(name: string): void }>;
}

/** Every chart (or those matching `selector`) has rendered; run in the page, which allows no eval: a function, not text. */
function rendered(selector: string): boolean {
  return Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll(selector)).every((e) => e.hasAttribute('data-rendered'));
}

const N = 100_000;
const BATCH = 1000;
const REPEATS = 3;
const CHROMIUM = '/usr/bin/chromium';

/** A store with one ranked nsga2 run of N sma_cross candidates with random metrics; its report page. */
async function reportPage(dir: string): Promise<{ html: string; modelMs: number; renderMs: number }> {
  const cfg = loadConfig();
  const layout = paramLayout(cfg, 'sma_cross', []);
  const d = layout.params.length;
  const rand = createRng(1, 'report-bench');
  const dbm = new DatabaseManager(join(dir, 'runs.db'));
  try {
    const store = new RunStore(dbm);
    const runId = store.createRun({
      command: 'optimize', family: 'sma_cross', optimizer: 'nsga2', seed: '1', configHash: cfg.hash, dataHash: 'bench', codeVersion: 'bench', budget: N, dataWindow: {},
      sampler: { optimizer: 'nsga2', settings: cfg.strategy.optimizer },
    });
    const X = Float64Array.from({ length: N * d }, (_, k) => (k % d === 0 ? 2 + Math.floor(rand() * 50) : 60 + Math.floor(rand() * 200)));
    const F = Float64Array.from({ length: BATCH * METRIC_COUNT });
    for (let first = 0; first < N; first += BATCH) {
      for (let k = 0; k < F.length; k++) F[k] = rand() - 0.5;
      store.writeEvaluated(runId, layout, X, Int32Array.from({ length: BATCH }, (_, i) => first + i), F);
    }
    const rank = Int32Array.from({ length: N }, () => Math.floor(rand() * 20));
    const violation = Float64Array.from({ length: N }, () => (rand() < 0.5 ? 0 : rand()));
    store.writeRanking(runId, rank, new Float64Array(N), violation);
    store.finishRun(runId, 'completed', { run_id: runId, adopted: false, adoption_reason: 'bench', best: null });
    const t0 = performance.now();
    const model = await completeReport(readStoredReport(store, store.run(runId)!), { unavailable: 'a benchmark run has no data' });
    const t1 = performance.now();
    const html = renderReport(model, chartLibrarySource());
    return { html, modelMs: t1 - t0, renderMs: performance.now() - t1 };
  } finally {
    dbm.close();
  }
}

export async function runReportBench(): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-report-bench-'));
  let browser: Browser | undefined;
  try {
    const { html, modelMs, renderMs } = await reportPage(dir);
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const figures: Record<string, number> = { report_100k_model_ms: modelMs, report_100k_html_ms: renderMs, report_100k_html_mib: Buffer.byteLength(html) / (1 << 20) };
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    } catch (err) {
      return { figures, notes: [`browser figures not measured: ${CHROMIUM} cannot start (${(err as Error).message.split('\n')[0]})`] };
    }
    const loads: number[] = [];
    const redraws: number[] = [];
    let points = 0;
    for (let rep = 0; rep < REPEATS; rep++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const t0 = performance.now();
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(rendered, '[data-chart]', { timeout: 120_000 });
      loads.push(performance.now() - t0);
      points = Number(await page.getAttribute('[data-chart="pareto"]', 'data-points'));
      // A change of axes redraws the 100,000 points: time until ECharts reports the chart finished again.
      await page.evaluate(() => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('[data-chart="pareto"]')).forEach((e) => e.removeAttribute('data-rendered')));
      const t1 = performance.now();
      await page.selectOption('#pareto-x', 'sharpe');
      await page.waitForFunction(rendered, '[data-chart="pareto"]', { timeout: 120_000 });
      redraws.push(performance.now() - t1);
      await page.close();
    }
    Object.assign(figures, { report_100k_pareto_points: points, report_100k_browser_render_ms: median(loads), report_100k_axes_redraw_ms: median(redraws) });
    console.table(figures);
    return { figures, notes: [`Chromium ${browser.version()}, median of ${REPEATS} page loads from a file URL: navigation to every chart rendered.`] };
  } finally {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
