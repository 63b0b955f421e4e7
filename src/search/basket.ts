/**
 * The basket bounds as a region of the unit cube (`basket` in the strategy config): a candidate
 * holds minSize..maxSize tickers, at most classCap[c] of asset class c. A basket column decodes to
 * `on` below 0.5 and `off` from 0.5 (two strata), so the region is a set of corners of the basket
 * columns' cube.
 *
 * Projection, deterministic, in three steps that each keep what the earlier ones fixed:
 * 1. an asset class over its limit drops the tickers nearest the on/off boundary (largest u);
 * 2. a basket over maxSize likewise drops its nearest;
 * 3. a basket under minSize takes the tickers left out nearest the boundary (smallest u) from
 *    classes with room (the layout checked that enough exist).
 * Ties go to the later column when dropping and the earlier one when taking, so an all-equal point
 * keeps the first tickers the bounds allow (as a baseline does). A flip moves u by exactly 1/2 into
 * the other stratum, keeping its position within the stratum: mutation and crossover see the same
 * distances as before.
 */
import type { BasketLayout } from '../config/param-layout.js';
import type { FeasibleRegion } from './constraints.js';
import { clampUnit } from './sampler.js';

/** `on` below this coordinate (categorical strata: index floor(2u), `on` first). */
const ON_BELOW = 0.5;

/** The region of a layout's basket columns, `dims` wide rows. */
export function basketRegion(b: BasketLayout, dims: number): FeasibleRegion {
  const K = b.tickers.length;
  const used = new Int32Array(b.classCap.length);
  const isOn = (U: Float64Array, offset: number, k: number) => U[offset + b.first + k] < ON_BELOW;
  /** Count what is held, in all and per class, into `used`; returns the size. */
  const count = (U: Float64Array, offset: number): number => {
    used.fill(0);
    let size = 0;
    for (let k = 0; k < K; k++) {
      if (!isOn(U, offset, k)) continue;
      size++;
      used[b.classOf[k]]++;
    }
    return size;
  };
  const holds = (U: Float64Array, offset: number): boolean => {
    const size = count(U, offset);
    if (size < b.minSize || size > b.maxSize) return false;
    for (let c = 0; c < used.length; c++) if (used[c] > b.classCap[c]) return false;
    return true;
  };
  /** The held ticker of class `cls` (-1: any) nearest the boundary, latest on ties; -1 if none. */
  const nearestOn = (U: Float64Array, offset: number, cls: number): number => {
    let best = -1;
    for (let k = 0; k < K; k++) {
      if (!isOn(U, offset, k) || (cls >= 0 && b.classOf[k] !== cls)) continue;
      if (best < 0 || U[offset + b.first + k] >= U[offset + b.first + best]) best = k;
    }
    return best;
  };
  /** The left-out ticker of a class with room nearest the boundary, earliest on ties; -1 if none. */
  const nearestOff = (U: Float64Array, offset: number): number => {
    let best = -1;
    for (let k = 0; k < K; k++) {
      if (isOn(U, offset, k) || used[b.classOf[k]] >= b.classCap[b.classOf[k]]) continue;
      if (best < 0 || U[offset + b.first + k] < U[offset + b.first + best]) best = k;
    }
    return best;
  };
  const flip = (U: Float64Array, offset: number, k: number, on: boolean) => {
    // The layout refused bounds no basket can meet, so a ticker to flip always exists.
    if (k < 0) throw new Error(`basket projection: no ticker to turn ${on ? 'on' : 'off'} (bounds ${b.minSize}..${b.maxSize})`);
    const j = offset + b.first + k;
    U[j] = on ? U[j] - ON_BELOW : clampUnit(U[j] + ON_BELOW);
    used[b.classOf[k]] += on ? 1 : -1;
  };
  return {
    dims,
    holds,
    project(U, offset) {
      if (holds(U, offset)) return;
      let size = count(U, offset);
      for (let c = 0; c < used.length; c++) {
        while (used[c] > b.classCap[c]) {
          flip(U, offset, nearestOn(U, offset, c), false);
          size--;
        }
      }
      for (; size > b.maxSize; size--) flip(U, offset, nearestOn(U, offset, -1), false);
      for (; size < b.minSize; size++) flip(U, offset, nearestOff(U, offset), true);
    },
  };
}
