/**
 * Loads and validates every file under `config/`. Each file has one zod schema; a failure becomes a
 * `ConfigError` listing `file: dotted.path: message`. Cross-file rules (a search space may not
 * name a guardrail, groups and conditions must resolve) are checked here, once, after parsing.
 * Guardrail sections come back deep-frozen: nothing downstream can loosen them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { canonicalJson, sha256 } from '../hashing.js';
import { displayPath, projectRoot } from '../paths.js';
import { HyperoptConfig } from './hyperopt.js';
import { QuantSuccessConfig } from './quant-success.js';
import { RegimeConfig } from './regime.js';
import { RuntimeConfig } from './runtime.js';
import { SignalRoutingConfig } from './signal-routing.js';
import { StrategyOptimizationConfig } from './strategy-optimization.js';
import { SyntheticDataConfig } from './synthetic.js';
import { checkTightenOnly, stricterWay, type ConfigOverride, type ConfigRole, type GuardrailValue } from './overrides.js';
import { checkSearchSpaces } from './space-rules.js';

export const CONFIG_FILES = {
  strategy: 'strategy_optimization_config.yml',
  quantSuccess: 'quant_success_config.yml',
  signalRouting: 'signal_routing_config.yml',
  regime: 'regime_config.yml',
  hyperopt: 'hyperopt_config.yml',
  runtime: 'runtime_config.yml',
  synthetic: 'synthetic_data_config.yml',
} as const;

export interface PnloptConfig {
  /** Paths of the files actually read, by role. */
  readonly files: { readonly [K in keyof typeof CONFIG_FILES]: string };
  readonly strategy: StrategyOptimizationConfig;
  readonly quantSuccess: Readonly<QuantSuccessConfig>;
  readonly signalRouting: Readonly<SignalRoutingConfig>;
  readonly regime: RegimeConfig;
  readonly hyperopt: HyperoptConfig;
  readonly runtime: RuntimeConfig;
  readonly synthetic: SyntheticDataConfig;
  /** sha256 of the canonical JSON of every parsed file: the run record's `config_hash`. */
  readonly hash: string;
}

export interface LoadConfigOptions {
  /** Folder with the YAML files; default: the package's `config/`. */
  dir?: string;
  /** Replaces `strategy_optimization_config.yml` (the `--config FILE` option). */
  strategyFile?: string;
  /** Keys overridden from the command line (`--set`), applied before validation. */
  overrides?: readonly ConfigOverride[];
}

