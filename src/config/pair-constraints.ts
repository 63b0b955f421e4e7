/**
 * A family's pair constraints (`lhs op rhs` on numeric parameters) as a graph of "is below" edges,
 * with the range each constrained parameter keeps under all of them. The config loader uses it to
 * refuse constraints that form a cycle or leave a parameter no value; the search uses it to repair
 * a candidate into the feasible region (src/search/constraints.ts).
 *
 * `raise` and `lowest`/`highest` are the step a repair takes past a bound: an integer goes to the
 * next integer (or the bound itself when the edge is not strict), a continuous value goes
 * `CONTINUOUS_MARGIN` of the wider range past it, strict or not, so that decoding a repaired unit
 * coordinate (a few ulps off) still satisfies the edge.
 */
import type { NamedParam } from './family-space.js';
import type { ParamSpec } from './search-space.js';
import type { PairConstraint } from './strategy-optimization.js';

/** Gap a repair leaves past a bound on a continuous parameter, as a share of the edge's wider range. */
export const CONTINUOUS_MARGIN = 1e-9;

export interface ConstraintEdge {
  /** Column whose value must be below the other's. */
  readonly below: number;
  readonly above: number;
  /** `<` / `>`: equality breaks the edge. */
  readonly strict: boolean;
  /** Step past a continuous bound (CONTINUOUS_MARGIN x the wider of the two ranges). */
  readonly gap: number;
}

export interface ConstraintGraph {
  readonly edges: readonly ConstraintEdge[];
  /** The constrained columns, each after every column that must be below it. */
  readonly order: readonly number[];
  /** Per column: the least and greatest value it takes in some assignment meeting every constraint (the spec's bounds if unconstrained). */
  readonly lowest: Float64Array;
  readonly highest: Float64Array;
}

export type NumericSpec = Exclude<ParamSpec, { type: 'categorical' }>;

/** The least value of `above`'s spec that the edge allows above `v`. */
export function raise(above: NumericSpec, e: ConstraintEdge, v: number): number {
  if (above.type === 'int') return e.strict ? Math.floor(v) + 1 : Math.ceil(v);
  return v + e.gap;
}

/** The greatest value of `below`'s spec whose `raise` is at most h. */
function lowerTo(below: NumericSpec, above: NumericSpec, e: ConstraintEdge, h: number): number {
  if (below.type !== 'int') return h - e.gap;
  if (above.type !== 'int') return Math.floor(h - e.gap);
  return e.strict ? Math.ceil(h) - 1 : Math.floor(h);
}

/**
 * The graph of a family's constraints (the loader has checked that both sides are numeric
 * parameters of the family).
 * @param params the family's parameters in column order
 * @param constraints its pair constraints
 * @returns the graph, or a sentence saying why no candidate can satisfy them
 */
export function constraintGraph(params: readonly NamedParam[], constraints: readonly PairConstraint[]): ConstraintGraph | string {
  const col = new Map(params.map((p, i) => [p.name, i]));
  const spec = (j: number) => params[j].spec as NumericSpec;
  const edges = constraints.map((c): ConstraintEdge => {
    const [below, above] = c.op === '<' || c.op === '<=' ? [col.get(c.lhs)!, col.get(c.rhs)!] : [col.get(c.rhs)!, col.get(c.lhs)!];
    const range = Math.max(spec(below).high - spec(below).low, spec(above).high - spec(above).low);
    return { below, above, strict: c.op === '<' || c.op === '>', gap: CONTINUOUS_MARGIN * range };
  });
  // Kahn's topological order over the constrained columns; what is left over lies on a cycle.
  const nodes = [...new Set(edges.flatMap((e) => [e.below, e.above]))].sort((a, b) => a - b);
  const indegree = new Map(nodes.map((n) => [n, 0]));
  for (const e of edges) indegree.set(e.above, indegree.get(e.above)! + 1);
  const order: number[] = nodes.filter((n) => indegree.get(n) === 0);
  for (let k = 0; k < order.length; k++) {
    for (const e of edges) {
      if (e.below !== order[k]) continue;
      indegree.set(e.above, indegree.get(e.above)! - 1);
      if (indegree.get(e.above) === 0) order.push(e.above);
    }
  }
  if (order.length < nodes.length) {
    const cycle = nodes.filter((n) => !order.includes(n)).map((n) => params[n].name);
    return `the constraints form a cycle through ${cycle.join(', ')}: no candidate can satisfy them`;
  }
  const lowest = Float64Array.from(params, (p) => (p.spec.type === 'categorical' ? NaN : p.spec.low));
  const highest = Float64Array.from(params, (p) => (p.spec.type === 'categorical' ? NaN : p.spec.high));
  for (const n of order) {
    for (const e of edges) if (e.above === n) lowest[n] = Math.max(lowest[n], raise(spec(n), e, lowest[e.below]));
  }
  for (const n of [...order].reverse()) {
    for (const e of edges) if (e.below === n) highest[n] = Math.min(highest[n], lowerTo(spec(n), spec(e.above), e, highest[e.above]));
  }
  const empty = order.find((n) => !(lowest[n] <= highest[n]));
  if (empty !== undefined) {
    const p = params[empty];
    return `no value of ${p.name} in [${spec(empty).low}, ${spec(empty).high}] satisfies every constraint (they need ${p.name} >= ${lowest[empty]} and <= ${highest[empty]})`;
  }
  return { edges, order, lowest, highest };
}
