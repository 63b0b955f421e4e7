import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** Where `npm run build` compiles to. */
const distDir = fileURLToPath(new URL('dist/', import.meta.url));
/** The paths of the modules in this project's dist/ (not in a package's), as a pattern. */
const DIST = new RegExp(`^${distDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

const testsDir = fileURLToPath(new URL('tests/', import.meta.url));
/**
 * The test files that mock a module (`vi.mock`, `vi.doMock`). A mock reaches only the modules imported
 * after it, so each of these needs a module graph of its own; every other file shares its worker's.
 * Found by reading the files, so that a new one is not missed.
 */
const MOCKING = readdirSync(testsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts') && /\bvi\.(mock|doMock)\(/.test(readFileSync(testsDir + f, 'utf8')))
  .map((f) => `tests/${f}`);

const projects: TestProjectInlineConfiguration[] = [
  // Not isolated: a worker imports a module once for all its files, not once per file (the suite's
  // import time, summed over files, fell from about 90 s to 20 s with two workers).
  { extends: true, test: { name: 'shared', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, ...MOCKING], isolate: false } },
  ...(MOCKING.length > 0 ? [{ extends: true as const, test: { name: 'isolated', include: MOCKING, isolate: true } }] : []),
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The compiled CLI (tests run `main` from dist/ in-process) loads as plain Node ESM: vite need
    // not transform what tsc already compiled, about a second saved per test file that imports it.
    server: { deps: { external: [DIST] } },
    // Processes (the default pool): runCliInProcess (tests/helpers/cli.ts) needs process.chdir, which
    // a worker thread cannot do.
    pool: 'forks',
    // A file per core, not vitest's default of one fewer: much of the suite waits on child processes,
    // worker pools and timers, so the second core idles with one file at a time (measured on 2
    // cores: about 300 s with two workers against 520 s with one, both isolated).
    maxWorkers: '100%',
    projects,
  },
});
