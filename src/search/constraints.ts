/**
 * Keeping candidates inside a family's pair constraints (`fast < slow`) and basket bounds
 * (src/search/basket.ts): the search proposes only
 * points that satisfy them, so no evaluation is spent on a candidate the space itself rules out.
 *
 * - Sampled points (initial populations, plain samplers, bandit arms) are filtered by rejection:
 *   a point that breaks a constraint is discarded and replaced by the sampler's next point, from
 *   the same seeded stream, for up to `REDRAW_ROUNDS` rounds; the few left are projected. The
 *   points kept are the sampler's distribution restricted to the feasible region.
 * - Varied points (NSGA-II offspring, annealing steps) are projected, which keeps them near
 *   where the operator put them.
 *
 * Projection, deterministic: each constrained parameter is clamped into the range it keeps
 * under every constraint (`constraintGraph`), then, in order, raised just past every parameter
 * that must be below it (an integer to the next integer, `fast = 60, slow = 40` becoming
 * `slow = 61`; a continuous value `CONTINUOUS_MARGIN` of its range past). Constrained parameters
 * are never conditional (the loader refuses it). Both counts are kept (`RepairStats`).
 */
import type { ParamLayout } from '../config/param-layout.js';
import { constraintGraph, raise, type ConstraintGraph, type NumericSpec } from '../config/pair-constraints.js';
import { basketRegion } from './basket.js';
import { decodeValue, encodeValue } from './encoding.js';
import type { Sampler } from './sampler.js';

/** Redraw rounds before a sampled point is projected: (share infeasible)^8 of the points are, e.g. 4e-7 of uniform `sma_cross` points. */
export const REDRAW_ROUNDS = 8;

/** The region of a family's unit cube where every pair constraint holds. */
export interface FeasibleRegion {
  readonly dims: number;
  /** Whether the point at U[offset .. offset + dims) satisfies every constraint. */
  holds(U: Float64Array, offset: number): boolean;
  /** Move that point into the region (see the header); a point inside is left as it is. */
  project(U: Float64Array, offset: number): void;
}

/** Candidates of a run that broke a constraint when proposed. */
export interface RepairStats {
  /** Sampled points discarded and replaced by the sampler's next ones. */
  rejected: number;
  /** Points projected into the region (varied points, and sampled ones left after the redraws). */
  repaired: number;
}

/**
 * The feasible region of a family (its pair constraints and its basket bounds, which read disjoint
 * columns: projecting into one keeps the other), or null when it has neither.
 * @param layout the family's parameters and constraints (checked by the config loader)
 */
export function feasibleRegion(layout: ParamLayout): FeasibleRegion | null {
  const regions: FeasibleRegion[] = [];
  if (layout.constraints.length > 0) {
    const graph = constraintGraph(layout.params, layout.constraints);
    if (typeof graph === 'string') throw new RangeError(`family ${layout.family}: ${graph}`);
    regions.push(regionOf(layout, graph));
  }
  if (layout.basket !== null) regions.push(basketRegion(layout.basket, layout.params.length));
  if (regions.length <= 1) return regions[0] ?? null;
  return {
    dims: layout.params.length,
    holds: (U, offset) => regions.every((r) => r.holds(U, offset)),
    project(U, offset) {
      for (const r of regions) r.project(U, offset);
    },
  };
}

function regionOf(layout: ParamLayout, graph: ConstraintGraph): FeasibleRegion {
  const d = layout.params.length;
  const x = new Float64Array(d);
  const { edges, order, lowest, highest } = graph;
  // Only constrained columns are read, and the loader allows only unconditional numeric ones there.
  const spec = layout.params.map((p) => p.spec as NumericSpec);
  const decode = (U: Float64Array, offset: number) => {
    for (const j of order) x[j] = decodeValue(spec[j], U[offset + j]);
  };
  const broken = (e: (typeof edges)[number]) => (e.strict ? x[e.below] >= x[e.above] : x[e.below] > x[e.above]);
  return {
    dims: d,
    holds(U, offset) {
      decode(U, offset);
      return !edges.some(broken);
    },
    project(U, offset) {
      decode(U, offset);
      if (!edges.some(broken)) return;
      for (const j of order) {
        let v = Math.min(highest[j], Math.max(lowest[j], x[j]));
        for (const e of edges) if (e.above === j) v = Math.max(v, raise(spec[j], e, x[e.below]));
        if (v === x[j]) continue;
        U[offset + j] = encodeValue(spec[j], v);
        // Later parameters are raised past the value this one decodes to, not the one aimed at.
        x[j] = decodeValue(spec[j], U[offset + j]);
      }
    },
  };
}

/** Projects every point of U (rows 0..n-1) that breaks a constraint, in place. */
export type RowRepair = (U: Float64Array, n: number) => void;

/**
 * The repair of varied points.
 * @param region the family's region
 * @param stats counts the points projected
 */
export function rowRepair(region: FeasibleRegion, stats: RepairStats): RowRepair {
  return (U, n) => {
    for (let i = 0; i < n; i++) {
      if (region.holds(U, i * region.dims)) continue;
      region.project(U, i * region.dims);
      stats.repaired++;
    }
  };
}

/**
 * A sampler whose points all satisfy the constraints: infeasible points are replaced by the
 * sampler's next feasible ones (in order), for up to `REDRAW_ROUNDS` rounds, then projected.
 * @param sampler the source, whose stream the redraws continue
 * @param region the family's region
 * @param stats counts rejected and projected points
 */
export function feasibleSampler(sampler: Sampler, region: FeasibleRegion, stats: RepairStats): Sampler {
  const d = sampler.dims;
  let spare = new Float64Array(0);
  let open = new Int32Array(0);
  return {
    kind: sampler.kind,
    dims: d,
    sample(n, out) {
      sampler.sample(n, out);
      if (open.length < n) open = new Int32Array(n);
      let k = 0;
      for (let i = 0; i < n; i++) if (!region.holds(out, i * d)) open[k++] = i;
      for (let round = 0; round < REDRAW_ROUNDS && k > 0; round++) {
        stats.rejected += k;
        if (spare.length < k * d) spare = new Float64Array(n * d);
        sampler.sample(k, spare);
        // Fill the open rows, in order, with the feasible redraws, in order.
        let filled = 0;
        for (let r = 0; r < k; r++) {
          if (!region.holds(spare, r * d)) continue;
          out.set(spare.subarray(r * d, (r + 1) * d), open[filled] * d);
          filled++;
        }
        open.copyWithin(0, filled, k);
        k -= filled;
      }
      for (let r = 0; r < k; r++) region.project(out, open[r] * d);
      stats.repaired += k;
    },
  };
}
