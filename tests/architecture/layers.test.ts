/**
 * Folder-level dependency rules of src/ and native-free-kernels/ (see LAYER_RULES in import-graph.ts),
 * checked on the real tree and, to prove the check bites, on fixture trees with planted violations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeImportGraph, checkLayers, extractImports, LAYER_RULES } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/architecture', import.meta.url));

/** 1-based line of the first line of `file` (under `root`) that contains `needle`. */
function lineOf(root: string, file: string, needle: string): number {
  const i = readFileSync(join(root, file), 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}

const tag = (r: { rule: number; name: string }): string => `[rule ${r.rule} ${r.name}]`;

describe('layering of the real tree', () => {
  it('breaks no folder dependency rule', () => {
    const violations = checkLayers(ROOT);
    expect(violations).toEqual([]);
  });

  it('sees a plausible import graph (an extractor that finds nothing cannot pass)', () => {
    const { files, edges } = analyzeImportGraph(ROOT);
    expect(files.length).toBeGreaterThan(20);
    expect(edges.length).toBeGreaterThan(20);
    const crossFolder = edges.filter((e) => e.toLayer !== null && e.toLayer !== e.fromLayer);
    expect(crossFolder.length).toBeGreaterThan(20);
    // Edges we know exist: folders -> shared layer, src -> kernels, type-only imports.
    expect(edges.some((e) => e.fromLayer !== 'shared' && e.toLayer === 'shared')).toBe(true);
    expect(edges.some((e) => e.fromLayer !== 'kernels' && e.toLayer === 'kernels')).toBe(true);
    expect(edges.some((e) => e.typeOnly)).toBe(true);
    // Every relative import resolves to a scanned file (otherwise layers would be guessed).
    expect(edges.filter((e) => !e.resolved).map((e) => `${e.from}:${e.line} '${e.specifier}'`)).toEqual([]);
  });
});

describe('extractImports', () => {
  it('finds every import form, with lines, and ignores comments and strings', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "export * as e from './e.js';",
      "// import { x } from './comment.js';",
      "const s = \"import { y } from './string.js'\";",
      "const f = () => import('./dyn.js');",
      "type T = typeof import('./typeof.js');",
      'import {',
      '  type M,',
      "} from './multi.js';",
    ].join('\n');
    expect(extractImports('x.ts', text).map((i) => `${i.line} ${i.specifier}${i.typeOnly ? ' type' : ''}`)).toEqual([
      '1 ./a.js',
      '2 ../b.js type',
      '3 ./c.js',
      '4 ./d.js',
      '5 ./e.js',
      '8 ./dyn.js',
      '9 ./typeof.js type',
      '12 ./multi.js type',
    ]);
  });
});

describe('fixture trees', () => {
  it('the good tree passes, and its comment/string "imports" are not edges', () => {
    const root = join(FIXTURES, 'good');
    const { edges, violations } = analyzeImportGraph(root);
    expect(violations).toEqual([]);
    expect(edges.length).toBeGreaterThan(15);
    expect(edges.filter((e) => e.from === 'src/config/load.ts').map((e) => e.specifier)).toEqual(['../errors.js']);
    // Dynamic import and `export *` count.
    expect(edges.filter((e) => e.from === 'src/cli/main.ts').map((e) => e.specifier).sort()).toEqual([
      '../jobs/optimize.js',
      '../jobs/optimize.js',
      '../report/json.js',
    ]);
  });

  it('the bad tree reports exactly the planted violations', () => {
    const root = join(FIXTURES, 'bad');
    const violations = checkLayers(root);
    const R = LAYER_RULES;
    const at = (file: string, spec: string): string => `${file}:${lineOf(root, file, `'${spec}'`)} imports '${spec}'`;

    const kernels = at('native-free-kernels/stats/mean.ts', '../../src/errors.js');
    const searchPool = at('src/search/sampler.ts', '../pool/coordinator.js');
    const simCache = at('src/simulation/evaluator.ts', '../cache/forecast-cache.js');
    const cacheSim = at('src/cache/forecast-cache.ts', '../simulation/evaluator.js');
    const reportJobs = at('src/report/json.ts', '../jobs/optimize.js');

    const expected: Array<[string, string]> = [
      [tag(R.kernelsIndependent), kernels],
      [tag(R.searchSimulationPure), `${searchPool} (type-only) (search -> pool)`],
      [tag(R.searchSimulationPure), `${simCache} (simulation -> cache)`],
      [tag(R.reportBoundaries), `${reportJobs} (report -> jobs)`],
      [tag(R.jobsOnlyFromCli), `${reportJobs} (report -> jobs)`],
      [tag(R.acyclic), `folder cycle cache -> simulation -> cache; cache -> simulation: ${cacheSim} (type-only); simulation -> cache: ${simCache}`],
    ];
    for (const [rule, text] of expected) {
      expect(violations.filter((v) => v.startsWith(rule) && v.includes(text)), `${rule} ${text}\nin:\n${violations.join('\n')}`).toHaveLength(1);
    }
    expect(violations).toHaveLength(expected.length);
  });
});
