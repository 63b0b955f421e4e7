/** A family's full search space: its group parameters then its own, in declaration order. */
import type { ParamSpec } from './search-space.js';
import type { FamilyConfig, StrategyOptimizationConfig } from './strategy-optimization.js';

export interface NamedParam {
  readonly name: string;
  readonly spec: ParamSpec;
  /** Dotted config path where the parameter is declared, for messages. */
  readonly path: string;
}

/** The parameters a family searches, groups first (in the order listed), then its own. */
export function familyParams(cfg: StrategyOptimizationConfig, familyName: string): NamedParam[] {
  const family: FamilyConfig | undefined = cfg.families[familyName];
  if (family === undefined) throw new Error(`unknown family ${familyName}`);
  const out: NamedParam[] = [];
  for (const g of family.groups) {
    for (const [name, spec] of Object.entries(cfg.param_groups[g] ?? {})) out.push({ name, spec, path: `param_groups.${g}.${name}` });
  }
  for (const [name, spec] of Object.entries(family.params)) out.push({ name, spec, path: `families.${familyName}.params.${name}` });
  return out;
}
