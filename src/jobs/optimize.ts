/**
 * A whole optimization job, as `pnlopt optimize` and the demo run it: data and windows, one worker
 * pool per family over the search window, the configured search with guardrails as constraints,
 * ranking, the hold-out gate, and the governance record (SQLite `optimization_runs` /
 * the candidate tables / `strategy_configs`, and `summary.json`).
 *
 * Adoption follows the seed's governance rules: the best candidate under constraints on the search
 * window is re-run on the later hold-out window and adopted only if it meets the success criteria
 * there too (`hold_out.required`). Every feasible front-0 candidate's hold-out metrics are stored
 * for inspection, but only the in-sample choice is tested, so the hold-out never selects.
 *
 * A run explains its infeasible candidates: how many failed each guardrail, per family, which
 * guardrails every candidate of a family failed (`binding`), and, when nothing is feasible, the
 * least-violating configurations with how far each is past each limit.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { OptimizerKind } from '../config/optimizer-settings.js';
import { configHash, type PnloptConfig } from '../config/load.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData } from '../data/types.js';
import { InterruptedError, UsageError } from '../errors.js';
import { codeVersion } from '../paths.js';
import { BatchFailedError, type PoolSettings } from '../pool/coordinator.js';
import { startLocalPool, type BatchRunner, type StartRunner } from '../pool/batch-runner.js';
import { RunStore } from '../store/run-store.js';
import { StrategyCache } from '../store/strategy-cache.js';
import { familyVersion } from '../simulation/families/index.js';
import { jsonNumbers } from '../report/json.js';
import { metricRecord } from '../report/metrics.js';
import { contextFor } from '../simulation/build-context.js';
import { familyData, type ForecastProgress } from './context.js';
import type { SimulationContext } from '../simulation/context.js';
import { createEvaluator } from '../simulation/evaluator.js';
import { decodeRow, paramLayout, type ParamLayout } from '../config/param-layout.js';
import { storeOf, type StoreSource } from '../store/database.js';
import { writeFileAtomic } from '../write-atomic.js';
import { decodePoints } from '../search/encoding.js';
import { FamilyEvaluation, StoredRows, type CandidateCounter, type GuardrailCounts } from './family-evaluation.js';
import { RunSession, sessionOptions } from './run-lifecycle.js';
import { checkBudgetMemory } from './memory-estimate.js';
import { failedGuardrails, guardrailChecks, guardrailGap, guardrailTally, shortfall, type GuardrailCheck } from '../search/guardrails.js';
import { runSearch, searchSpace, type SearchJob, type SearchResult } from '../search/optimize.js';
import { evaluationWindows, type EvaluationWindows } from './windows.js';
import { blockEvaluate, checkShardable, shardBlock, shardRecord, type Shard, type ShardRecord } from './shards.js';
import { checkIslands, islandSearch, type IslandSetup } from './islands.js';

/** The regime key of a run over every bar (not per regime): its adoption serves any regime the cache has no entry for. */
export const ALL_REGIMES = 'all';

