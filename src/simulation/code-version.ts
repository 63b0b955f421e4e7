/**
 * A hash of the code of some modules: their TypeScript sources when present (the same hash from
 * dist/ and under vitest), else the compiled files. Keys that must change when the code that
 * computes a value changes (forecast columns, a family's kernel) are built from it; the package
 * version alone would not change with a fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../hashing.js';

/** sha256 of the modules' texts; `modules` are paths without extension, relative to the module at `base` (its import.meta.url). */
export function sourceHash(base: string, modules: readonly string[]): string {
  const sourceOf = (m: string) => fileURLToPath(new URL(m + '.ts', base)).replace(`${sep}dist${sep}`, sep);
  const fromSources = modules.every((m) => existsSync(sourceOf(m)));
  const texts = modules.map((m) => {
    const file = fromSources ? sourceOf(m) : fileURLToPath(new URL(m + '.js', base));
    if (!existsSync(file)) throw new Error(`module ${file} not found (from ${fileURLToPath(base)})`);
    return readFileSync(file, 'utf8');
  });
  return sha256(texts.join('\0'));
}
