/**
 * A family's parameter layout: which column of a parameter row holds which parameter, how values
 * are encoded (numbers as themselves, a categorical as the index of its choice, an inactive
 * conditional parameter as NaN), and the checks every row must pass.
 */
import { ConfigError, UsageError } from '../errors.js';
import { familyParams, type NamedParam } from './family-space.js';
import { displayPath } from '../paths.js';
import type { PnloptConfig } from './load.js';
import type { PairConstraint } from './strategy-optimization.js';

export interface ParamLayout {
  readonly family: string;
  /** The config file that declares the family, as shown in messages. */
  readonly file: string;
  /** Name of the registered kernel the family runs on (`families.<name>.kernel`). */
  readonly kernel: string;
  readonly params: readonly NamedParam[];
  readonly constraints: readonly PairConstraint[];
  /** Column of each parameter by name. */
  readonly column: ReadonlyMap<string, number>;
  /** Per parameter, its `when` conditions compiled: a categorical column and its allowed choice indices. */
  readonly conditions: readonly (readonly { col: number; allowed: readonly number[] }[])[];
  /** The basket dimensions, when the family searches its basket over several tickers; else null. */
  readonly basket: BasketLayout | null;
}

/**
 * Basket choice (`basket` in the strategy config): one `BASKET_CHOICES` column per ticker, in
 * sorted ticker order from `first` (so a panel in another order, as a re-optimization for a
 * regime ticker loads it, has the same space and family version); each candidate holds
 * minSize..maxSize tickers and at most classCap[c] of asset class c.
 */
export interface BasketLayout {
  readonly first: number;
  /** Sorted. */
  readonly tickers: readonly string[];
  /** Per ticker, the index of its asset class in `classCap`. */
  readonly classOf: readonly number[];
  /** Per asset class (in order of first appearance), the most tickers a basket may hold (all of them when the class has no limit). */
  readonly classCap: readonly number[];
  readonly classNames: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
}

/** A basket column's choices: index 0 keeps the ticker in, 1 leaves it out. */
export const BASKET_CHOICES = ['on', 'off'] as const;
export const BASKET_IN = 0;

/** Ticker names a basket column can carry (no separator of a CSV header or a `--params` list). */
const BASKET_TICKER = /^[A-Za-z0-9._^-]+$/;

/** The basket column of a ticker. */
export const basketParam = (ticker: string): string => `basket_${ticker}`;

/**
 * A family's layout for a data set.
 * @param tickers the panel's tickers: a family with `basket: true` gets a basket dimension per
 *   ticker when there are several
 */
export function paramLayout(config: PnloptConfig, family: string, tickers: readonly string[]): ParamLayout {
  const cfg = config.strategy;
  const f = cfg.families[family];
  if (f === undefined) {
    throw new UsageError(`unknown strategy "${family}"; known: ${Object.keys(cfg.families).join(', ')}`);
  }
  const params = familyParams(cfg, family);
  const file = displayPath(config.files.strategy);
  const basket = f.basket && tickers.length > 1 ? basketLayout(config, file, family, params, [...tickers].sort()) : null;
  if (basket !== null) {
    for (const t of basket.tickers) params.push({ name: basketParam(t), spec: { type: 'categorical', choices: [...BASKET_CHOICES] }, path: 'basket' });
  }
  const column = new Map(params.map((p, i) => [p.name, i]));
  // The config loader has checked that every condition names a categorical parameter and its choices.
  const conditions = params.map((p) =>
    Object.entries(p.spec.when ?? {}).map(([dep, values]) => {
      const col = column.get(dep)!;
      const depSpec = params[col].spec;
      const choices = depSpec.type === 'categorical' ? depSpec.choices : [];
      const wanted = Array.isArray(values) ? values : [values];
      return { col, allowed: wanted.map((v) => choices.indexOf(v)) };
    }),
  );
  return { family, file, kernel: f.kernel, params, constraints: f.constraints, column, conditions, basket };
}