export interface OptimizationRequest {
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  readonly tickers?: readonly string[];
  readonly families: readonly string[];
  readonly optimizer: OptimizerKind;
  /** Candidates to evaluate. */
  readonly budget: number;
  /** Wall-time limit in seconds (Infinity: none). A run stopped by it is not reproducible bit for bit. */
  readonly maxSeconds: number;
  readonly seed: number;
  readonly pool: PoolSettings;
  /** What evaluates each family's candidates: by default a local pool of `pool.workers` threads; `--queue`: the distributed queue's coordinator. */
  readonly startRunner?: StartRunner;
  /** The store, or how to open it once every input is checked (`StoreSource`). */
  readonly dbm: StoreSource;
  /** Folder for summary.json; default `runtime.runs_dir/<run id>`. */
  readonly outDir?: string;
  /** Continue this interrupted run instead of starting a new one. */
  readonly resume?: string;
  /** The id of a new run (default: a random UUID): the hyperopt driver names its re-run `<RUN_ID>_best`. */
  readonly runId?: string;
  readonly signal?: AbortSignal;
  /** The settings a resume restores (the command line, resolved), given the run's output folder; stored with a new run. */
  readonly invocation?: (outDir: string) => unknown;
  /** Called once the run is open (created or reopened), before any work, with the candidates left to evaluate (the budget less those a resume finds stored). */
  readonly onStart?: (runId: string, remaining: number) => void;
  readonly onProgress?: (finished: number, total: number) => void;
  /** Called as the forecast columns are computed (not when they come whole from the cache). */
  readonly onForecasts?: (p: ForecastProgress) => void;
  /** A per-regime run (`runPerRegime`): `data` is the regime's bars spliced; the run and its adoption are keyed by this regime and the source data. */
  readonly regime?: RegimeSlice;
  /** Evaluate only this shard's block of the candidates (shards.ts); `pnlopt merge` ranks and gates the whole run. */
  readonly shard?: Shard;
  /** An NSGA-II island run (islands.ts): with `shard`, shard I is island I; without, every island in turn (a merge's replay). */
  readonly islands?: IslandSetup;
  /** A completed island run without a shard: each island's own result, for `merge --migrate`. */
  readonly onIslands?: (islands: readonly SearchResult[]) => void;
}

/** Which regime's bars a per-regime run searches, and of what data. */
export interface RegimeSlice {
  readonly key: string;
  /** Hash of the data the regime's bars were taken from (what `pnlopt best` compares with the data at hand). */
  readonly sourceHash: string;
  /** The ticker whose labels chose the bars. */
  readonly ticker: string;
  readonly segments: number;
  readonly bars: number;
}

/** One candidate as reported. */
export interface CandidateReport {
  readonly candidate_id: number;
  readonly family: string;
  readonly front_rank: number;
  readonly crowding: number;
  readonly feasible: boolean;
  readonly violation: number;
  readonly failed_guardrails: readonly string[];
  readonly params: Record<string, number | string>;
  readonly metrics: Record<string, number>;
  readonly holdout_metrics?: Record<string, number>;
  readonly holdout_failed_guardrails?: readonly string[];
}

/** An infeasible candidate with, per guardrail it fails, the gap past the limit in the metric's own units (`guardrailGap`; NaN, null in JSON: the metric is undefined). */
export interface ViolatingCandidate extends CandidateReport {
  readonly violations: Record<string, number>;
}

/** A guardrail that every candidate (of a family, or of the run) failed. */
export interface BindingGuardrail {
  readonly key: string;
  readonly metric: string;
  readonly threshold: number;
  /** The value nearest the threshold that any candidate reached (NaN, null in JSON: undefined for all). */
  readonly closest: number;
}

/** How one family's candidates fared against the guardrails on the search window. */
export interface FamilyStats {
  readonly family: string;
  /** Candidates of the family in the run, a resume's stored ones included. */
  readonly candidates: number;
  /** Those with metrics; the others were stored as failed (their batch failed) and are not counted below. */
  readonly checked: number;
  readonly feasible: number;
  /** Per guardrail key, candidates that failed it (a candidate may fail several). */
  readonly guardrail_failures: Record<string, number>;
  /** No candidate with metrics met every guardrail. */
  readonly infeasible: boolean;
  readonly binding: readonly BindingGuardrail[];
  /** Candidates of the family evaluated when the bandit retired it as infeasible; null if it did not. */
  readonly retired_after: number | null;
}

