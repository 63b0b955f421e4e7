/**
 * Start-up of the built CLI (`npm run build` first): building the program, and so `--help`, loads
 * commander and the commands' declarations only; each command's action, with its packages (Arrow,
 * SQLite, the worker pool, the config schemas), is imported when the command runs. The modules a
 * child process loads are traced with a module loader hook: no timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

/** Marks the hook's lines on standard error. */
const MARK = 'pnlopt-test-loaded ';

/** A loader hook, as a data: URL, that prints the URL of every module loaded (packages' entry points and the project's modules). */
const HOOK = `data:text/javascript,${encodeURIComponent(
  `import { writeSync } from 'node:fs'; export async function load(url, context, next) { writeSync(2, ${JSON.stringify(MARK)} + url + '\\n'); return next(url, context); }`,
)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(HOOK)});`)}`;

/** The modules `pnlopt ...args` loads: packages by name, project modules by path under dist/. */
function loadedModules(args: readonly string[]): { code: number | null; packages: Set<string>; modules: Set<string>; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', REGISTER, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const urls = r.stderr
    .split('\n')
    .filter((l) => l.startsWith(MARK))
    .map((l) => l.slice(MARK.length));
  const packages = new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p) => p !== undefined));
  const modules = new Set(urls.map((u) => /\/dist\/(.+)$/.exec(u)?.[1]).filter((p) => p !== undefined));
  return { code: r.status, packages, modules, stdout: r.stdout };
}

/** The action modules of the subcommands (src/cli/commands/<name>.ts, each declared by <name>-command.ts). */
const ACTION_MODULES = readdirSync(join(ROOT, 'src', 'cli', 'commands'))
  .filter((f) => f.endsWith('-command.ts'))
  .map((f) => `src/cli/commands/${f.replace('-command.ts', '.js')}`);

describe('pnlopt start-up', () => {
  it('--help lists every command but loads no package other than commander and no command action', () => {
    const help = loadedModules(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('pareto');
    // The trace works: the program itself was seen loading.
    expect(help.modules).toContain('src/cli/main.js');
    expect([...help.packages]).toEqual(['commander']);
    expect(ACTION_MODULES.length).toBeGreaterThan(10);
    expect(ACTION_MODULES.filter((m) => help.modules.has(m))).toEqual([]);
  });

  it("a subcommand's help loads its declaration only; running it loads its action, and not the packages it does not use", () => {
    const help = loadedModules(['pareto', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pnlopt pareto');
    expect(help.modules.has('src/cli/commands/pareto.js')).toBe(false);
    const input = join(mkdtempSync(join(tmpdir(), 'pnlopt-startup-')), 'm.csv');
    writeFileSync(input, 'a,b\n1,2\n2,1\n');
    const run = loadedModules(['pareto', '--in', input, '--minimize', 'a,b', '--out', '/dev/null']);
    expect(run.code).toBe(0);
    expect(run.modules.has('src/cli/commands/pareto.js')).toBe(true);
    // Ranking a CSV needs no store, worker pool, Arrow, config or progress bar.
    expect(['apache-arrow', 'better-sqlite3', 'piscina', 'zod', 'yaml', 'cli-progress'].filter((p) => run.packages.has(p))).toEqual([]);
  });
});
