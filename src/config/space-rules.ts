/**
 * Rules across a strategy config that a schema cannot express: no parameter may be named after a
 * guardrail (the optimizer must never be able to move one), groups exist, names are unique per
 * family, `when` conditions point at categorical parameters and their choices, constraints point
 * at unconditional numeric parameters and leave some candidate feasible (no cycle, no parameter
 * without a value).
 */
import { ConfigError } from '../errors.js';
import { familyParams, type NamedParam } from './family-space.js';
import { constraintGraph } from './pair-constraints.js';
import type { StrategyOptimizationConfig } from './strategy-optimization.js';

interface Issue {
  path: string;
  message: string;
}

/** Throw a `ConfigError` for `file` listing every broken rule. */
export function checkSearchSpaces(cfg: StrategyOptimizationConfig, file: string, guardrails: ReadonlyMap<string, string>): void {
  const issues: Issue[] = [];
  for (const [g, space] of Object.entries(cfg.param_groups)) {
    for (const p of Object.keys(space)) guardrailIssue(p, `param_groups.${g}.${p}`, guardrails, issues);
  }
  for (const [fname, family] of Object.entries(cfg.families)) {
    for (const p of Object.keys(family.params)) guardrailIssue(p, `families.${fname}.params.${p}`, guardrails, issues);
    const missing = family.groups.filter((g) => !(g in cfg.param_groups));
    missing.forEach((g) => issues.push({ path: `families.${fname}.groups`, message: `unknown parameter group "${g}" (not under param_groups)` }));
    if (missing.length === 0) familyIssues(fname, familyParams(cfg, fname), cfg, issues);
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
}

function guardrailIssue(param: string, path: string, guardrails: ReadonlyMap<string, string>, issues: Issue[]): void {
  const where = guardrails.get(param);
  if (where !== undefined) {
    issues.push({ path, message: `names the guardrail "${param}" (${where}); guardrails are read-only and cannot be searched` });
  }
}

function familyIssues(fname: string, params: NamedParam[], cfg: StrategyOptimizationConfig, issues: Issue[]): void {
  const byName = new Map<string, NamedParam>();
  for (const p of params) {
    const prev = byName.get(p.name);
    if (prev) issues.push({ path: p.path, message: `parameter "${p.name}" is declared twice for family ${fname} (also at ${prev.path})` });
    byName.set(p.name, p);
  }
  for (const p of params) {
    for (const [dep, values] of Object.entries(p.spec.when ?? {})) {
      const target = byName.get(dep);
      if (target?.spec.type !== 'categorical') {
        issues.push({ path: `${p.path}.when.${dep}`, message: `"${dep}" is not a categorical parameter of family ${fname}` });
        continue;
      }
      for (const v of Array.isArray(values) ? values : [values]) {
        if (!target.spec.choices.includes(v)) {
          issues.push({ path: `${p.path}.when.${dep}`, message: `${JSON.stringify(v)} is not a choice of ${dep} (${target.spec.choices.join(', ')})` });
        }
      }
    }
  }
  const constraints = cfg.families[fname]?.constraints ?? [];
  const before = issues.length;
  constraints.forEach((c, i) => {
    for (const side of [c.lhs, c.rhs]) {
      const spec = byName.get(side)?.spec;
      if (spec === undefined || spec.type === 'categorical') {
        issues.push({ path: `families.${fname}.constraints.${i}`, message: `"${side}" is not a numeric parameter of family ${fname}` });
      } else if (spec.when !== undefined) {
        // A parameter that a `when` switches off has no value to compare.
        issues.push({ path: `families.${fname}.constraints.${i}`, message: `"${side}" is conditional (when); a constraint needs parameters every candidate has` });
      }
    }
  });
  if (issues.length > before || constraints.length === 0) return;
  // The search keeps every candidate inside the constraints: there must be an inside.
  const graph = constraintGraph(params, constraints);
  if (typeof graph === 'string') issues.push({ path: `families.${fname}.constraints`, message: graph });
}