export interface OptimizationSummary {
  readonly run_id: string;
  /** `failed`: a batch failed on every attempt and `pool.on_batch_failure` is `stop`. */
  readonly status: 'completed' | 'interrupted' | 'failed';
  readonly families: readonly string[];
  readonly optimizer: OptimizerKind;
  readonly seed: number;
  readonly budget: number;
  readonly config_hash: string;
  readonly data_hash: string;
  readonly code_version: string;
  readonly windows: EvaluationWindows;
  readonly evaluated: number;
  /** Backtests actually run in this session: repeats of a configuration and resumed rows are not. */
  readonly simulated: number;
  /** Candidates of this session stored as failed (their batch failed on every attempt; scored worst), the first one's error, and the policy the run followed. */
  readonly failed: number;
  readonly first_error: string | null;
  readonly on_batch_failure: PoolSettings['onBatchFailure'];
  readonly generations: number;
  readonly stop_reason: string;
  /** Proposed candidates that broke a pair constraint of the space (`fast < slow`): sampled ones redrawn (`rejected`), the rest projected (`repaired`); null when interrupted. */
  readonly constraint_repairs: { readonly rejected: number; readonly repaired: number } | null;
  readonly elapsed_s: number;
  readonly candidates_per_s: number;
  readonly best: CandidateReport | null;
  readonly adopted: boolean;
  readonly adoption_reason: string;
  readonly front: readonly CandidateReport[];
  /** Per guardrail key, candidates of the run that failed it, every family (`family_stats`: each); empty unless completed. */
  readonly guardrail_failures: Record<string, number>;
  /** One per family, in `families` order; empty unless completed. */
  readonly family_stats: readonly FamilyStats[];
  /** When no candidate is feasible, the `defaults.front_rows` distinct configurations of least violation (ties: primary objective, then id); else empty. */
  readonly least_violating: readonly ViolatingCandidate[];
  readonly out_dir: string;
  /** A shard's run (`--shard I/N`): which shard and its block of candidate ids; `evaluated`, the counts and `guardrail_failures` are the block's. */
  readonly shard?: ShardRecord;
}

interface FamilySetup {
  readonly name: string;
  readonly layout: ParamLayout;
  readonly searchCtx: SimulationContext;
  readonly checks: readonly GuardrailCheck[];
  readonly pool: BatchRunner;
  /** Re-evaluates the reported front on the search window: no metric row of every candidate is kept (determinism makes them equal). */
  readonly search: ReturnType<typeof createEvaluator>;
  readonly holdout: ReturnType<typeof createEvaluator>;
}