/** The basket of `tickers` under the config's bounds; a `ConfigError` when no basket can meet them. */
function basketLayout(config: PnloptConfig, file: string, family: string, params: readonly NamedParam[], tickers: readonly string[]): BasketLayout {
  const cfg = config.strategy;
  const { min_size, max_size, max_per_asset_class } = cfg.basket;
  // A column name goes into CSV headers and `--params name=value,..` lists.
  const unsafe = tickers.find((t) => !BASKET_TICKER.test(t));
  if (unsafe !== undefined) {
    throw new UsageError(`ticker "${unsafe}" cannot name a basket column of ${family} (${basketParam(unsafe)}): use letters, digits and . _ ^ - in ticker names, or leave it out with --tickers`);
  }
  const clash = tickers.find((t) => params.some((p) => p.name === basketParam(t)));
  if (clash !== undefined) throw new ConfigError(file, [{ path: `families.${family}`, message: `parameter ${basketParam(clash)} clashes with the basket column of ticker ${clash}: rename the parameter` }]);
  const classNames: string[] = [];
  const classOf = tickers.map((t) => {
    const c = cfg.asset_classes.tickers[t] ?? cfg.asset_classes.default_asset_class;
    if (!classNames.includes(c)) classNames.push(c);
    return classNames.indexOf(c);
  });
  const classCap = classNames.map((c) => max_per_asset_class[c] ?? tickers.length);
  const maxSize = Math.min(max_size ?? tickers.length, tickers.length);
  // The largest basket the class caps allow.
  const reachable = classNames.reduce((n, _, c) => n + Math.min(classCap[c], classOf.filter((x) => x === c).length), 0);
  if (Math.min(reachable, maxSize) < min_size) {
    throw new ConfigError(file, [{
      path: 'basket.min_size',
      message: `${min_size} tickers cannot be met by the ${tickers.length} loaded (${tickers.join(', ')}) under basket.max_size and basket.max_per_asset_class: at most ${Math.min(reachable, maxSize)}; lower it or load more tickers`,
    }]);
  }
  return { first: params.length, tickers: [...tickers], classOf, classCap, classNames, minSize: min_size, maxSize };
}

/** The problems of a row's basket (its size and asset-class counts), as sentences. */
function basketProblems(b: BasketLayout, row: Float64Array, offset: number): string[] {
  const held = b.tickers.filter((_, k) => row[offset + b.first + k] === BASKET_IN);
  const problems: string[] = [];
  if (held.length < b.minSize) problems.push(`the basket holds ${held.length} ticker(s), fewer than basket.min_size ${b.minSize}`);
  if (held.length > b.maxSize) problems.push(`the basket holds ${held.length} tickers (${held.join(', ')}), more than basket.max_size ${b.maxSize}`);
  b.classNames.forEach((c, ci) => {
    const n = b.tickers.filter((_, k) => b.classOf[k] === ci && row[offset + b.first + k] === BASKET_IN).length;
    if (n > b.classCap[ci]) problems.push(`the basket holds ${n} tickers of asset class ${c}, more than basket.max_per_asset_class.${c} ${b.classCap[ci]}`);
  });
  return problems;
}

/** A `ConfigError` about the layout's family, at `key` (dotted, below the file's root). */
export function familyConfigError(layout: ParamLayout, key: string, message: string): ConfigError {
  return new ConfigError(layout.file, [{ path: key, message }]);
}

/** Column of `name`, or a `ConfigError` naming the family (a kernel asking for what the config lacks). */
export function columnOf(layout: ParamLayout, name: string): number {
  const c = layout.column.get(name);
  if (c === undefined) {
    throw familyConfigError(layout, `families.${layout.family}`, `kernel ${layout.kernel} reads a parameter "${name}": add it to the family's params or groups`);
  }
  return c;
}

/** Whether parameter j is present given the row's categorical values (all its conditions hold). */
export function isActive(layout: ParamLayout, j: number, row: Float64Array, offset = 0): boolean {
  for (const c of layout.conditions[j]) {
    if (!c.allowed.includes(row[offset + c.col])) return false;
  }
  return true;
}

/** Every problem of one encoded row, as readable sentences (empty when the row is valid). */
export function rowProblems(layout: ParamLayout, row: Float64Array, offset = 0): string[] {
  const problems: string[] = [];
  layout.params.forEach((p, j) => {
    const v = row[offset + j];
    const active = isActive(layout, j, row, offset);
    if (!active) {
      if (!Number.isNaN(v)) problems.push(`${p.name} only applies when ${whenText(p)}`);
      return;
    }
    if (Number.isNaN(v)) {
      problems.push(`missing parameter ${p.name}`);
      return;
    }
    const s = p.spec;
    if (s.type === 'categorical') {
      if (!Number.isInteger(v) || v < 0 || v >= s.choices.length) problems.push(`${p.name}: expected one of ${s.choices.join(', ')}`);
    } else if (v < s.low || v > s.high || (s.type === 'int' && !Number.isInteger(v))) {
      problems.push(`${p.name} = ${v} is out of range: expected ${s.type === 'int' ? 'an integer' : 'a number'} in [${s.low}, ${s.high}]`);
    }
  });
  if (problems.length > 0) return problems;
  for (const c of layout.constraints) {
    const a = row[offset + layout.column.get(c.lhs)!];
    const b = row[offset + layout.column.get(c.rhs)!];
    const ok = c.op === '<' ? a < b : c.op === '<=' ? a <= b : c.op === '>' ? a > b : a >= b;
    if (!ok) problems.push(`${c.lhs} ${c.op} ${c.rhs} is required, got ${c.lhs} = ${a} and ${c.rhs} = ${b}`);
  }
  if (layout.basket !== null) problems.push(...basketProblems(layout.basket, row, offset));
  return problems;
}

