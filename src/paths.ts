/** Locations inside the installed package, found from this module rather than the working directory. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding pnlopt's package.json (works from `src/` under vitest and from `dist/`). */
export function projectRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pnlopt') {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('pnlopt package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let version: string | undefined;

/**
 * The code version recorded with every run: the package version plus a hash of the engine's
 * TypeScript sources (which dist/ is compiled from; the compiled files when no sources are
 * present), the same whether the code runs from dist/ or from src/ under vitest. A resume after
 * any code change is refused instead of mixing results of two versions.
 */
export function codeVersion(): string {
  if (version !== undefined) return version;
  const root = projectRoot();
  const pkg = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const fromSources = existsSync(join(root, 'src', 'paths.ts'));
  const dirs = ['src', 'native-free-kernels'].map((d) => (fromSources ? join(root, d) : join(root, 'dist', d)));
  const ext = fromSources ? '.ts' : '.js';
  const files = dirs.flatMap((d) => listFiles(d).filter((f) => f.endsWith(ext))).sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  version = `${pkg}+${hash.digest('hex').slice(0, 12)}`;
  return version;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Path as shown in messages: relative to the working directory when that is shorter. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