/** Run (or resume) a job to the end or to an interruption; everything evaluated is stored either way. */
export async function runOptimization(req: OptimizationRequest): Promise<OptimizationSummary> {
  const { cfg, data } = req;
  const settings = cfg.strategy.optimizer;
  if (req.families.length !== 1 && req.optimizer !== 'bandit') {
    throw new UsageError(`--optimizer ${req.optimizer} searches one family, got ${req.families.join(', ')}: give --family NAME, or use --optimizer bandit for several`);
  }
  if (req.shard !== undefined) checkShardable(req.optimizer, req.maxSeconds);
  checkIslands(req.optimizer, req.shard, req.islands);
  // The candidates this process evaluates: the shard's block, else all.
  const block = req.shard !== undefined ? shardBlock(req.shard, req.budget) : { first: 0, end: req.budget };
  const panel = alignPanel(data, req.tickers);
  const windows = evaluationWindows(cfg, panel.time);
  const layouts = req.families.map((f) => paramLayout(cfg, f, panel.tickers));
  checkBudgetMemory(req.budget, layouts, settings.objectives.length, cfg.runtime.runtime.memory_fraction);
  const checks = guardrailChecks(cfg);
  const hash = configHash(cfg);
  const runRecord = {
    command: 'optimize',
    family: req.families.join(','),
    optimizer: req.optimizer,
    seed: String(req.seed),
    configHash: hash,
    dataHash: data.hash,
    codeVersion: codeVersion(),
    sampler: { optimizer: req.optimizer, settings, ...(req.islands !== undefined ? { islands: req.islands } : {}), ...(req.shard !== undefined ? { shard: shardRecord(req.shard, req.budget) } : {}) },
    dataWindow: { tickers: panel.tickers, ...windows },
    budget: req.budget,
    paramRanges: Object.fromEntries(layouts.map((l) => [l.family, l.params.map((p) => ({ name: p.name, ...p.spec }))])),
    regime: { regime: req.regime?.key ?? ALL_REGIMES, definition: cfg.regime.regimes, ...(req.regime !== undefined ? { ticker: req.regime.ticker, segments: req.regime.segments, bars: req.regime.bars, source_data_hash: req.regime.sourceHash } : {}) },
    constraints: { guardrails: checks, pairs: Object.fromEntries(layouts.map((l) => [l.family, l.constraints])) },
  };
  const t0 = performance.now();
  // Every family's data and evaluators before the store is opened: a family that cannot run on
  // this data (sma_cross on several tickers) is refused with nothing written.
  const prepared: Omit<FamilySetup, 'pool'>[] = [];
  for (const layout of layouts) {
    const shared = await familyData(cfg, layout, panel, data.hash, prepared[0]?.searchCtx.derived, { threads: req.pool.workers, signal: req.signal, onProgress: req.onForecasts });
    const searchCtx = contextFor(cfg, shared, windows.search);
    prepared.push({ name: layout.family, layout, searchCtx, checks, search: createEvaluator(layout, searchCtx), holdout: createEvaluator(layout, contextFor(cfg, shared, windows.holdout)) });
  }
  const dbm = storeOf(req.dbm);
  const store = new RunStore(dbm);
  const session = RunSession.open(store, runRecord, req.resume, sessionOptions(cfg, dbm, (runId) => {
    const outDir = req.outDir ?? join(cfg.runtime.runtime.runs_dir, runId);
    return req.invocation?.(outDir) ?? null;
  }, req.runId));
  const { runId, writes } = session;
  const done = session.resumed ? StoredRows.read(store, runId) : StoredRows.none();
  const total = block.end - block.first;
  req.onStart?.(runId, total - done.size);
  const outDir = req.outDir ?? join(cfg.runtime.runtime.runs_dir, runId);

  const families: FamilySetup[] = [];
  return session.run(async () => {
    try {
      for (const p of prepared) families.push({ ...p, pool: await (req.startRunner ?? startLocalPool)(p.layout, p.searchCtx, req.pool, runId) });
      const counter: CandidateCounter = { next: 0, finished: 0, simulated: 0, failed: 0, firstError: null };
      let stopped = false;
      const evaluations = families.map((f) => {
        const inputs = {
          layout: f.layout,
          ctx: f.searchCtx,
          pool: f.pool,
          poolSettings: req.pool,
          checks: f.checks,
          settings,
          store,
          runId,
          done,
          writes,
          memoBytes: cfg.runtime.runtime.memo_max_bytes,
          ...(req.signal !== undefined ? { signal: req.signal } : {}),
          onProgress: (finished: number) => req.onProgress?.(finished, total - done.size),
        };
        return new FamilyEvaluation(inputs, counter);
      });
      const evaluate = (U: Float64Array, n: number, family: number) => evaluations[family].evaluate(U, n);
      const search = (budget: number, island: Pick<SearchJob, 'stream' | 'immigrants'>) =>
        runSearch({
          optimizer: req.optimizer,
          spaces: layouts.map(searchSpace),
          budget: { maxCandidates: budget, maxWallMs: req.maxSeconds * 1000, ...(req.signal !== undefined ? { signal: req.signal } : {}) },
          seed: req.seed,
          settings,
          evaluate: req.shard !== undefined && req.islands === undefined ? blockEvaluate(block, settings.objectives.length, counter, evaluate) : evaluate,
          ...island,
        });
      const primary = settings.objectives.findIndex((o) => o.metric === settings.primary_objective);
      const islands = await (req.islands !== undefined ? islandSearch(req.islands, req.shard, req.budget, primary, counter, search) : search(req.budget, {}).then((r) => ({ result: r, islands: [r] }))).catch((err: unknown) => {
        if (err instanceof InterruptedError) return null;
        if (err instanceof BatchFailedError) {
          stopped = true;
          return null;
        }
        throw err;
      });
      const result = islands?.result ?? null;
      // Every evaluated candidate is stored before the run's end is recorded.
      writes.flush();
      const elapsed = (performance.now() - t0) / 1000;
      if (result === null || result.stopReason === 'aborted') {
        const summary = interruptedSummary(req, runId, windows, store.countStored(runId), counter, elapsed, outDir, hash, data.hash, stopped);
        session.finish(summary.status, summary);
        return summary;
      }
      if (req.shard !== undefined) return finishShard(req, req.shard, session, families, evaluations, result, windows, elapsed, outDir, counter, hash);
      if (req.islands !== undefined && islands !== null) req.onIslands?.(islands.islands);
      return finish(req, session, families, evaluations, result, windows, elapsed, outDir, counter, hash);
    } finally {
      await Promise.all(families.map((f) => f.pool.close()));
    }
  });
}

