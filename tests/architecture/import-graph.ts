/**
 * Folder-level import graph of the source tree and the layering rules it must obey.
 *
 * Layers: every file directly in `src/` is the "shared" layer; every file under `src/<folder>/` belongs
 * to the layer `<folder>`; everything under `native-free-kernels/` is the "kernels" layer. Only relative
 * specifiers (`./x.js`, `../y/z.js`) are edges; packages and node builtins are ignored. Type-only
 * imports, re-exports (`export ... from`, `export * from`), `import x = require(...)`, dynamic
 * `import('...')` and `typeof import('...')` all count as edges.
 *
 * Extraction parses each file with the TypeScript compiler (`ts.createSourceFile`) and walks the AST,
 * so imports inside comments or strings are never picked up. (`ts.preProcessFile` was not used: it
 * misses `export * as ns from '...'`.)
 *
 * Self-contained on purpose: nothing here imports from src/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The layer for loose files directly in `src/`. */
export const SHARED = 'shared';
/** The layer for everything under `native-free-kernels/`. */
export const KERNELS = 'kernels';
/** Selector token: any folder under `src/` (not the shared layer, not kernels). */
export const ANY_SRC_FOLDER = 'src/*';

/** Roots scanned, relative to the tree root. */
export const SCANNED_ROOTS = ['src', 'native-free-kernels'] as const;

type Selector = readonly string[];

interface ForbiddenEdgeRule {
  readonly rule: number;
  readonly name: string;
  readonly text: string;
  /** Importing layers the rule applies to (layer names, `ANY_SRC_FOLDER`). */
  readonly from: Selector;
  /** Importing layers exempt even when `from` matches. */
  readonly exceptFrom?: Selector;
  /** Imported layers that are forbidden (layer names, `SHARED`, `ANY_SRC_FOLDER`). */
  readonly forbidden: Selector;
}

/**
 * The layering rules, as data. Rules 1-6 forbid individual edges; rule 7 (`acyclic`) is the
 * whole-graph check. An edge inside one layer never breaks a rule.
 */
export const LAYER_RULES = {
  kernelsIndependent: {
    rule: 1,
    name: 'kernels-independent',
    text: 'native-free-kernels imports nothing from src/ (shared layer included)',
    from: [KERNELS],
    forbidden: [SHARED, ANY_SRC_FOLDER],
  },
  sharedIsLeaf: {
    rule: 2,
    name: 'shared-is-leaf',
    text: 'loose files in src/ import only other loose files, node builtins and packages, never a src folder',
    from: [SHARED],
    forbidden: [ANY_SRC_FOLDER],
  },
  searchSimulationPure: {
    rule: 3,
    name: 'search-simulation-pure',
    text: 'search and simulation import none of store, pool, jobs, cli, report, cache',
    from: ['search', 'simulation'],
    forbidden: ['store', 'pool', 'jobs', 'cli', 'report', 'cache'],
  },
  poolBoundaries: {
    rule: 4,
    name: 'pool-boundaries',
    text: 'pool imports none of store, jobs, cli, report, search',
    from: ['pool'],
    forbidden: ['store', 'jobs', 'cli', 'report', 'search'],
  },
  reportBoundaries: {
    rule: 5,
    name: 'report-boundaries',
    text: 'report imports none of jobs, cli',
    from: ['report'],
    forbidden: ['jobs', 'cli'],
  },
  cliIsTop: {
    rule: 6,
    name: 'cli-is-top',
    text: 'no folder imports cli except cli itself',
    from: [ANY_SRC_FOLDER],
    exceptFrom: ['cli'],
    forbidden: ['cli'],
  },
  jobsOnlyFromCli: {
    rule: 7,
    name: 'jobs-only-from-cli',
    text: 'no folder imports jobs except jobs and cli',
    from: [ANY_SRC_FOLDER],
    exceptFrom: ['jobs', 'cli'],
    forbidden: ['jobs'],
  },
  acyclic: {
    rule: 8,
    name: 'acyclic',
    text: 'the folder graph (src folders and kernels; shared layer excluded) has no cycles',
  },
} as const satisfies Record<string, ForbiddenEdgeRule | { rule: number; name: string; text: string }>;

/** One relative import, resolved. Paths are relative to the tree root, with `/` separators. */
export interface ImportEdge {
  /** Importing file. */
  readonly from: string;
  /** Resolved target file (the `.ts` source when the specifier names `.js`). */
  readonly to: string;
  /** Whether `to` exists on disk (false: the path the specifier would name). */
  readonly resolved: boolean;
  readonly specifier: string;
  /** 1-based line of the specifier. */
  readonly line: number;
  readonly typeOnly: boolean;
  readonly fromLayer: string;
  /** Null when the target is outside `src/` and `native-free-kernels/`. */
  readonly toLayer: string | null;
}

