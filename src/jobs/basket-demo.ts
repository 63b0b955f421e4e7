/**
 * The portfolio-construction part of `pnlopt demo` (issue 17): a synthetic basket with a factor
 * structure (`demo_basket` in synthetic_data_config.yml: a correlated pair and an independent
 * ticker by default) traded by the paper family's baseline three ways: as it is, with the
 * correlated-exposure penalty, and sized by risk parity. Each way's mean entry weight per ticker
 * (the weight its orders asked for, notional / equity at the decision close) shows the penalty
 * shrinking the pair's positions when the other half of the pair is held, and risk parity giving
 * the independent ticker more than either of the pair.
 */
import { windowCorrelation } from '../../native-free-kernels/stats/correlation.js';
import { encodeNamedValues, isActive, paramLayout, rowProblems } from '../config/param-layout.js';
import { UsageError } from '../errors.js';
import { displayPath } from '../paths.js';
import type { PnloptConfig } from '../config/load.js';
import { alignPanel } from '../data/panel.js';
import { generateSynthetic } from '../data/synth.js';
import { familyModule } from '../simulation/families/index.js';
import { initialPaperState, markToClose, runPaperBars } from '../simulation/paper-engine.js';
import { buildContext } from './context.js';

export interface BasketDemoVariant {
  readonly label: string;
  /** What the variant changes in the family's baseline. */
  readonly overrides: Readonly<Record<string, string | number>>;
  /** Per ticker: entries, and their mean weight (NaN without one). */
  readonly entries: readonly number[];
  readonly meanEntryWeight: readonly number[];
  readonly totalReturn: number;
}

export interface BasketDemo {
  readonly family: string;
  readonly tickers: readonly string[];
  readonly loadings: readonly number[];
  /** Pearson correlation of daily log returns over the traded window, ticker by ticker. */
  readonly correlation: readonly (readonly number[])[];
  readonly bars: number;
  readonly variants: readonly BasketDemoVariant[];
}

export async function basketDemo(cfg: PnloptConfig): Promise<BasketDemo> {
  const demo = cfg.synthetic.demo_basket;
  const family = cfg.paper.paper.family;
  const data = generateSynthetic({ tickers: demo.loadings.length, bars: demo.bars, seed: demo.seed, config: { ...cfg.synthetic, factor: { loadings: demo.loadings } } });
  const panel = alignPanel(data);
  const layout = paramLayout(cfg, family, panel.tickers);
  const start = cfg.strategy.evaluation.warmup_bars;
  const ctx = await buildContext(cfg, layout, panel, data.hash, { start, end: panel.T });
  const live = familyModule(layout).createLive!(layout, ctx);
  const baseline = cfg.strategy.families[family].baseline;
  if (baseline === undefined) throw new UsageError(`the demo basket trades families.${family}.baseline (paper.family), which ${displayPath(cfg.files.strategy)} does not have`);
  const ways: [string, Record<string, string | number>][] = [
    ['baseline', {}],
    [`correlated-exposure penalty ${demo.penalty}`, { diversification_penalty: demo.penalty }],
    [`risk parity, gross ${demo.risk_parity_gross}`, { sizing: 'risk_parity', risk_parity_gross: demo.risk_parity_gross }],
  ];
  const variants = ways.map(([label, overrides]): BasketDemoVariant => {
    const { row } = encodeNamedValues(layout, new Map(Object.entries({ ...baseline, ...overrides }).map(([k, v]) => [k, String(v)])));
    // The baseline's parameters that the override switches off (fixed_fraction under risk parity).
    layout.params.forEach((_, j) => {
      if (!isActive(layout, j, row)) row[j] = NaN;
    });
    const problems = rowProblems(layout, row);
    if (problems.length > 0) throw new UsageError(`the demo basket's ${label} (families.${family}.baseline with ${JSON.stringify(overrides)}): ${problems.join('; ')}`);
    const K = panel.tickers.length;
    const state = initialPaperState(K, cfg.strategy.simulation.initial_capital);
    const route = { row: Array.from(row), source: 'baseline' as const, configId: null, regime: 'all', mode: null };
    const entries = new Array<number>(K).fill(0);
    const weightSum = new Array<number>(K).fill(0);
    let equityBefore = markToClose(state, panel, start);
    runPaperBars({
      live, panel, from: start, to: panel.T, state, fee: ctx.settings.fee, routeAt: () => route, multiplier: () => 1,
      onBar: (t, fills) => {
        for (const f of fills) {
          if (f.realizedPnl !== null) continue;
          entries[f.k]++;
          weightSum[f.k] += (f.quantity * f.price) / equityBefore;
        }
        equityBefore = markToClose(state, panel, t);
      },
    });
    const initial = cfg.strategy.simulation.initial_capital;
    return { label, overrides, entries, meanEntryWeight: weightSum.map((w, k) => (entries[k] > 0 ? w / entries[k] : NaN)), totalReturn: equityBefore / initial - 1 };
  });
  // Log returns of bars start+1 .. T-1 (the context's column, ticker-major).
  const n = panel.T - start - 1;
  const at = (k: number) => k * panel.T + start + 1;
  const correlation = panel.tickers.map((_, k) => panel.tickers.map((__, j) => (k === j ? 1 : windowCorrelation(ctx.derived.logRet, at(k), at(j), n))));
  return { family, tickers: panel.tickers, loadings: demo.loadings, correlation, bars: panel.T - start, variants };
}
