import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Where `npm run build` compiles to. */
const distDir = fileURLToPath(new URL('dist/', import.meta.url));
/** The paths of the modules in this project's dist/ (not in a package's), as a pattern. */
const DIST = new RegExp(`^${distDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The compiled CLI (tests run `main` from dist/ in-process) loads as plain Node ESM: vite need
    // not transform what tsc already compiled, about a second saved per test file that imports it.
    server: { deps: { external: [DIST] } },
  },
});
