/** A whole config against the family registry, before anything runs (main thread only). */
import { familyParams } from '../../config/family-space.js';
import type { PnloptConfig } from '../../config/load.js';
import { ConfigError } from '../../errors.js';
import { displayPath } from '../../paths.js';
import { configuredModels, FORECAST_MODEL_ORDER, type ForecastModelName } from '../forecast-columns.js';
import type { FamilyModule } from './family.js';
import { BY_KERNEL, KERNEL_NAMES } from './index.js';

/**
 * Check every configured family against the registry, before anything runs: its kernel exists,
 * its search space (groups and own params) declares every parameter the kernel reads, and it
 * declares nothing the kernel does not read (a parameter searched, stored and reported with no
 * effect), basket choice included. A group shared by several families is checked once per family: one issue per family
 * and path.
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
    // A one-ticker kernel has no basket to choose: its basket columns would be dead.
    if (f.basket && m.oneTicker) issues.push({ path: `families.${family}.basket`, message: `kernel ${f.kernel} trades one ticker, so it has no basket to search: remove basket: true` });
    const declared = familyParams(cfg.strategy, family);
    const reads = m.reads(models);
    const names = new Set(declared.map((p) => p.name));
    const missing = reads.filter((p) => !names.has(p));
    if (missing.length > 0) issues.push({ path: `families.${family}`, message: `kernel ${f.kernel} reads ${missing.join(', ')}: add them to the family's params or groups` });
    const read = new Set(reads);
    for (const p of declared) {
      if (!read.has(p.name)) issues.push({ path: p.path, message: `searched by family ${family}, but kernel ${f.kernel} ${whyUnread(m, models, reads, p.name)}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
}

/** Why kernel `m` (reading `reads` under `models`) does not read `param`: it would for a forecast model that is not configured, or it never does. */
function whyUnread(m: FamilyModule, models: readonly ForecastModelName[], reads: readonly string[], param: string): string {
  const model = FORECAST_MODEL_ORDER.find((x) => !models.includes(x) && m.reads([...models, x]).includes(param));
  return model !== undefined
    ? `reads it only for forecast model ${model}, which is not in forecast_models: configure the model or remove the parameter`
    : `does not read it (reads: ${reads.join(', ')}): remove the parameter, or make the kernel read it (docs/extending.md)`;
}
