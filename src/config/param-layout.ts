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
}

export function paramLayout(config: PnloptConfig, family: string): ParamLayout {
  const cfg = config.strategy;
  const f = cfg.families[family];
  if (f === undefined) {
    throw new UsageError(`unknown strategy "${family}"; known: ${Object.keys(cfg.families).join(', ')}`);
  }
  const params = familyParams(cfg, family);
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
  return { family, file: displayPath(config.files.strategy), kernel: f.kernel, params, constraints: f.constraints, column, conditions };
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
  return { row, problems: problems.length > 0 ? problems : rowProblems(layout, row) };
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
