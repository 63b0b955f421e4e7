/**
 * Seeded random streams. Every random draw in pnlopt comes from one of these, keyed by the run
 * seed plus a stream name (and, where it matters, a candidate index), never by worker id or clock,
 * so the same seed reproduces the same run with any number of workers.
 */
import seedrandom from 'seedrandom';

/** A uniform [0, 1) generator. */
export type Rng = () => number;

/**
 * A reproducible generator for `seed` and the given stream keys, e.g. `createRng(42, 'lhs')` or
 * `createRng(42, 'mutation', generation)`.
 * @param seed run seed
 * @param keys stream names / indices that separate independent streams
 */
export function createRng(seed: number | string, ...keys: readonly (string | number)[]): Rng {
  return seedrandom.xor4096([String(seed), ...keys.map(String)].join('/'));
}
