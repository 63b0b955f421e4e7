/**
 * The search space as a unit hypercube: each parameter of a family's layout is one dimension, and
 * a point u in [0, 1)^d decodes to a parameter row (uniform: low + u (high - low); log_uniform:
 * geometric interpolation; int: floor over high - low + 1 equal strata; categorical: floor over the
 * choices). Conditional parameters whose `when` does not hold decode to NaN (inactive): their
 * dimension is carried but ignored, so operators never see a changing dimension count.
 */
import type { ParamSpec } from '../config/search-space.js';
import { isActive, type ParamLayout } from '../config/param-layout.js';
import { clampUnit } from './sampler.js';

/** Value of one parameter at unit coordinate u. */
export function decodeValue(spec: ParamSpec, u: number): number {
  switch (spec.type) {
    // Clamped: rounding may step just outside the range (0.1 + 0.2 > 0.3, exp(log(low)) < low).
    case 'uniform':
      return Math.min(spec.high, spec.low + u * (spec.high - spec.low));
    case 'log_uniform':
      return Math.min(spec.high, Math.max(spec.low, Math.exp(Math.log(spec.low) + u * (Math.log(spec.high) - Math.log(spec.low)))));
    case 'int':
      return Math.min(spec.high, spec.low + Math.floor(u * (spec.high - spec.low + 1)));
    case 'categorical':
      return Math.min(spec.choices.length - 1, Math.floor(u * spec.choices.length));
  }
}

/**
 * Unit coordinate of a numeric value, the inverse of `decodeValue` (an integer goes to the centre
 * of its stratum, so it decodes exactly), clamped into [0, 1).
 */
export function encodeValue(spec: Exclude<ParamSpec, { type: 'categorical' }>, x: number): number {
  switch (spec.type) {
    case 'uniform':
      return clampUnit((x - spec.low) / (spec.high - spec.low));
    case 'log_uniform':
      return clampUnit(Math.log(x / spec.low) / Math.log(spec.high / spec.low));
    case 'int':
      return clampUnit((x - spec.low + 0.5) / (spec.high - spec.low + 1));
  }
}

/**
 * Decode n points (row-major n x d in U) into parameter rows in X (same shape).
 * @param U unit-cube points, each coordinate in [0, 1)
 * @param X output rows; inactive conditional parameters are NaN
 */
export function decodePoints(layout: ParamLayout, U: Float64Array, n: number, X: Float64Array): void {
  const d = layout.params.length;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) X[o + j] = decodeValue(layout.params[j].spec, U[o + j]);
    for (let j = 0; j < d; j++) if (!isActive(layout, j, X, o)) X[o + j] = NaN;
  }
}
