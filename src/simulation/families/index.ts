/**
 * The family registry: every kernel a config family can name. Kernel names, dispatch and each
 * family's data needs are derived from this list; adding a kernel is one module here (see
 * docs/extending.md).
 */
import type { PnloptConfig } from '../../config/load.js';
import { displayPath } from '../../config/load.js';
import { familyParams } from '../../config/family-space.js';
import type { ParamLayout } from '../../config/param-layout.js';
import { ConfigError } from '../../errors.js';
import { configuredModels } from '../forecast-columns.js';
import type { FamilyModule } from './family.js';
import { smaCrossFamily } from './sma-cross.js';
import { tsEnsembleFamily } from './ts-ensemble.js';
import { tsWithFallbackFamily } from './ts-with-fallback.js';

export type { BatchEvaluator, FamilyModule } from './family.js';

export const FAMILY_MODULES: readonly FamilyModule[] = [smaCrossFamily, tsEnsembleFamily, tsWithFallbackFamily];

const BY_KERNEL = new Map(FAMILY_MODULES.map((m) => [m.kernel, m]));

export const KERNEL_NAMES: readonly string[] = FAMILY_MODULES.map((m) => m.kernel);

/** The module of the layout's kernel; a `ConfigError` at `families.<name>.kernel` for an unknown one. */
export function familyModule(layout: Pick<ParamLayout, 'family' | 'file' | 'kernel'>): FamilyModule {
  const m = BY_KERNEL.get(layout.kernel);
  if (m === undefined) {
    throw new ConfigError(layout.file, [{ path: `families.${layout.family}.kernel`, message: `unknown kernel "${layout.kernel}"; registered: ${KERNEL_NAMES.join(', ')}` }]);
  }
  return m;
}

/**
 * Check every configured family against the registry, before anything runs: its kernel exists
 * and its search space (groups and own params) declares every parameter the kernel reads.
 */
export function checkFamilies(cfg: PnloptConfig): void {
  const file = displayPath(cfg.files.strategy);
  const models = configuredModels(cfg.strategy.forecast_models);
  const issues: { path: string; message: string }[] = [];
  for (const [family, f] of Object.entries(cfg.strategy.families)) {
    const m = BY_KERNEL.get(f.kernel);
    if (m === undefined) {
      issues.push({ path: `families.${family}.kernel`, message: `unknown kernel "${f.kernel}"; registered: ${KERNEL_NAMES.join(', ')}` });
      continue;
    }
    const declared = new Set(familyParams(cfg.strategy, family).map((p) => p.name));
    const missing = m.reads(models).filter((p) => !declared.has(p));
    if (missing.length > 0) issues.push({ path: `families.${family}`, message: `kernel ${f.kernel} reads ${missing.join(', ')}: add them to the family's params or groups` });
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
}
