/** A whole config against the family registry, before anything runs (main thread only). */
import { familyParams } from '../../config/family-space.js';
import type { PnloptConfig } from '../../config/load.js';
import { ConfigError } from '../../errors.js';
import { displayPath } from '../../paths.js';
import { configuredModels } from '../forecast-columns.js';
import { BY_KERNEL, KERNEL_NAMES } from './index.js';

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
