/**
 * A family's parameter layout: which column of a parameter row holds which parameter, how values
 * are encoded (numbers as themselves, a categorical as the index of its choice, an inactive
 * conditional parameter as NaN), and the checks every row must pass.
 */
import { familyParams, type NamedParam } from '../config/family-space.js';
import type { KernelName, PairConstraint, StrategyOptimizationConfig } from '../config/strategy-optimization.js';
import { UsageError } from '../errors.js';

export interface ParamLayout {
  readonly family: string;
  readonly kernel: KernelName;
  readonly params: readonly NamedParam[];
  readonly constraints: readonly PairConstraint[];
  /** Column of each parameter by name. */
  readonly column: ReadonlyMap<string, number>;
  /** Per parameter, its `when` conditions compiled: a categorical column and its allowed choice indices. */
  readonly conditions: readonly (readonly { col: number; allowed: readonly number[] }[])[];
}

export function paramLayout(cfg: StrategyOptimizationConfig, family: string): ParamLayout {
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
      const depSpec = params[col]!.spec;
      const choices = depSpec.type === 'categorical' ? depSpec.choices : [];
      const wanted = Array.isArray(values) ? values : [values];
      return { col, allowed: wanted.map((v) => choices.indexOf(v)) };
    }),
  );
  return { family, kernel: f.kernel, params, constraints: f.constraints, column, conditions };
}

/** Column of `name`, or an error naming the layout's family (a kernel asking for what config lacks). */
export function columnOf(layout: ParamLayout, name: string): number {
  const c = layout.column.get(name);
  if (c === undefined) throw new UsageError(`family ${layout.family} (kernel ${layout.kernel}) needs a parameter "${name}" in its search space`);
  return c;
}

/** Whether parameter j is present given the row's categorical values (all its conditions hold). */
export function isActive(layout: ParamLayout, j: number, row: Float64Array, offset = 0): boolean {
  for (const c of layout.conditions[j]!) {
    if (!c.allowed.includes(row[offset + c.col]!)) return false;
  }
  return true;
}

/** Every problem of one encoded row, as readable sentences (empty when the row is valid). */
export function rowProblems(layout: ParamLayout, row: Float64Array, offset = 0): string[] {
  const problems: string[] = [];
  layout.params.forEach((p, j) => {
    const v = row[offset + j]!;
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
    const a = row[offset + layout.column.get(c.lhs)!]!;
    const b = row[offset + layout.column.get(c.rhs)!]!;
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
    const spec = layout.params[j]!.spec;
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

/** A row back to named values: numbers, categorical choices by name; inactive parameters left out. */
export function decodeRow(layout: ParamLayout, row: Float64Array, offset = 0): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  layout.params.forEach((p, j) => {
    const v = row[offset + j]!;
    if (Number.isNaN(v)) return;
    out[p.name] = p.spec.type === 'categorical' ? p.spec.choices[v]! : v;
  });
  return out;
}