export interface ImportGraph {
  /** Scanned files, relative to the root. */
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  readonly violations: string[];
}

const toPosix = (p: string): string => p.split(sep).join('/');

/** The layer of a root-relative path, or null outside the scanned roots. */
export function layerOf(relPath: string): string | null {
  const parts = toPosix(relPath).split('/');
  if (parts[0] === 'native-free-kernels' && parts.length >= 2) return KERNELS;
  if (parts[0] === 'src') {
    if (parts.length === 2) return SHARED;
    if (parts.length > 2) return parts[1];
  }
  return null;
}

function walkTs(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      walkTs(full, out);
    } else if (entry.isFile() && /\.(ts|mts|cts|tsx)$/.test(entry.name)) {
      out.push(full);
    }
  }
}

interface RawImport {
  readonly specifier: string;
  readonly line: number;
  readonly typeOnly: boolean;
}

/** Every module specifier written as a string literal in `text`, with its 1-based line. */
export function extractImports(fileName: string, text: string): RawImport[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: RawImport[] = [];
  const add = (lit: ts.Expression | undefined, typeOnly: boolean): void => {
    if (!lit || !ts.isStringLiteralLike(lit)) return;
    const line = sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1;
    found.push({ specifier: lit.text, line, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      let typeOnly = clause?.isTypeOnly ?? false;
      // `import { type A, type B } from` with no default import is type-only as well.
      if (clause && !typeOnly && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        const els = clause.namedBindings.elements;
        typeOnly = els.length > 0 && els.every((e) => e.isTypeOnly);
      }
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal as ts.Expression, true);
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      // `declare module './x.js' { ... }` augments (and so depends on) that module.
      add(node.name, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const isRelative = (spec: string): boolean => spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../');

/** The file a relative specifier names: `.js` -> `.ts` (NodeNext style), else as written, else `/index.ts`. */
function resolveSpecifier(fromFile: string, spec: string): { path: string; exists: boolean } {
  const base = resolve(dirname(fromFile), spec);
  const candidates: string[] = [];
  const swaps: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['.js', ['.ts', '.tsx', '.d.ts']],
    ['.mjs', ['.mts', '.d.mts']],
    ['.cjs', ['.cts', '.d.cts']],
    ['.jsx', ['.tsx']],
  ];
  for (const [ext, tsExts] of swaps) {
    if (base.endsWith(ext)) for (const t of tsExts) candidates.push(base.slice(0, -ext.length) + t);
  }
  candidates.push(base, base + '.ts', join(base, 'index.ts'));
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) return { path: c, exists: true };
  }
  return { path: candidates[0], exists: false };
}

/** Every `.ts` file under the scanned roots and its resolved relative imports. */
export function collectEdges(root: string): { files: string[]; edges: ImportEdge[] } {
  const abs: string[] = [];
  for (const r of SCANNED_ROOTS) walkTs(join(root, r), abs);
  const files = abs.map((f) => toPosix(relative(root, f)));
  const edges: ImportEdge[] = [];
  abs.forEach((file, i) => {
    const from = files[i];
    const fromLayer = layerOf(from)!;
    for (const imp of extractImports(file, readFileSync(file, 'utf8'))) {
      if (!isRelative(imp.specifier)) continue;
      const target = resolveSpecifier(file, imp.specifier);
      const to = toPosix(relative(root, target.path));
      edges.push({ from, to, resolved: target.exists, specifier: imp.specifier, line: imp.line, typeOnly: imp.typeOnly, fromLayer, toLayer: layerOf(to) });
    }
  });
  return { files, edges };
}

const isSrcFolder = (layer: string): boolean => layer !== SHARED && layer !== KERNELS;

function matches(selector: Selector | undefined, layer: string): boolean {
  if (!selector) return false;
  return selector.some((s) => s === layer || (s === ANY_SRC_FOLDER && isSrcFolder(layer)));
}

const describeEdge = (e: ImportEdge): string => `${e.from}:${e.line} imports '${e.specifier}'${e.typeOnly ? ' (type-only)' : ''}`;

const ruleTag = (r: { rule: number; name: string }): string => `[rule ${r.rule} ${r.name}]`;

function forbiddenEdgeViolations(edges: readonly ImportEdge[]): string[] {
  const rules: ForbiddenEdgeRule[] = Object.values(LAYER_RULES).flatMap((r) => ('forbidden' in r ? [r] : []));
  const out: string[] = [];
  for (const e of edges) {
    if (e.toLayer === null || e.toLayer === e.fromLayer) continue;
    for (const r of rules) {
      if (matches(r.from, e.fromLayer) && !matches(r.exceptFrom, e.fromLayer) && matches(r.forbidden, e.toLayer)) {
        out.push(`${ruleTag(r)} ${describeEdge(e)} (${e.fromLayer} -> ${e.toLayer}): ${r.text}`);
      }
    }
  }
  return out;
}

/** Strongly connected components (Tarjan), each sorted; nodes and neighbours visited in sorted order. */
function stronglyConnected(nodes: readonly string[], adj: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const comps: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      comps.push(comp.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) strong(n);
  return comps;
}

/** Shortest path start ~> goal inside `allowed` (BFS, neighbours in sorted order), inclusive. */
function shortestPath(start: string, goal: string, adj: ReadonlyMap<string, readonly string[]>, allowed: ReadonlySet<string>): string[] | null {
  const prev = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    if (v === goal) {
      const path: string[] = [];
      for (let c: string | null = v; c !== null; c = prev.get(c)!) path.unshift(c);
      return path;
    }
    for (const w of adj.get(v) ?? []) {
      if (allowed.has(w) && !prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return null;
}

/**
 * Folder cycles, one message each: for every folder edge inside a strongly connected component that
 * no reported cycle covers yet, the shortest cycle through it. Every cross-folder edge that lies on a
 * cycle is thus shown in at least one message.
 */
function cycleViolations(edges: readonly ImportEdge[]): string[] {
  const witness = new Map<string, ImportEdge>(); // "a->b" -> first import (by file, line)
  const sorted = [...edges].sort((a, b) => a.from.localeCompare(b.from) || a.line - b.line);
  for (const e of sorted) {
    if (e.toLayer === null || e.toLayer === e.fromLayer || e.fromLayer === SHARED || e.toLayer === SHARED) continue;
    const key = `${e.fromLayer}->${e.toLayer}`;
    if (!witness.has(key)) witness.set(key, e);
  }
  const adjSets = new Map<string, Set<string>>();
  for (const e of witness.values()) {
    if (!adjSets.has(e.fromLayer)) adjSets.set(e.fromLayer, new Set());
    if (!adjSets.has(e.toLayer!)) adjSets.set(e.toLayer!, new Set());
    adjSets.get(e.fromLayer)!.add(e.toLayer!);
  }
  const adj = new Map([...adjSets].map(([k, v]) => [k, [...v].sort()] as const));
  const nodes = [...adj.keys()].sort();

  const out: string[] = [];
  const covered = new Set<string>();
  const seen = new Set<string>();
  for (const comp of stronglyConnected(nodes, adj)) {
    if (comp.length < 2) continue;
    const inComp = new Set(comp);
    for (const a of comp) {
      for (const b of adj.get(a)!) {
        if (!inComp.has(b) || covered.has(`${a}->${b}`)) continue;
        const back = shortestPath(b, a, adj, inComp);
        if (!back) continue;
        let cycle = [a, ...back]; // a -> b -> ... -> a
        const ring = cycle.slice(0, -1);
        const m = ring.indexOf([...ring].sort()[0]);
        cycle = [...ring.slice(m), ...ring.slice(0, m), ring[m]]; // start at the smallest folder
        const key = cycle.join(' -> ');
        for (let i = 0; i + 1 < cycle.length; i++) covered.add(`${cycle[i]}->${cycle[i + 1]}`);
        if (seen.has(key)) continue;
        seen.add(key);
        const steps = cycle.slice(0, -1).map((f, i) => {
          const e = witness.get(`${f}->${cycle[i + 1]}`)!;
          return `${f} -> ${cycle[i + 1]}: ${describeEdge(e)}`;
        });
        out.push(`${ruleTag(LAYER_RULES.acyclic)} folder cycle ${key}; ${steps.join('; ')}: ${LAYER_RULES.acyclic.text}`);
      }
    }
  }
  return out;
}

/** Edges, files and every rule violation of the tree at `root`. */
export function analyzeImportGraph(root: string): ImportGraph {
  const { files, edges } = collectEdges(root);
  const violations = [...forbiddenEdgeViolations(edges), ...cycleViolations(edges)];
  return { files, edges, violations };
}

/** The rule violations of the tree at `root` (empty when the layering holds). */
export function checkLayers(root: string): string[] {
  return analyzeImportGraph(root).violations;
}
