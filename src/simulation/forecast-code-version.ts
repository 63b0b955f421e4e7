/**
 * The version of the forecast code, part of the forecast cache key: a hash of the source (or
 * compiled) files that compute forecast columns, so that any change to them invalidates cached
 * columns. The package version alone would not change with a fix to a model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../hashing.js';

/** Modules whose code decides forecast values, relative to this file. */
const FORECAST_MODULES = [
  './forecast-columns',
  '../../native-free-kernels/forecast/arx',
  '../../native-free-kernels/forecast/ssa',
  '../../native-free-kernels/forecast/mssa',
  '../../native-free-kernels/forecast/garch',
  '../../native-free-kernels/forecast/minimize',
  '../../native-free-kernels/stats/linalg',
  '../../native-free-kernels/stats/returns',
] as const;

let cached: string | undefined;

export function forecastCodeVersion(): string {
  if (cached !== undefined) return cached;
  // The TypeScript sources when present (the same key from dist/ and under vitest), else the compiled files.
  const here = fileURLToPath(import.meta.url);
  const sourceOf = (m: string) => fileURLToPath(new URL(m + '.ts', import.meta.url)).replace(`${sep}dist${sep}`, sep);
  const fromSources = FORECAST_MODULES.every((m) => existsSync(sourceOf(m)));
  const texts = FORECAST_MODULES.map((m) => {
    const file = fromSources ? sourceOf(m) : fileURLToPath(new URL(m + '.js', import.meta.url));
    if (!existsSync(file)) throw new Error(`forecast module ${file} not found (from ${here})`);
    return readFileSync(file, 'utf8');
  });
  cached = sha256(texts.join('\0'));
  return cached;
}
