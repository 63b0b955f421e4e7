/**
 * Samplers of the unit hypercube behind one interface, over the pure kernels (lhs.ts, sobol.ts,
 * halton.ts, uniform.ts). A sampler owns its random stream, keyed by the run seed and its `stream`
 * keys, so one seed gives one sequence of batches. Sobol and Halton continue their sequence across
 * calls (batch k starts where batch k-1 ended) and reuse one scramble; each LHS call is a fresh
 * Latin design of that batch, optionally spread by maximin swaps; random draws are independent.
 */
import { halton } from '../../native-free-kernels/sampling/halton.js';
import { createMaximinWorkspace, improveMaximin, latinHypercube, type MaximinWorkspace } from '../../native-free-kernels/sampling/lhs.js';
import { SOBOL_MAX_DIMENSION } from '../../native-free-kernels/sampling/sobol-directions.js';
import { sobol } from '../../native-free-kernels/sampling/sobol.js';
import { uniformRandom } from '../../native-free-kernels/sampling/uniform.js';
import { UsageError } from '../errors.js';
import { createRng } from '../rng.js';
import type { SamplerKind } from '../config/optimizer-settings.js';

export type { SamplerKind } from '../config/optimizer-settings.js';

/** The largest double below 1: the top of every coordinate, since points live in [0, 1). */
export const UNIT_TOP = 1 - 2 ** -53;

/** Clamp a coordinate into [0, 1). */
export function clampUnit(v: number): number {
  return v < 0 ? 0 : v > UNIT_TOP ? UNIT_TOP : v;
}

/** A source of points in [0, 1)^dims. */
export interface Sampler {
  readonly kind: SamplerKind;
  readonly dims: number;
  /**
   * Fill `out` with the next n points.
   * @param n number of points
   * @param out receives the points, row-major n × dims (length >= n*dims)
   */
  sample(n: number, out: Float64Array): void;
}

export interface SamplerOptions {
  readonly dims: number;
  readonly seed: number | string;
  /** Keys that give this sampler its own random stream within a run (e.g. the bandit arm). */
  readonly stream?: readonly (string | number)[];
  /** LHS only: maximin swap attempts per batch (0 = none). */
  readonly maximinIterations: number;
  /** Sobol / Halton only: randomise the sequence from the seed. */
  readonly scramble: boolean;
}

/**
 * A sampler of the given kind.
 * @param kind lhs | random | sobol | halton
 * @param opts dimensions, seed and the kind's settings
 * @returns a stateful sampler; calls continue its stream
 */
export function createSampler(kind: SamplerKind, opts: SamplerOptions): Sampler {
  const { dims, seed, maximinIterations, scramble } = opts;
  const stream = opts.stream ?? [];
  if (!Number.isInteger(dims) || dims < 1) throw new UsageError(`sampler ${kind}: dims must be an integer >= 1, got ${dims}`);
  switch (kind) {
    case 'random': {
      const rand = createRng(seed, ...stream, 'random');
      return { kind, dims, sample: (n, out) => uniformRandom(n, dims, rand, out) };
    }
    case 'lhs': {
      const rand = createRng(seed, ...stream, 'lhs');
      let ws: MaximinWorkspace | undefined;
      return {
        kind,
        dims,
        sample(n, out) {
          latinHypercube(n, dims, rand, out);
          if (maximinIterations === 0) return;
          if (ws === undefined || ws.maxN < n) ws = createMaximinWorkspace(n);
          improveMaximin(out, n, dims, maximinIterations, rand, ws);
        },
      };
    }
    case 'sobol':
    case 'halton': {
      if (kind === 'sobol' && dims > SOBOL_MAX_DIMENSION) {
        throw new UsageError(`sampler sobol: dims = ${dims} exceeds the ${SOBOL_MAX_DIMENSION} dimensions of its direction numbers; use lhs, random or halton`);
      }
      const kernel = kind === 'sobol' ? sobol : halton;
      let next = 0;
      return {
        kind,
        dims,
        sample(n, out) {
          // A fresh stream per call replays the same scramble, so the batches form one sequence.
          kernel(n, dims, next, scramble, createRng(seed, ...stream, kind, 'scramble'), out);
          next += n;
        },
      };
    }
  }
}