function whenText(p: NamedParam): string {
  return Object.entries(p.spec.when ?? {})
    .map(([k, v]) => `${k} is ${Array.isArray(v) ? v.join(' or ') : String(v)}`)
    .join(' and ');
}

/**
 * Encode named textual values (`fast=10`, `sizing=kelly`) into a row; unknown names are errors,
 * absent parameters are NaN (then reported by `rowProblems` if they are active).
 */
export function encodeNamedValues(layout: ParamLayout, values: ReadonlyMap<string, string>): { row: Float64Array; problems: string[] } {
  const row = new Float64Array(layout.params.length).fill(NaN);
  const problems: string[] = [];
  for (const [name, text] of values) {
    const j = layout.column.get(name);
    if (j === undefined) {
      problems.push(`unknown parameter ${name} for ${layout.family}; its parameters: ${layout.params.map((p) => p.name).join(', ')}`);
      continue;
    }
    const spec = layout.params[j].spec;
    if (spec.type === 'categorical') {
      const k = spec.choices.findIndex((c) => String(c) === text);
      if (k < 0) problems.push(`${name}: expected one of ${spec.choices.join(', ')}, got "${text}"`);
      else row[j] = k;
    } else {
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v)) problems.push(`${name}: expected a number, got "${text}"`);
      else row[j] = v;
    }
  }
  if (layout.basket !== null) fillBasket(layout.basket, row);
  return { row, problems: problems.length > 0 ? problems : rowProblems(layout, row) };
}

/**
 * The basket columns a row leaves unnamed (NaN): in, in ticker order, while basket.max_size and the
 * asset-class limits allow (with those named in counted first), else out. A baseline, which cannot
 * name the tickers of every data set, so trades the first tickers the bounds allow.
 */
function fillBasket(b: BasketLayout, row: Float64Array): void {
  const used = b.classCap.map(() => 0);
  let size = 0;
  b.tickers.forEach((_, k) => {
    if (row[b.first + k] !== BASKET_IN) return;
    size++;
    used[b.classOf[k]]++;
  });
  b.tickers.forEach((_, k) => {
    if (!Number.isNaN(row[b.first + k])) return;
    const fits = size < b.maxSize && used[b.classOf[k]] < b.classCap[b.classOf[k]];
    row[b.first + k] = fits ? BASKET_IN : 1 - BASKET_IN;
    if (!fits) return;
    size++;
    used[b.classOf[k]]++;
  });
}

/** Parse `k=v,k=v` into named values (throws on a malformed item). */
export function parseAssignments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--params: expected name=value, got "${item}"`);
    out.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return out;
}

/**
 * How a column of an encoded row reads back: the parameter's name, and for a categorical its
 * choices (the row holds the index of one). A run stores its families' columns with its rows, so
 * the rows stay readable whatever the config says later.
 */
export interface ParamColumn {
  readonly name: string;
  readonly choices?: readonly (string | number)[];
}

/** The layout's columns, as a run stores them. */
export function paramColumns(layout: ParamLayout): ParamColumn[] {
  return layout.params.map((p) => (p.spec.type === 'categorical' ? { name: p.name, choices: p.spec.choices } : { name: p.name }));
}

/** A row back to named values: numbers, categorical choices by name; inactive parameters (NaN) left out. */
export function decodeColumns(columns: readonly ParamColumn[], row: Float64Array, offset = 0): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  columns.forEach((c, j) => {
    const v = row[offset + j];
    if (Number.isNaN(v)) return;
    out[c.name] = c.choices !== undefined ? c.choices[v] : v;
  });
  return out;
}

/** `decodeColumns` with the layout's columns. */
export function decodeRow(layout: ParamLayout, row: Float64Array, offset = 0): Record<string, number | string> {
  return decodeColumns(paramColumns(layout), row, offset);
}