/** Rank, hold-out gate, store, adopt: the end of a completed search. */
function finish(
  req: OptimizationRequest,
  session: RunSession,
  families: readonly FamilySetup[],
  evaluations: readonly FamilyEvaluation[],
  result: SearchResult,
  windows: EvaluationWindows,
  elapsed: number,
  outDir: string,
  counter: CandidateCounter,
  hash: string,
): OptimizationSummary {
  const { cfg } = req;
  const { store, runId } = session;
  const primary = cfg.strategy.optimizer.objectives.findIndex((o) => o.metric === cfg.strategy.optimizer.primary_objective);
  const frontRows = cfg.strategy.optimizer.defaults.front_rows;
  // Parameter rows of the feasible front-0 candidates only (row j for ids[j]); each distinct configuration once.
  const ids = frontOrder(result, primary);
  const X = decodeRows(families, result, ids);
  const rows = distinctRows(ids, result, X);
  const front = rows.map((j) => ids[j]);
  // Their metrics on the search window (simulated again: equal to the stored rows, which are not kept in
  // memory) and on the hold-out, for the record; the best is the one tested.
  const metrics = new Float64Array(front.length * METRIC_COUNT);
  const holdout = new Float64Array(front.length * METRIC_COUNT);
  const reports = rows.map((j, k): CandidateReport => {
    const id = ids[j];
    const f = families[result.family[id]];
    const x = X.subarray(j * result.dims, (j + 1) * result.dims);
    const out = holdout.subarray(k * METRIC_COUNT, (k + 1) * METRIC_COUNT);
    const report = searchReport(f, result, id, x, metrics.subarray(k * METRIC_COUNT, (k + 1) * METRIC_COUNT));
    f.holdout.evaluate(x, 1, out);
    return { ...report, holdout_metrics: metricRecord(out), holdout_failed_guardrails: failedGuardrails(f.checks, out, 0) };
  });
  const best = result.best >= 0 ? reports.find((r) => r.candidate_id === result.best) ?? null : null;
  const stats = familyStats(families, evaluations, result);
  const overall = guardrailStats(families[0].checks, evaluations.map((e) => e.guardrails));
  const leastViolating = best === null ? leastViolatingReports(families, result, primary, frontRows) : [];
  const { adopted, reason } = best === null ? { adopted: false, reason: infeasibleReason(overall) } : adoption(cfg, best);
  const summary: OptimizationSummary = {
    run_id: runId,
    status: 'completed',
    families: req.families,
    optimizer: req.optimizer,
    seed: req.seed,
    budget: req.budget,
    config_hash: hash,
    data_hash: req.data.hash,
    code_version: codeVersion(),
    windows,
    evaluated: result.n,
    simulated: counter.simulated,
    ...failureCount(counter, req.pool),
    generations: result.generations,
    stop_reason: result.stopReason,
    constraint_repairs: result.repairs,
    elapsed_s: elapsed,
    candidates_per_s: result.n / elapsed,
    best,
    adopted,
    adoption_reason: reason,
    front: reports.slice(0, frontRows),
    guardrail_failures: overall.failures,
    family_stats: stats,
    least_violating: leastViolating,
    out_dir: outDir,
  };
  // summary.json first: if it cannot be written, nothing below is committed and the run fails whole.
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(summary, jsonNumbers, 2) + '\n');
  // The record of a completed run lands whole or not at all: ranks, hold-out rows, adoption, status.
  store.transaction(() => {
    store.writeRanking(runId, result.rank, result.crowding, result.violation);
    front.forEach((id, j) => store.writeHoldout(runId, id, holdout.subarray(j * METRIC_COUNT, (j + 1) * METRIC_COUNT)));
    if (adopted && best !== null) {
      const layout = families.find((f) => f.name === best.family)!.layout;
      new StrategyCache(store.dbm).adopt({
        family: best.family, familyVersion: familyVersion(layout), regime: req.regime?.key ?? ALL_REGIMES, runId, dataHash: req.regime?.sourceHash ?? req.data.hash,
        window: { search: windows.dates.search, holdout: windows.dates.holdout }, params: best.params, metrics: best.metrics, holdoutMetrics: best.holdout_metrics!,
      });
    }
    session.finish('completed', summary);
  });
  return summary;
}

