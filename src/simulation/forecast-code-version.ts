/**
 * The version of the forecast code, part of the forecast cache key: a hash of the source (or
 * compiled) files that compute forecast columns, so that any change to them invalidates cached
 * columns. The package version alone would not change with a fix to a model.
 */
import { sourceHash } from './code-version.js';

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
  cached ??= sourceHash(import.meta.url, FORECAST_MODULES);
  return cached;
}
