/**
 * Zod building blocks whose error messages read the same everywhere:
 * `expected number between 0 and 1, got "abc"`. Schemas hold shapes and bounds only; every value
 * lives in `config/*.yml`.
 */
import { z } from 'zod';

/** Render a raw YAML value for an error message. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing (the key is missing)';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v) ?? String(v);
}

interface Bounds {
  min: number;
  max: number;
  /** Exclude the lower bound (e.g. a probability that must be > 0). */
  exclusiveMin?: boolean;
}

function describe(kind: string, b: Bounds): string {
  if (b.max === Infinity) return `expected ${kind} ${b.exclusiveMin ? '>' : '>='} ${b.min}`;
  return `expected ${kind} between ${b.min}${b.exclusiveMin ? ' (exclusive)' : ''} and ${b.max}`;
}

/** A finite number within bounds; every failure says the whole expectation and the value found. */
export function num(min: number, max: number, opts: { exclusiveMin?: boolean } = {}) {
  const text = describe('number', { min, max, ...opts });
  const error = (iss: { input?: unknown }) => `${text}, got ${showValue(iss.input)}`;
  const base = z.number({ error });
  const lower = opts.exclusiveMin ? base.gt(min, { error }) : base.min(min, { error });
  return max === Infinity ? lower : lower.max(max, { error });
}

/** An integer within bounds (inclusive). */
export function int(min: number, max: number) {
  const error = (iss: { input?: unknown }) => `${describe('integer', { min, max })}, got ${showValue(iss.input)}`;
  const base = z.number({ error }).int({ error }).min(min, { error });
  return max === Infinity ? base : base.max(max, { error });
}

/** A fraction in [0, 1]. */
export const fraction = () => num(0, 1);

/** A non-empty string. */
export const name = () =>
  z.string({ error: (iss) => `expected a non-empty string, got ${showValue(iss.input)}` }).min(1, {
    error: (iss) => `expected a non-empty string, got ${showValue(iss.input)}`,
  });