/**
 * The end of a shard's search: its block is stored; ranking, the hold-out gate and adoption wait for
 * the whole population (`pnlopt merge`). Its summary counts the block.
 */
function finishShard(
  req: OptimizationRequest,
  shard: Shard,
  session: RunSession,
  families: readonly FamilySetup[],
  evaluations: readonly FamilyEvaluation[],
  result: SearchResult,
  windows: EvaluationWindows,
  elapsed: number,
  outDir: string,
  counter: CandidateCounter,
  hash: string,
): OptimizationSummary {
  const record = shardRecord(shard, req.budget);
  const summary: OptimizationSummary = {
    ...interruptedSummary(req, session.runId, windows, record.end_id - record.first_id, counter, elapsed, outDir, hash, req.data.hash, false),
    status: 'completed',
    generations: result.generations,
    stop_reason: result.stopReason,
    constraint_repairs: result.repairs,
    adoption_reason: `shard ${record.index} of ${record.count} (candidates ${record.first_id} to ${record.end_id - 1}): pnlopt merge ranks and gates the whole run`,
    guardrail_failures: guardrailStats(families[0].checks, evaluations.map((e) => e.guardrails)).failures,
    shard: record,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(summary, jsonNumbers, 2) + '\n');
  session.finish('completed', summary);
  return summary;
}

/** Candidate `id` as reported, its metrics simulated again on the search window into `row`. */
function searchReport(f: FamilySetup, result: SearchResult, id: number, x: Float64Array, row: Float64Array): CandidateReport {
  f.search.evaluate(x, 1, row);
  return {
    candidate_id: id,
    family: f.name,
    front_rank: result.rank[id],
    crowding: result.crowding[id],
    feasible: result.violation[id] === 0,
    violation: result.violation[id],
    failed_guardrails: failedGuardrails(f.checks, row, 0),
    params: decodeRow(f.layout, x),
    metrics: metricRecord(row),
  };
}

/** Adopt only a feasible best that also passes on the hold-out when the criteria require it. */
function adoption(cfg: PnloptConfig, best: CandidateReport): { adopted: boolean; reason: string } {
  if (!cfg.quantSuccess.hold_out.required) return { adopted: true, reason: 'feasible on the search window (hold_out.required is false)' };
  const failed = best.holdout_failed_guardrails ?? [];
  return failed.length === 0
    ? { adopted: true, reason: 'feasible on the search window and meets the success criteria on the hold-out' }
    : { adopted: false, reason: `the best candidate fails on the hold-out: ${failed.join(', ')}` };
}

/** Guardrail counts summed over families (every family has the same checks). */
interface GuardrailStats {
  readonly checked: number;
  readonly feasible: number;
  readonly failures: Record<string, number>;
  readonly binding: readonly BindingGuardrail[];
}

