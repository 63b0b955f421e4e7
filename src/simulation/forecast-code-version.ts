/**
 * The version of the forecast code, part of the forecast cache key: a hash of the source (or
 * compiled) files that compute forecast columns, so that any change to them invalidates cached
 * columns. The package version alone would not change with a fix to a model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../hashing.js';

/** Modules whose code decides forecast values, relative to this file. */
const FORECAST_MODULES = [
  './forecast-columns',
  '../../native-free-kernels/arx',
  '../../native-free-kernels/ssa',
  '../../native-free-kernels/mssa',
  '../../native-free-kernels/garch',
  '../../native-free-kernels/minimize',
  '../../native-free-kernels/linalg',
  '../../native-free-kernels/returns',
] as const;

let cached: string | undefined;

export function forecastCodeVersion(): string {
  if (cached !== undefined) return cached;
  // Under vitest these are the .ts sources, from dist/ the compiled .js: either identifies the code.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const texts = FORECAST_MODULES.map((m) => {
    const file = fileURLToPath(new URL(m + ext, import.meta.url));
    if (!existsSync(file)) throw new Error(`forecast module ${file} not found`);
    return readFileSync(file, 'utf8');
  });
  cached = sha256(texts.join('\0'));
  return cached;
}
