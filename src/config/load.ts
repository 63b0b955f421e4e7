/**
 * Loads and validates every file under `config/`. Each file has one zod schema; a failure becomes a
 * `ConfigError` listing `file: dotted.path: message`. Cross-file rules (a search space may not
 * name a guardrail, groups and conditions must resolve) are checked here, once, after parsing.
 * Guardrail sections come back deep-frozen: nothing downstream can loosen them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNode, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { canonicalJson, sha256 } from '../hashing.js';
import { displayPath, projectRoot } from '../paths.js';
import { HyperoptConfig } from './hyperopt.js';
import { PaperConfig } from './paper.js';
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
  paper: 'paper_trading_config.yml',
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
  readonly paper: PaperConfig;
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

/** Aliases a config file may resolve: config files need few; an alias bomb needs exponentially many. */
const MAX_YAML_ALIASES = 100;

/**
 * Parse one YAML file and validate it against `schema`, or throw a `ConfigError` naming the file.
 * @param overrides keys set in the parsed document before validation (`--set`)
 */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S, overrides: readonly ConfigOverride[] = []): z.infer<S> {
  const shown = displayPath(file);
  if (!existsSync(file)) throw new ConfigError(shown, [{ path: '', message: 'file not found' }]);
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(readUtf8(file, shown), { prettyErrors: false, lineCounter });
  } catch (err) {
    // The parser recurses once per nesting level: a file nested thousands deep exhausts the stack.
    if (!(err instanceof RangeError)) throw err;
    throw new ConfigError(shown, [{ path: '', message: `YAML: nested too deeply to read (${err.message})` }]);
  }
  if (doc.errors.length > 0) {
    throw new ConfigError(
      shown,
      doc.errors.map((e) => ({ path: `line ${lineCounter.linePos(e.pos[0]).line}`, message: `YAML syntax: ${e.message}` })),
    );
  }
  const complexKey = complexKeyAt(doc);
  if (complexKey !== undefined) {
    const message = 'YAML: a key that is not a plain value (a list, a map, an alias, a binary or a timestamp); config keys are names';
    throw new ConfigError(shown, [{ path: `line ${lineCounter.linePos(complexKey).line}`, message }]);
  }
  let value: unknown;
  try {
    for (const o of overrides) doc.setIn(o.path, doc.createNode(o.value));
    // The yaml package refuses an alias bomb (aliases expanding exponentially) past this count.
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new ConfigError(shown, [{ path: '', message: `YAML: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  const loop = recursivePath(value);
  if (loop !== undefined) {
    throw new ConfigError(shown, [{ path: loop.join('.'), message: 'YAML: an alias of a node that contains it (a recursive value); config values are finite' }]);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(
      shown,
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/**
 * Where the first key that is not a plain value starts, if any: a collection, an alias, or a
 * scalar that a tag makes an object (`!!binary`, a YAML 1.1 timestamp). Converted to JavaScript,
 * such a key would become its text (with a warning from the yaml package on stderr), a name
 * nobody wrote.
 */
function complexKeyAt(doc: Document): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (pair.key === null || (isScalar(pair.key) && (pair.key.value === null || typeof pair.key.value !== 'object'))) return undefined;
      at = isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
      return visit.BREAK;
    },
  });
  return at;
}

/**
 * The text of a config file, strictly UTF-8: a byte sequence that is not UTF-8 is refused at its
 * line, never read as U+FFFD (which would change a name silently).
 */
function readUtf8(file: string, shown: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ConfigError(shown, [{ path: '', message: `cannot read the file (${(err as Error).message})` }]);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // A line feed is never part of a multi-byte character: the first line that does not decode holds the bad bytes.
    let line = 1;
    for (let from = 0; from <= bytes.length; line++) {
      const end = bytes.indexOf(0x0a, from);
      try {
        decoder.decode(bytes.subarray(from, end < 0 ? bytes.length : end));
      } catch {
        break;
      }
      from = end < 0 ? bytes.length + 1 : end + 1;
    }
    throw new ConfigError(shown, [{ path: `line ${line}`, message: 'invalid UTF-8; a config file must be UTF-8 text' }]);
  }
}

/**
 * The path to the first value inside `v` that is one of its own ancestors, if any: a YAML alias of
 * a node that contains it. Validation, freezing and hashing would recurse without end.
 */
function recursivePath(v: unknown, ancestors: object[] = [], path: string[] = []): string[] | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  if (ancestors.includes(v)) return path;
  ancestors.push(v);
  for (const [k, x] of Object.entries(v)) {
    const found = recursivePath(x, ancestors, [...path, k]);
    if (found !== undefined) return found;
  }
  ancestors.pop();
  return undefined;
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
    paper: join(dir, CONFIG_FILES.paper),
  };
  const sets = opts.overrides ?? [];
  const of = (role: ConfigRole) => sets.filter((o) => o.role === role);
  const quantSuccess = deepFreeze(loadYamlFile(files.quantSuccess, QuantSuccessConfig, of('quantSuccess')));
  const signalRouting = deepFreeze(loadYamlFile(files.signalRouting, SignalRoutingConfig, of('signalRouting')));
  // The files' guardrails: `--set` may only tighten them, and the hyperopt ranges may not start below them.
  let fileGuardrails = { quantSuccess, signalRouting };
  if (of('quantSuccess').length + of('signalRouting').length > 0) {
    fileGuardrails = { quantSuccess: loadYamlFile(files.quantSuccess, QuantSuccessConfig), signalRouting: loadYamlFile(files.signalRouting, SignalRoutingConfig) };
    checkTightenOnly(guardrailValues(fileGuardrails.quantSuccess, fileGuardrails.signalRouting), guardrailValues(quantSuccess, signalRouting), sets);
  }
  const strategy = prototypeFree(loadYamlFile(files.strategy, StrategyOptimizationConfig, of('strategy')));
  checkSearchSpaces(strategy, displayPath(files.strategy), guardrailKeys(quantSuccess, signalRouting, files));
  const regime = loadYamlFile(files.regime, RegimeConfig, of('regime'));
  const hyperopt = loadYamlFile(files.hyperopt, HyperoptConfig, of('hyperopt'));
  checkHyperoptTightensOnly(hyperopt, fileGuardrails.quantSuccess, fileGuardrails.signalRouting, files);
  checkHyperoptTrial(hyperopt, strategy, quantSuccess, files);
  const runtime = loadYamlFile(files.runtime, RuntimeConfig, of('runtime'));
  const synthetic = loadYamlFile(files.synthetic, SyntheticDataConfig, of('synthetic'));
  const paper = loadYamlFile(files.paper, PaperConfig, of('paper'));
  checkPaperFamily(paper, strategy, files);
  const sections = { strategy, quantSuccess, signalRouting, regime, hyperopt, runtime, synthetic, paper };
  return { files, ...sections, hash: configHash(sections) };
}

/**
 * sha256 of the canonical JSON of every config section: the run record's `config_hash`. Computed
 * from the sections themselves, so a config assembled in code (tests, benchmarks) hashes what it
 * holds.
 */
export function configHash(c: Omit<PnloptConfig, 'files' | 'hash'>): string {
  const { strategy, quantSuccess, signalRouting, regime, hyperopt, runtime, synthetic, paper } = c;
  return sha256(canonicalJson({ strategy, quantSuccess, signalRouting, regime, hyperopt, runtime, synthetic, paper }));
}

/**
 * The strategy config with its name-keyed records (families, parameter groups, the tickers' asset
 * classes) made prototype-free: a name a user types (`--family __proto__`, a ticker `constructor`)
 * then finds nothing, instead of a member of `Object.prototype`.
 */
function prototypeFree(s: StrategyOptimizationConfig): StrategyOptimizationConfig {
  const bare = <T>(o: Record<string, T>): Record<string, T> => Object.assign(Object.create(null) as Record<string, T>, o);
  return { ...s, families: bare(s.families), param_groups: bare(s.param_groups), asset_classes: { ...s.asset_classes, tickers: bare(s.asset_classes.tickers) } };
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

/**
 * What a hyperopt trial runs must be able to run: the shortest evaluation window still holds
 * `hold_out.min_bars` hold-out bars and 2 search bars at `evaluation.hold_out_fraction` (split as
 * `evaluationWindows` splits it), and the trial's families are configured (several need the bandit).
 */
function checkHyperoptTrial(
  h: HyperoptConfig,
  s: StrategyOptimizationConfig,
  q: QuantSuccessConfig,
  files: { hyperopt: string; strategy: string; quantSuccess: string },
): void {
  const issues: { path: string; message: string }[] = [];
  const { low } = h.hyperopt.ranges.evaluation_window_bars;
  const fraction = s.evaluation.hold_out_fraction;
  const { min_bars } = q.hold_out;
  const holdout = Math.floor(low * fraction);
  if (holdout < min_bars || low - holdout < 2) {
    issues.push({
      path: 'hyperopt.ranges.evaluation_window_bars.low',
      message:
        `${low} bars leave ${holdout} hold-out bars and ${low - holdout} search bars at ${displayPath(files.strategy)}: evaluation.hold_out_fraction (${fraction}); ` +
        `${displayPath(files.quantSuccess)}: hold_out.min_bars needs ${min_bars} hold-out bars (and the search at least 2): raise the low`,
    });
  }
  const { families, optimizer } = h.trial;
  for (const f of families) {
    if (!Object.hasOwn(s.families, f)) {
      issues.push({ path: 'trial.families', message: `"${f}" is not a family of ${displayPath(files.strategy)} (families: ${Object.keys(s.families).join(', ')})` });
    }
  }
  if (families.length > 1 && optimizer !== 'bandit') {
    issues.push({ path: 'trial.optimizer', message: `${optimizer} searches one family, got ${families.join(', ')}: give one family, or use bandit for several` });
  }
  if (issues.length > 0) throw new ConfigError(displayPath(files.hyperopt), issues);
}

/** The paper family must be a configured family. */
function checkPaperFamily(p: PaperConfig, s: StrategyOptimizationConfig, files: { paper: string; strategy: string }): void {
  if (!Object.hasOwn(s.families, p.paper.family)) {
    throw new ConfigError(displayPath(files.paper), [{ path: 'paper.family', message: `"${p.paper.family}" is not a family of ${displayPath(files.strategy)} (families: ${Object.keys(s.families).join(', ')})` }]);
  }
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