function guardrailStats(checks: readonly GuardrailCheck[], counts: readonly GuardrailCounts[]): GuardrailStats {
  const total = guardrailTally(checks);
  let checked = 0;
  let feasible = 0;
  for (const c of counts) {
    checked += c.checked;
    feasible += c.feasible;
    checks.forEach((_, k) => {
      total.failed[k] += c.tally.failed[k];
      total.leastGap[k] = Math.min(total.leastGap[k], c.tally.leastGap[k]);
    });
  }
  const binding = checks.flatMap((c, k): BindingGuardrail[] => {
    if (checked === 0 || total.failed[k] !== checked) return [];
    const gap = total.leastGap[k] === Infinity ? NaN : total.leastGap[k];
    return [{ key: c.key, metric: c.metric, threshold: c.threshold, closest: c.op === '<=' ? c.threshold + gap : c.threshold - gap }];
  });
  return { checked, feasible, failures: Object.fromEntries(checks.map((c, k) => [c.key, total.failed[k]])), binding };
}

function familyStats(families: readonly FamilySetup[], evaluations: readonly FamilyEvaluation[], result: SearchResult): FamilyStats[] {
  const candidates = new Float64Array(families.length);
  for (let i = 0; i < result.n; i++) candidates[result.family[i]]++;
  return families.map((f, i) => {
    const s = guardrailStats(f.checks, [evaluations[i].guardrails]);
    return {
      family: f.name,
      candidates: candidates[i],
      checked: s.checked,
      feasible: s.feasible,
      guardrail_failures: s.failures,
      infeasible: s.checked > 0 && s.feasible === 0,
      binding: s.binding,
      retired_after: result.retired.find((r) => r.family === f.name)?.after ?? null,
    };
  });
}

/** Why nothing was adopted when nothing was feasible: the guardrails every candidate failed, else the one failed most. */
function infeasibleReason(s: GuardrailStats): string {
  const head = 'no candidate met every guardrail on the search window';
  if (s.checked === 0) return `${head}: none has metrics (every batch failed)`;
  const num = (v: number) => (Number.isNaN(v) ? 'undefined' : String(Number(v.toPrecision(3))));
  if (s.binding.length > 0) {
    return `${head}: ${s.binding.map((b) => `${b.key} failed by all ${s.checked} candidates (${b.metric} at best ${num(b.closest)} vs limit ${num(b.threshold)})`).join('; ')}`;
  }
  const [key, n] = Object.entries(s.failures).reduce((a, b) => (b[1] > a[1] ? b : a));
  return `${head}, though no guardrail was failed by all ${s.checked} candidates; the most failed: ${key} (${n})`;
}

/**
 * When nothing is feasible: the `k` distinct configurations with the smallest violation (ties: the
 * primary objective, then id), best first, with their gaps. One pass over the run, failed (NaN)
 * candidates left out: a candidate is decoded only when it would enter the selection, and a
 * repeated configuration has its first copy's violation and objectives, so it never displaces it.
 */
function leastViolatingReports(families: readonly FamilySetup[], result: SearchResult, primary: number, k: number): ViolatingCandidate[] {
  const { n, m, dims, violation, F } = result;
  const objective = (i: number) => (Number.isNaN(F[i * m + primary]) ? Infinity : F[i * m + primary]);
  // < 0: a first; never 0 for two ids.
  const order = (a: number, b: number) => violation[a] - violation[b] || objective(a) - objective(b) || a - b;
  const ids: number[] = [];
  const configs: string[] = [];
  const x = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(violation[i]) || (ids.length === k && order(i, ids[k - 1]) > 0)) continue;
    decodeCandidate(families, result, i, x);
    const config = configKey(result.family[i], x);
    if (configs.includes(config)) continue;
    let at = ids.length;
    while (at > 0 && order(i, ids[at - 1]) < 0) at--;
    ids.splice(at, 0, i);
    configs.splice(at, 0, config);
    if (ids.length > k) {
      ids.pop();
      configs.pop();
    }
  }
  const row = new Float64Array(METRIC_COUNT);
  return ids.map((id) => {
    const f = families[result.family[id]];
    decodeCandidate(families, result, id, x);
    const report = searchReport(f, result, id, x, row);
    const violations = Object.fromEntries(f.checks.filter((c) => shortfall(c, row, 0) > 0).map((c) => [c.key, guardrailGap(c, row, 0)]));
    return { ...report, violations };
  });
}

