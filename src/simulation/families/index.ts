/**
 * The family registry: every kernel a config family can name. Kernel names, dispatch and each
 * family's data needs are derived from this list; adding a kernel is one module here (see
 * docs/extending.md). Pool workers load this module: it imports no config loader (`check.ts`
 * validates a whole config against the registry, in the main thread).
 */
import type { ParamLayout } from '../../config/param-layout.js';
import { ConfigError } from '../../errors.js';
import { canonicalJson, sha256 } from '../../hashing.js';
import { sourceHash } from '../code-version.js';
import { forecastCodeVersion } from '../forecast-code-version.js';
import type { FamilyModule } from './family.js';
import { smaCrossFamily } from './sma-cross.js';
import { tsEnsembleFamily } from './ts-ensemble.js';
import { tsWithFallbackFamily } from './ts-with-fallback.js';

export type { BatchEvaluator, FamilyModule, LiveStrategy } from './family.js';

export const FAMILY_MODULES: readonly FamilyModule[] = [smaCrossFamily, tsEnsembleFamily, tsWithFallbackFamily];

/** Modules by kernel name. */
export const BY_KERNEL: ReadonlyMap<string, FamilyModule> = new Map(FAMILY_MODULES.map((m) => [m.kernel, m]));

export const KERNEL_NAMES: readonly string[] = FAMILY_MODULES.map((m) => m.kernel);

/**
 * The family's version: a hash of its search space (parameters and constraints), its kernel's code
 * and, for a family on forecast columns, the forecast code. Cached optima are keyed by it.
 */
export function familyVersion(layout: ParamLayout): string {
  const m = familyModule(layout);
  const code = sourceHash(import.meta.url, m.code);
  const { basket } = layout;
  const space = canonicalJson({
    kernel: layout.kernel, params: layout.params.map((p) => ({ name: p.name, spec: p.spec })), constraints: layout.constraints,
    // The basket's bounds are part of the space (a family without basket columns hashes as before).
    ...(basket !== null ? { basket: { min: basket.minSize, max: basket.maxSize, classes: basket.classNames, caps: basket.classCap } } : {}),
  });
  return sha256([space, code, m.needsForecasts ? forecastCodeVersion() : ''].join('\0')).slice(0, 16);
}

/** The module of the layout's kernel; a `ConfigError` at `families.<name>.kernel` for an unknown one. */
export function familyModule(layout: Pick<ParamLayout, 'family' | 'file' | 'kernel'>): FamilyModule {
  const m = BY_KERNEL.get(layout.kernel);
  if (m === undefined) {
    throw new ConfigError(layout.file, [{ path: `families.${layout.family}.kernel`, message: `unknown kernel "${layout.kernel}"; registered: ${KERNEL_NAMES.join(', ')}` }]);
  }
  return m;
}
