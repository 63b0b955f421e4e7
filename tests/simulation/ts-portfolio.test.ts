/**
 * The fast time-series kernel (native-free-kernels/ts-portfolio.ts, driven through the evaluator
 * as the search drives it) against the plain reference (tests/reference/ts-portfolio.ts, written
 * from docs/strategies.md and docs/metrics.md without sight of the kernel): hand-checked one-ticker
 * scenarios, then a property over random panels, forecasts, parameter rows and guardrails where
 * every metric and every equity value agree to 1e-9 relative.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/metrics.js';
import { loadConfig } from '../../src/config/load.js';
import { toShared } from '../../src/data/shared.js';
import type { Panel } from '../../src/data/types.js';
import { createRng, type Rng } from '../../src/search/rng.js';
import { createContext, derivedColumns } from '../../src/simulation/context.js';
import { createEvaluator } from '../../src/simulation/evaluator.js';
import { configuredModels, type ForecastColumns } from '../../src/simulation/forecast-columns.js';
import { encodeNamedValues, paramLayout } from '../../src/simulation/param-layout.js';
import {
  referenceTsPortfolio,
  refNormalQuantile,
  type ModelName,
  type RefForecast,
  type RefTicker,
  type RefTsEvents,
  type RefTsInput,
  type RefTsParams,
  type RefTsResult,
  type RefTsSettings,
} from '../reference/ts-portfolio.js';

const cfg = loadConfig();
const MODELS = configuredModels(cfg.strategy.forecast_models) as ModelName[];

/** Run the kernel on the reference's input: same panel, forecast columns, settings and row. */
function runKernel(input: RefTsInput): { equity: Float64Array; F: Float64Array } {
  const { tickers, settings: s, params } = input;
  const K = tickers.length;
  const T = tickers[0]!.close.length;
  const col = (key: 'open' | 'high' | 'low' | 'close' | 'volume') => toShared(tickers.flatMap((tk) => tk[key]));
  const names = tickers.map((_, k) => `T${k}`);
  const panel: Panel = {
    tickers: names,
    T,
    time: toShared(Array.from({ length: T }, (_, t) => Date.UTC(2020, 0, 1) + t * 86_400_000)),
    open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume'),
  };
  const nan = Array.from({ length: T }, () => NaN);
  const series = (pick: (f: RefForecast) => number[]) =>
    toShared(MODELS.flatMap((m) => tickers.flatMap((_, k) => { const f = input.forecasts[m]?.[k]; return f === undefined ? nan : pick(f); })));
  const forecasts: ForecastColumns = { models: MODELS, K, T, mu: series((f) => f.mu), sigma: series((f) => f.sigma) };
  const derived = derivedColumns(panel, { correlationLookback: s.correlationLookback, assetClassOf: (name) => tickers[names.indexOf(name)]!.assetClass });
  const ctx = createContext(panel, derived, forecasts, {
    initialCapital: s.initialCapital, periodsPerYear: s.periodsPerYear, fee: s.feeBps / 1e4, start: s.start, end: s.end,
    maxGrossExposure: s.maxGrossExposure, minExpectedReturn: s.minExpectedReturn, confidenceThreshold: s.confidenceThreshold,
    capitalAtRiskPerTrade: s.capitalAtRiskPerTrade,
  });
  const layout = paramLayout(cfg.strategy, params.family);
  const named = new Map<string, string>();
  for (const [key, v] of Object.entries(params)) {
    if (key === 'family' || key === 'weights' || v === undefined) continue;
    named.set(key, String(v));
  }
  for (const m of MODELS) named.set(`w_${m}`, String(params.weights[m] ?? 0));
  const { row, problems } = encodeNamedValues(layout, named);
  if (problems.length > 0) throw new Error(`invalid row: ${problems.join('; ')}`);
  const equity = new Float64Array(s.end - s.start);
  const F = new Float64Array(METRIC_COUNT);
  createEvaluator(layout, ctx).evaluateWithEquity(row, equity, F);
  return { equity, F };
}

function relErr(actual: number, expected: number): number {
  if (Number.isNaN(expected)) return Number.isNaN(actual) ? 0 : Infinity;
  if (!Number.isFinite(expected)) return actual === expected ? 0 : Infinity;
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

/** Every metric and equity value of the kernel against the reference; the first mismatch, or null. */
function firstMismatch(input: RefTsInput, ref: RefTsResult, tol = 1e-9): string | null {
  const { equity, F } = runKernel(input);
  for (const name of METRIC_NAMES) {
    const a = F[Metric[name]]!;
    const e = ref.metrics[name];
    if (relErr(a, e) > tol) return `${name}: kernel ${a} vs reference ${e}`;
  }
  for (let i = 0; i < ref.equity.length; i++) {
    if (relErr(equity[i]!, ref.equity[i]!) > tol) return `equity[${i}] (bar ${input.settings.start + i}): kernel ${equity[i]} vs reference ${ref.equity[i]}`;
  }
  return null;
}

function expectClose(actual: number, expected: number, what: string): void {
  expect(relErr(actual, expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12);
}