/** Feasible front-0 rows, best under constraints first, then by the primary objective. */
function frontOrder(result: SearchResult, primary: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < result.n; i++) if (result.rank[i] === 0 && result.violation[i] === 0) ids.push(i);
  const key = (i: number) => result.F[i * result.m + primary];
  ids.sort((a, b) => (a === result.best ? -1 : b === result.best ? 1 : key(a) - key(b) || a - b));
  return ids;
}

/** Rows of X (row j for ids[j]) of the first candidate of each distinct configuration (an optimizer may propose one twice), in order. */
function distinctRows(ids: readonly number[], result: SearchResult, X: Float64Array): number[] {
  const seen = new Set<string>();
  return ids.flatMap((id, j) => {
    const key = configKey(result.family[id], X.subarray(j * result.dims, (j + 1) * result.dims));
    if (seen.has(key)) return [];
    seen.add(key);
    return [j];
  });
}

/** A configuration as text (family index and parameter row), to tell repeats apart. */
function configKey(family: number, x: Float64Array): string {
  return `${family}:${x.join(',')}`;
}

/** Candidate `id`'s parameter row into `out` (`result.dims` wide, NaN past its family's own width). */
function decodeCandidate(families: readonly FamilySetup[], result: SearchResult, id: number, out: Float64Array): void {
  const layout = families[result.family[id]].layout;
  const d = layout.params.length;
  out.fill(NaN);
  decodePoints(layout, result.U.subarray(id * result.dims, id * result.dims + d), 1, out.subarray(0, d));
}

/** Parameter rows of the candidates `ids` (row-major, row j for ids[j], `result.dims` wide). */
function decodeRows(families: readonly FamilySetup[], result: SearchResult, ids: readonly number[]): Float64Array {
  const X = new Float64Array(ids.length * result.dims);
  ids.forEach((id, j) => decodeCandidate(families, result, id, X.subarray(j * result.dims, (j + 1) * result.dims)));
  return X;
}

function interruptedSummary(
  req: OptimizationRequest,
  runId: string,
  windows: EvaluationWindows,
  evaluated: number,
  counter: CandidateCounter,
  elapsed: number,
  outDir: string,
  configHash: string,
  dataHash: string,
  /** True when a failed batch stopped the run (`pool.on_batch_failure: stop`), not an interrupt. */
  stopped: boolean,
): OptimizationSummary {
  return {
    run_id: runId, status: stopped ? 'failed' : 'interrupted', families: req.families, optimizer: req.optimizer, seed: req.seed, budget: req.budget,
    config_hash: configHash, data_hash: dataHash, code_version: codeVersion(),
    windows,
    evaluated, simulated: counter.simulated, ...failureCount(counter, req.pool), generations: 0, stop_reason: stopped ? 'batch failed' : 'aborted', constraint_repairs: null, elapsed_s: elapsed, candidates_per_s: evaluated / elapsed,
    best: null, adopted: false, adoption_reason: `${stopped ? 'stopped by a failed batch' : 'interrupted'}: resume with --resume ${runId}`, front: [],
    guardrail_failures: {}, family_stats: [], least_violating: [], out_dir: outDir,
  };
}

/** The failed candidates of a session as its summary reports them. */
function failureCount(counter: CandidateCounter, pool: PoolSettings): Pick<OptimizationSummary, 'failed' | 'first_error' | 'on_batch_failure'> {
  return { failed: counter.failed, first_error: counter.firstError, on_batch_failure: pool.onBatchFailure };
}