/**
 * Parse one YAML file and validate it against `schema`, or throw a `ConfigError` naming the file.
 * @param overrides keys set in the parsed document before validation (`--set`)
 */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S, overrides: readonly ConfigOverride[] = []): z.infer<S> {
  const shown = displayPath(file);
  if (!existsSync(file)) throw new ConfigError(shown, [{ path: '', message: 'file not found' }]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      shown,
      doc.errors.map((e) => ({ path: `line ${lineCounter.linePos(e.pos[0]).line}`, message: `YAML syntax: ${e.message}` })),
    );
  }
  for (const o of overrides) doc.setIn(o.path, doc.createNode(o.value));
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ConfigError(
      shown,
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/** Load every config file, check the cross-file rules, freeze the guardrails. */
export function loadConfig(opts: LoadConfigOptions = {}): PnloptConfig {
  const dir = opts.dir ?? join(projectRoot(), 'config');
  const files = {
    strategy: opts.strategyFile ?? join(dir, CONFIG_FILES.strategy),
    quantSuccess: join(dir, CONFIG_FILES.quantSuccess),
    signalRouting: join(dir, CONFIG_FILES.signalRouting),
    regime: join(dir, CONFIG_FILES.regime),
    hyperopt: join(dir, CONFIG_FILES.hyperopt),
    runtime: join(dir, CONFIG_FILES.runtime),
    synthetic: join(dir, CONFIG_FILES.synthetic),
  };
  const sets = opts.overrides ?? [];
  const of = (role: ConfigRole) => sets.filter((o) => o.role === role);
  const quantSuccess = deepFreeze(loadYamlFile(files.quantSuccess, QuantSuccessConfig, of('quantSuccess')));
  const signalRouting = deepFreeze(loadYamlFile(files.signalRouting, SignalRoutingConfig, of('signalRouting')));
  if (of('quantSuccess').length + of('signalRouting').length > 0) {
    const before = guardrailValues(loadYamlFile(files.quantSuccess, QuantSuccessConfig), loadYamlFile(files.signalRouting, SignalRoutingConfig));
    checkTightenOnly(before, guardrailValues(quantSuccess, signalRouting), sets);
  }
  const strategy = loadYamlFile(files.strategy, StrategyOptimizationConfig, of('strategy'));
  checkSearchSpaces(strategy, displayPath(files.strategy), guardrailKeys(quantSuccess, signalRouting, files));
  const regime = loadYamlFile(files.regime, RegimeConfig, of('regime'));
  const hyperopt = loadYamlFile(files.hyperopt, HyperoptConfig, of('hyperopt'));
  checkHyperoptTightensOnly(hyperopt, quantSuccess, signalRouting, files);
  const runtime = loadYamlFile(files.runtime, RuntimeConfig, of('runtime'));
  const synthetic = loadYamlFile(files.synthetic, SyntheticDataConfig, of('synthetic'));
  const sections = { strategy, quantSuccess, signalRouting, regime, hyperopt, runtime, synthetic };
  return { files, ...sections, hash: configHash(sections) };
}

/**
 * sha256 of the canonical JSON of every config section: the run record's `config_hash`. Computed
 * from the sections themselves, so a config assembled in code (tests, benchmarks) hashes what it
 * holds.
 */
export function configHash(c: Omit<PnloptConfig, 'files' | 'hash'>): string {
  const { strategy, quantSuccess, signalRouting, regime, hyperopt, runtime, synthetic } = c;
  return sha256(canonicalJson({ strategy, quantSuccess, signalRouting, regime, hyperopt, runtime, synthetic }));
}

/** Every guardrail value (success criteria, hold-out rules, signal guardrails) with the way it gets stricter. */
function guardrailValues(q: QuantSuccessConfig, s: SignalRoutingConfig): GuardrailValue[] {
  const entries = [
    ...Object.entries(q.guardrails).map(([k, v]) => [`quant_success.guardrails.${k}`, k, v] as const),
    ...Object.entries(q.hold_out).map(([k, v]) => [`quant_success.hold_out.${k}`, k, v] as const),
    ...Object.entries(s.signal_routing.time_series).map(([k, v]) => [`signal_routing.signal_routing.time_series.${k}`, k, v] as const),
  ];
  return entries.map(([key, name, value]) => ({ key, value, stricter: stricterWay(name) }));
}

/** Every guardrail key, with where it is defined (for the error message). */
export function guardrailKeys(
  q: QuantSuccessConfig,
  s: SignalRoutingConfig,
  files: { quantSuccess: string; signalRouting: string },
): Map<string, string> {
  const keys = new Map<string, string>();
  for (const k of Object.keys(q.guardrails)) keys.set(k, `${displayPath(files.quantSuccess)}: guardrails.${k}`);
  for (const k of Object.keys(s.signal_routing.time_series)) {
    keys.set(k, `${displayPath(files.signalRouting)}: signal_routing.time_series.${k}`);
  }
  return keys;
}

/**
 * The higher-order driver may move `min_expected_profit` and `min_expected_return` only within ranges
 * at least as strict as the guardrails: its lower bounds may not sit below them.
 */
function checkHyperoptTightensOnly(
  h: HyperoptConfig,
  q: QuantSuccessConfig,
  s: SignalRoutingConfig,
  files: { hyperopt: string; quantSuccess: string; signalRouting: string },
): void {
  const { ranges } = h.hyperopt;
  const issues: { path: string; message: string }[] = [];
  const floors = [
    ['min_expected_profit', q.guardrails.min_expected_profit, `${displayPath(files.quantSuccess)}: guardrails.min_expected_profit`],
    ['min_expected_return', s.signal_routing.time_series.min_expected_return, `${displayPath(files.signalRouting)}: signal_routing.time_series.min_expected_return`],
  ] as const;
  for (const [key, floor, where] of floors) {
    if (ranges[key].low < floor) {
      issues.push({ path: `hyperopt.ranges.${key}.low`, message: `${ranges[key].low} would loosen the guardrail ${floor} (${where}); the range must start at or above it` });
    }
  }
  for (const [key, r] of Object.entries(ranges)) {
    if (!(r.low <= r.high)) issues.push({ path: `hyperopt.ranges.${key}`, message: `expected low <= high, got low ${r.low} and high ${r.high}` });
  }
  if (issues.length > 0) throw new ConfigError(displayPath(files.hyperopt), issues);
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
