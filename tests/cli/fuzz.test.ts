/**
 * Fuzz of the CLI's input boundary (issue 10): fast-check mutates a valid OHLCV CSV and the test
 * config folder, and `pnlopt ingest` (and, for config, a short `pnlopt optimize`) runs on each
 * mutant against a store that already holds an ingest. Every run must exit 0 or 2 (never 1, never
 * an "internal error", a stack trace or a process warning); input that is not UTF-8 is refused; a
 * rejected input (exit 2) leaves the store byte for byte as it was, with no side file; an accepted
 * one leaves a sound pnlopt store whose bars obey the data rules.
 *
 * The CLI runs in-process (`main` from dist/, as bin/pnlopt.js calls it): a child process per case
 * would cost 0.5-1 s. The seed is fixed (FUZZ_SEED overrides it, FUZZ_RUNS the cases per property,
 * an eighth of them for optimize) and printed with any failure, so a failure replays.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_FILES } from '../../src/config/load.js';
import { DatabaseManager } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { ROOT, runCliInProcess, type CliResult } from '../helpers/cli.js';
import { TEST_CONFIG_DIR } from '../helpers/config.js';
import { fingerprint } from '../helpers/store-files.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
/** A short optimize costs a worker pool, about 20 ingests: fewer cases. */
const OPTIMIZE_RUNS = Math.ceil(RUNS / 8);
/** Per property: the default runs take a few seconds; a long local run (FUZZ_RUNS) gets room. */
const TIMEOUT = Math.max(60_000, RUNS * 300);
/** A stack frame line: never printed without --debug. */
const STACK = /\n\s+at /;

let dir: string;
/** The header and first 60 bars of the MSFT sample: what the CSV cases mutate and the config cases ingest. */
let baseCsv: Buffer;
/** The first 1300 bars of the S&P 500 sample: enough for a search window and a hold-out (optimize). */
let longCsv: string;
/** A store holding one ingest of `baseCsv`, copied for every case. */
let template: string;
let cases = 0;
/** The 'error' listeners on stdout and stderr once `main` has run. */
let streamListeners: number[];
/** Exit codes seen, by kind of case (`csv 0`: 12 ...), for the report of a longer local run. */
const tally = new Map<string, number>();
/** Process warnings (`process.emitWarning`) since the last case: a command must not cause any. */
const warnings: string[] = [];
const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);

/** The file a case writes its CSV to: the base name is the ticker, the one the template holds. */
const TICKER = 'msft';

type CliRun = CliResult;

/** `pnlopt ...args` in this process, its output captured. */
const cli = (args: readonly string[]): Promise<CliRun> => runCliInProcess(args);

/** Exit 0 or 2, the way the contract says: no internal error, no stack trace. */
function expectCleanExit(r: CliRun): void {
  expect([0, 2], `exit ${r.code}; stderr:\n${r.stderr}`).toContain(r.code);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(STACK);
  if (r.code === 2) expect(r.stderr).toMatch(/^pnlopt: |^error: /m);
}

/**
 * After exit 0: the store opens read-only as a sound pnlopt store (no migration needed, quick_check
 * passes), `pnlopt runs` reads it, every stored bar obeys the rules ingest validates, and reading
 * left no side file.
 */
async function expectSoundStore(db: string): Promise<void> {
  const dbm = new DatabaseManager(db, MIGRATIONS, 'read');
  try {
    expect(dbm.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // NaN is stored as NULL: a NULL condition counts as broken.
    const bad = dbm.db
      .prepare(
        `SELECT * FROM ohlcv WHERE NOT coalesce(ts = CAST(ts AS INTEGER) AND open > 0 AND high > 0 AND low > 0 AND close > 0 AND volume >= 0
           AND high >= max(open, close) AND low <= min(open, close) AND high < 9e999 AND volume < 9e999, 0) LIMIT 3`,
      )
      .all();
    expect(bad).toEqual([]);
  } finally {
    dbm.close();
  }
  const r = await cli(['runs', '--db', db]);
  expect(r.code, r.stderr).toBe(0);
  expect(fingerprint(db).sideFiles).toEqual([]);
}

/** A fresh copy of the template store for one case. */
function caseStore(caseDir: string): string {
  const db = join(caseDir, 'store.db');
  copyFileSync(template, db);
  return db;
}

/** Whether `bytes` are UTF-8 text: the readers refuse anything else (exit 2), never read it as U+FFFD. */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Run `pnlopt COMMAND ...args --db <a copy of the template store>` and check the contract: a clean
 * exit, no warning, the store untouched on exit 2, sound on exit 0; `inputs` (the files the case
 * wrote) that are not UTF-8 must be refused.
 */
async function runChecked(kind: string, caseDir: string, args: readonly string[], inputs: readonly Uint8Array[]): Promise<CliRun> {
  cases++;
  const db = caseStore(caseDir);
  const before = fingerprint(db);
  const r = await cli([...args, '--db', db, '-q']);
  tally.set(`${kind} ${r.code}`, (tally.get(`${kind} ${r.code}`) ?? 0) + 1);
  expectCleanExit(r);
  // `main` installs its stream listeners once per process, not once per call.
  expect([process.stdout.listenerCount('error'), process.stderr.listenerCount('error')]).toEqual(streamListeners);
  // Node prints a warning (the yaml package's, say) on the next tick, after the command returned.
  await new Promise((resolve) => setImmediate(resolve));
  expect(warnings.splice(0)).toEqual([]);
  // Refused, though maybe for another problem found first (a header, an earlier config file).
  if (!inputs.every(isUtf8)) expect(r.code, 'input that is not UTF-8 was accepted').toBe(2);
  if (r.code === 2) expect(fingerprint(db), r.stderr).toEqual(before);
  else await expectSoundStore(db);
  return r;
}

let lastCaseDir: string | undefined;

/** An empty folder for the next case; the previous case's goes (a long run would fill the disk). */
function newCaseDir(): string {
  if (lastCaseDir !== undefined) rmSync(lastCaseDir, { recursive: true, force: true });
  lastCaseDir = join(dir, `case-${cases}`);
  mkdirSync(lastCaseDir);
  return lastCaseDir;
}

beforeAll(async () => {
  process.on('warning', onWarning);
  dir = mkdtempSync(join(tmpdir(), 'pnlopt-fuzz-'));
  const lines = readFileSync(join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv'), 'utf8').split('\n');
  baseCsv = Buffer.from(lines.slice(0, 61).join('\n') + '\n');
  longCsv = join(dir, 'sp500.csv');
  writeFileSync(longCsv, readFileSync(join(ROOT, 'data', 'sp500_daily_ohlcv_2000_2020.csv'), 'utf8').split('\n').slice(0, 1301).join('\n') + '\n');
  const seed = join(dir, 'seed');
  mkdirSync(seed);
  writeFileSync(join(seed, `${TICKER}.csv`), baseCsv);
  template = join(dir, 'template.db');
  const r = await cli(['ingest', '--config-dir', TEST_CONFIG_DIR, '--data', join(seed, `${TICKER}.csv`), '--db', template, '-q']);
  expect(r.code, r.stderr).toBe(0);
  expect(fingerprint(template).sideFiles).toEqual([]);
  streamListeners = [process.stdout.listenerCount('error'), process.stderr.listenerCount('error')];
});

afterAll(() => {
  process.off('warning', onWarning);
  if (process.env.FUZZ_RUNS !== undefined) console.log(`fuzz: ${cases} cases, seed ${SEED}; exits: ${[...tally].map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Run a property with the fixed seed, after `examples` (inputs that once failed); a failure names the seed to replay it with. */
async function check<T>(numRuns: number, arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>, examples: readonly T[] = []): Promise<void> {
  const out = await fc.check(fc.asyncProperty(arb, run), { seed: SEED, numRuns, examples: examples.map((e): [T] => [e]) });
  if (out.failed) throw new Error(`${fc.defaultReportMessage(out)}\n(replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS})\n${String(out.errorInstance)}`);
}

// ---------------------------------------------------------------- CSV mutations

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
/** Bytes that matter to a CSV reader and a UTF-8 decoder. */
const TOKENS: Buffer[] = [
  ...['"', ',', '\r', '\n', '\r\n', '\0', '\t', ' ', '""', '-', '.', 'e', '0', '9', '\x1b[2J', '\x7f'].map(bytes),
  bytes('\xff'), bytes('\xfe'), bytes('\xc3'), bytes('\xe9'), bytes('\xed\xa0\x80'), bytes('\xf4\x90\x80\x80'), bytes('\xc0\xaf'),
  Buffer.from('\ufeff'), Buffer.from('é'), Buffer.from('\u2028'), Buffer.from('\u202e'), Buffer.from('🙂'),
];
/** Cell texts around the edges of what the readers accept. */
const CELLS: string[] = [
  '', ' ', '-1', '0', '-0', '+5', '.5', '5.', '1e308', '1e309', '-1e309', '1e-320', '4.9e-324', '9'.repeat(400), '0.' + '0'.repeat(400) + '1',
  'NaN', 'nan', '-NaN', 'inf', '-inf', '+Infinity', 'Infinity', 'INF', '0x1A', '1_000', '1,5', '"12.5"', '" 12.5 "', '"1""2"', '١٢',
  '2000-02-30', '2000-13-01', '0000-01-01', '9999-12-31', '2000-09-27T00:00:00-05:00', '2000-09-27T23:59:59+23:59', '2000-09-27T12:00:00Z',
  '2000-09-27T00:00:00.000Z', '2000-09-27T00:00:00+00:00', '2000-09-27T24:00:00Z', '2000-9-27', '20000927', '1e3', 'NULL', '\0', 'é',
  '\x1b]0;title\x07', '__proto__', 'constructor',
];
/** Header names: the aliases, near misses and names that are special to JavaScript objects. */
const HEADERS: string[] = [
  'Date', 'DATE', ' date ', 'Datetime', 'Timestamp', 'time', 'Open', 'High', 'Low', 'Close', 'Volume', 'Vol', 'Ticker', 'Symbol',
  'Adj Close', '', '"close"', 'clóse', '\ufeffdate', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'date,ticker', '"a,b"',
];
const TICKERS: string[] = ['A', 'msft', 'MSFT', '', ' ', 'CAFÉ', 'CAFÈ', '__proto__', 'constructor', 'AB\x1b[2JC', '"X,Y"', 'é'.repeat(300)];

type CsvOp =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicateLine' | 'dropLine'; line: number }
  | { kind: 'swapLines'; line: number; other: number }
  | { kind: 'cell'; line: number; field: number; text: string }
  | { kind: 'header'; field: number; name: string }
  | { kind: 'permute'; keys: number[]; headerOnly: boolean }
  | { kind: 'tickerColumn'; names: string[] }
  | { kind: 'lineEnds'; crlf: boolean; bom: boolean }
  | { kind: 'empty' };

const numberText = fc.oneof(
  fc.double().map(String),
  fc.double({ min: 1e-4, max: 1e16, noNaN: true }).map(String),
  fc.integer().map(String),
  fc.bigInt().map(String),
);
const cellText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...CELLS) },
  { weight: 2, arbitrary: numberText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

const csvOp: fc.Arbitrary<CsvOp> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(fc.constantFrom(...TOKENS), fc.uint8Array({ minLength: 1, maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constantFrom('duplicateLine' as const, 'dropLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('cell' as const), line: fc.nat(), field: fc.nat(), text: cellText }),
  fc.record({ kind: fc.constant('header' as const), field: fc.nat(), name: fc.oneof(fc.constantFrom(...HEADERS), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('permute' as const), keys: fc.array(fc.double({ noNaN: true }), { minLength: 6, maxLength: 6 }), headerOnly: fc.boolean() }),
  fc.record({ kind: fc.constant('tickerColumn' as const), names: fc.array(fc.constantFrom(...TICKERS), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('lineEnds' as const), crlf: fc.boolean(), bom: fc.boolean() }),
  fc.constant({ kind: 'empty' as const }),
);

function splitLines(b: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let from = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, from)) {
    lines.push(b.subarray(from, i));
    from = i + 1;
  }
  lines.push(b.subarray(from));
  return lines;
}

const joinLines = (lines: readonly Buffer[]): Buffer => Buffer.concat(lines.flatMap((l, i) => (i === 0 ? [l] : [Buffer.from('\n'), l])));

/** The fields of a line split at every comma (quotes ignored: a mutation may well break them). */
const fieldsOf = (line: Buffer): string[] => line.toString('latin1').split(',');
const fromFields = (fields: readonly string[]): Buffer => Buffer.from(fields.join(','), 'latin1');

/** `line` with its field `k` (modulo the field count) replaced by `text`, written as UTF-8. */
function withField(line: Buffer, k: number, text: string): Buffer {
  const f = fieldsOf(line);
  const at = k % f.length;
  const before = f.slice(0, at).map((x) => x + ',').join('');
  const after = f.slice(at + 1).map((x) => ',' + x).join('');
  return Buffer.concat([Buffer.from(before, 'latin1'), Buffer.from(text), Buffer.from(after, 'latin1')]);
}

function applyCsvOp(b: Buffer, op: CsvOp): Buffer {
  const lines = (): Buffer[] => splitLines(b);
  switch (op.kind) {
    case 'flip': {
      if (b.length === 0) return b;
      const out = Buffer.from(b);
      out[op.at % b.length] ^= op.mask;
      return out;
    }
    case 'insert': {
      const at = op.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), op.bytes, b.subarray(at)]);
    }
    case 'delete': {
      const at = op.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + op.length)]);
    }
    case 'truncate':
      return b.subarray(0, op.at % (b.length + 1));
    case 'duplicateLine':
    case 'dropLine': {
      const ls = lines();
      const i = op.line % ls.length;
      ls.splice(i, 1, ...(op.kind === 'duplicateLine' ? [ls[i], ls[i]] : []));
      return joinLines(ls);
    }
    case 'swapLines': {
      const ls = lines();
      const [i, j] = [op.line % ls.length, op.other % ls.length];
      [ls[i], ls[j]] = [ls[j], ls[i]];
      return joinLines(ls);
    }
    case 'cell': {
      const ls = lines();
      if (ls.length < 2) return b;
      const i = 1 + (op.line % (ls.length - 1));
      ls[i] = withField(ls[i], op.field, op.text);
      return joinLines(ls);
    }
    case 'header': {
      const ls = lines();
      ls[0] = withField(ls[0], op.field, op.name);
      return joinLines(ls);
    }
    case 'permute': {
      const order = op.keys.map((k, i) => [k, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([, i]) => i);
      const permuted = (line: Buffer): Buffer => {
        const f = fieldsOf(line);
        return f.length === order.length ? fromFields(order.map((i) => f[i])) : line;
      };
      const ls = lines();
      return joinLines(op.headerOnly ? [permuted(ls[0]), ...ls.slice(1)] : ls.map(permuted));
    }
    case 'tickerColumn': {
      const ls = lines();
      return joinLines(ls.map((l, i) => (l.length === 0 ? l : Buffer.concat([l, Buffer.from(i === 0 ? ',ticker' : `,${op.names[i % op.names.length]}`)]))));
    }
    case 'lineEnds': {
      const body = op.crlf ? Buffer.from(b.toString('latin1').replaceAll('\n', '\r\n'), 'latin1') : b;
      return op.bom ? Buffer.concat([Buffer.from('\ufeff'), body]) : body;
    }
    case 'empty':
      return Buffer.alloc(0);
  }
}

describe('fuzz: CSV mutations', () => {
  it('through pnlopt ingest: exits 0 or 2; a rejected file leaves the store byte-identical, an accepted one leaves it sound', { timeout: TIMEOUT }, async () => {
    const mutation = fc.record({ ops: fc.array(csvOp, { minLength: 1, maxLength: 4 }), replace: fc.boolean() });
    await check(RUNS, mutation, async ({ ops, replace }) => {
      const caseDir = newCaseDir();
      const csv = join(caseDir, `${TICKER}.csv`);
      const text = ops.reduce(applyCsvOp, baseCsv);
      writeFileSync(csv, text);
      await runChecked('csv', caseDir, ['ingest', '--config-dir', TEST_CONFIG_DIR, '--data', csv, ...(replace ? ['--mode', 'replace'] : [])], [text]);
    });
  });
});

// ---------------------------------------------------------------- YAML mutations

const CONFIG_NAMES = Object.values(CONFIG_FILES);

/** Values a key may be set to: other types, out of range, special floats, JavaScript-special strings. */
const YAML_VALUES: unknown[] = [
  -1, 0, 1, 0.5, 2, 1e308, -1e308, Infinity, -Infinity, NaN, 2 ** 53 + 1, -0, 1.5, 1e-12, 1000000000, 1e10,
  null, true, false, '', 'abc', '__proto__', 'constructor', 'x'.repeat(5000), '🙂', '\x1b[2J', '0x10', '1_000', '2001-01-01',
  [], {}, [1, 2], ['a'], { a: 1 }, { __proto__: null, constructor: 1 }, { low: 1, high: 0 },
];
/** Text that breaks or stretches YAML: syntax, anchors, aliases, tags, directives, tabs, bytes that are not UTF-8. */
const YAML_SNIPPETS: Buffer[] = [
  ...[
    ':', ': ', '- ', '-', '{', '}', '[', ']', '"', "'", '#', '&a ', '*a', '*nope', '<<: *a', '!!binary ', '!!js/function ', '!!str ', '!!int ',
    '!!float ', '!!map ', '!!set ', '? ', '---\n', '...\n', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n', '\t', '\n\t', '  ', '\n', '\r\n', '\0',
    '|', '>', '\ufeff', '\u2028', 'é', '\x1b[2J', '@', '`', '%',
  ].map((t) => Buffer.from(t)),
  bytes('\xff\xfe'), bytes('\xc3'), bytes('\xe9'),
];

type YamlOp =
  | { kind: 'delete'; pick: number }
  | { kind: 'set'; pick: number; value: unknown }
  | { kind: 'rename'; pick: number; key: string }
  | { kind: 'anchorAlias'; pick: number; other: number }
  | { kind: 'insertText'; at: number; bytes: Uint8Array; lineStart: boolean }
  | { kind: 'duplicateLine' | 'dropLine' | 'tabIndent'; line: number }
  | { kind: 'deepNesting'; depth: number; flow: boolean }
  | { kind: 'aliasBomb'; levels: number }
  | { kind: 'loosen'; key: number }
  | { kind: 'tweak'; pick: number; how: number };

/** Changes to a number that often stay valid: edges of ranges, not just other types. */
const TWEAKS: ((x: number) => number)[] = [
  () => 0, (x) => -x, (x) => x / 2, (x) => x * 2, (x) => x * 1000, (x) => x / 1000, (x) => x + 1, (x) => x - 1, (x) => Math.round(x), (x) => x + 0.5,
];

/** Guardrails loosened in the file itself (allowed there; only --set may not loosen), and made absurd. */
const LOOSENED: [file: string, path: string[], value: unknown][] = [
  ['quant_success_config.yml', ['guardrails', 'max_drawdown'], 1],
  ['quant_success_config.yml', ['guardrails', 'max_drawdown'], 100],
  ['quant_success_config.yml', ['guardrails', 'min_win_rate'], 0],
  ['quant_success_config.yml', ['guardrails', 'min_win_rate'], -5],
  ['quant_success_config.yml', ['guardrails', 'min_profit_factor'], 0],
  ['quant_success_config.yml', ['guardrails', 'min_expected_profit'], -1e308],
  ['quant_success_config.yml', ['guardrails', 'min_total_trades'], 0],
  ['quant_success_config.yml', ['hold_out', 'required'], false],
  ['quant_success_config.yml', ['hold_out', 'min_bars'], 0],
  ['signal_routing_config.yml', ['signal_routing', 'time_series', 'min_expected_return'], -1],
];

const yamlOp: fc.Arbitrary<YamlOp> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      pick: fc.nat(),
      value: fc.oneof(fc.constantFrom(...YAML_VALUES), fc.double(), fc.integer(), fc.string({ maxLength: 10 })),
    }),
  },
  fc.record({
    kind: fc.constant('rename' as const),
    pick: fc.nat(),
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'unknown_key', '<<'), fc.string({ maxLength: 6 })),
  }),
  fc.record({ kind: fc.constant('anchorAlias' as const), pick: fc.nat(), other: fc.nat() }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insertText' as const),
      at: fc.nat(),
      bytes: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...YAML_SNIPPETS) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
      lineStart: fc.boolean(),
    }),
  },
  fc.record({ kind: fc.constantFrom('duplicateLine' as const, 'dropLine' as const, 'tabIndent' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('deepNesting' as const), depth: fc.constantFrom(50, 1000, 1500, 5000), flow: fc.boolean() }),
  fc.record({ kind: fc.constant('aliasBomb' as const), levels: fc.integer({ min: 2, max: 9 }) }),
  fc.record({ kind: fc.constant('loosen' as const), key: fc.nat() }),
  fc.record({ kind: fc.constant('tweak' as const), pick: fc.nat(), how: fc.nat() }),
);

/** Every key path of the document's maps and every index of its sequences, in document order. */
function nodePaths(doc: Document): (string | number)[][] {
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof key !== 'string' && typeof key !== 'number') continue;
        paths.push([...path, key]);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        paths.push([...path, i]);
        walk(item, [...path, i]);
      });
    }
  };
  walk(doc.contents, []);
  return paths;
}

/** The config file's text after `op`; `file` is the one the case mutates (a loosened guardrail picks its own). */
function applyYamlOp(texts: Map<string, Buffer>, file: string, op: YamlOp): void {
  const text = texts.get(file)!;
  const viaDocument = (edit: (doc: Document, paths: (string | number)[][]) => void, target = file): void => {
    try {
      const doc = parseDocument(texts.get(target)!.toString('utf8'));
      // A document already broken by an earlier text edit is edited as text only.
      if (doc.errors.length > 0) return;
      const paths = nodePaths(doc);
      if (paths.length === 0) return;
      edit(doc, paths);
      texts.set(target, Buffer.from(doc.toString()));
    } catch {
      // A document the yaml package cannot edit or write out (too deep, an alias of the node it replaces): no mutation.
    }
  };
  const lines = text.toString('latin1').split('\n');
  const setLines = (ls: string[]): void => void texts.set(file, Buffer.from(ls.join('\n'), 'latin1'));
  switch (op.kind) {
    case 'delete':
      return viaDocument((doc, paths) => void doc.deleteIn(paths[op.pick % paths.length]));
    case 'set':
      return viaDocument((doc, paths) => doc.setIn(paths[op.pick % paths.length], doc.createNode(op.value)));
    case 'rename':
      return viaDocument((doc, paths) => {
        const path = paths[op.pick % paths.length];
        const value = doc.getIn(path, true);
        doc.deleteIn(path);
        doc.setIn([...path.slice(0, -1), op.key], value);
      });
    case 'anchorAlias':
      // Replace one node with an alias of another (a copy, or a cycle when it is an ancestor).
      return viaDocument((doc, paths) => {
        const source = doc.getIn(paths[op.other % paths.length], true);
        if (source === undefined || source === null || typeof source !== 'object') return;
        doc.setIn(paths[op.pick % paths.length], doc.createAlias(source as Parameters<Document['createAlias']>[0]));
      });
    case 'insertText': {
      const at = op.lineStart ? Buffer.byteLength(lines.slice(0, op.at % lines.length).map((l) => l + '\n').join(''), 'latin1') : op.at % (text.length + 1);
      texts.set(file, Buffer.concat([text.subarray(0, at), op.bytes, text.subarray(at)]));
      return;
    }
    case 'duplicateLine':
    case 'dropLine':
    case 'tabIndent': {
      const i = op.line % lines.length;
      if (op.kind === 'tabIndent') lines[i] = lines[i].replace(/^ */, (s) => '\t'.repeat(Math.max(1, s.length / 2)));
      else lines.splice(i, 1, ...(op.kind === 'duplicateLine' ? [lines[i], lines[i]] : []));
      return setLines(lines);
    }
    case 'deepNesting': {
      const value = op.flow ? '['.repeat(op.depth) + ']'.repeat(op.depth) : Array.from({ length: Math.min(op.depth, 2000) }, (_, d) => `${' '.repeat(d)}k${d}:`).join('\n') + ' 1';
      return setLines([...lines, op.flow ? `deep: ${value}` : value]);
    }
    case 'aliasBomb': {
      const levels = ['b0: &b0 [x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < op.levels; i++) levels.push(`b${i}: &b${i} [${Array(9).fill(`*b${i - 1}`).join(', ')}]`);
      return setLines([...lines, ...levels]);
    }
    case 'loosen': {
      const [target, path, value] = LOOSENED[op.key % LOOSENED.length];
      return viaDocument((doc) => doc.setIn(path, value), target);
    }
    case 'tweak':
      return viaDocument((doc, paths) => {
        const numeric = paths.filter((p) => typeof doc.getIn(p) === 'number');
        if (numeric.length === 0) return;
        const path = numeric[op.pick % numeric.length];
        doc.setIn(path, TWEAKS[op.how % TWEAKS.length](doc.getIn(path) as number));
      });
  }
}

/** A copy of the test config with `ops` applied to `file`, in `caseDir/config`; returns the folder and every file's bytes. */
function mutatedConfig(caseDir: string, file: string, ops: readonly YamlOp[]): { configDir: string; texts: Buffer[] } {
  const configDir = join(caseDir, 'config');
  mkdirSync(configDir);
  const texts = new Map(CONFIG_NAMES.map((f) => [f, readFileSync(join(TEST_CONFIG_DIR, f))]));
  for (const op of ops) applyYamlOp(texts, file, op);
  for (const [name, text] of texts) writeFileSync(join(configDir, name), text);
  return { configDir, texts: [...texts.values()] };
}

describe('fuzz: config (YAML) mutations', () => {
  it('through pnlopt ingest: exits 0 or 2; a rejected config leaves the store byte-identical, an accepted one leaves it sound', { timeout: TIMEOUT }, async () => {
    const mutation = fc.record({ file: fc.constantFrom(...CONFIG_NAMES), ops: fc.array(yamlOp, { minLength: 1, maxLength: 3 }) });
    // What the fuzz found once: exit 1 on a recursive alias, YAML nested 2000 deep and a !!binary key
    // (a warning on stderr), exit 0 on a byte that is not UTF-8.
    const found: { file: string; ops: YamlOp[] }[] = [
      { file: CONFIG_FILES.hyperopt, ops: [{ kind: 'anchorAlias', pick: 1, other: 0 }] },
      { file: CONFIG_FILES.strategy, ops: [{ kind: 'deepNesting', depth: 5000, flow: false }, { kind: 'deepNesting', depth: 50, flow: false }] },
      { file: CONFIG_FILES.regime, ops: [{ kind: 'insertText', at: 14, bytes: Buffer.from('!!binary aGk=: 1\n'), lineStart: true }] },
      { file: CONFIG_FILES.regime, ops: [{ kind: 'insertText', at: 0, bytes: bytes('# caf\xe9\n'), lineStart: true }] },
    ];
    await check(
      RUNS,
      mutation,
      async ({ file, ops }) => {
        const caseDir = newCaseDir();
        const { configDir, texts } = mutatedConfig(caseDir, file, ops);
        const csv = join(caseDir, `${TICKER}.csv`);
        writeFileSync(csv, baseCsv);
        await runChecked('config/ingest', caseDir, ['ingest', '--config-dir', configDir, '--data', csv], texts);
        // Nothing written beside the store (not where a mutated runtime path points).
        expect(readdirSync(caseDir).sort()).toEqual(['config', `${TICKER}.csv`, 'store.db']);
      },
      found,
    );
  });

  it('through a short pnlopt optimize: exits 0 or 2; a rejected config leaves the store byte-identical and writes no summary', { timeout: TIMEOUT }, async () => {
    // Mostly numbers moved to the edges of their ranges, so that many configs load and the search runs.
    const op = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('tweak' as const), pick: fc.nat(), how: fc.nat() }) },
      yamlOp,
    );
    const mutation = fc.record({
      // Not runtime_config.yml: its pool knobs set how long a run takes (calibration_ms x 1000 is a 50 s calibration); the ingest property covers it.
      file: fc.constantFrom(CONFIG_FILES.strategy, CONFIG_FILES.strategy, CONFIG_FILES.quantSuccess, CONFIG_FILES.signalRouting),
      ops: fc.array(op, { minLength: 1, maxLength: 2 }),
      optimizer: fc.constantFrom('nsga2', 'anneal', 'bandit', 'lhs', 'random', 'sobol', 'halton'),
      seed: fc.nat(1000),
    });
    await check(OPTIMIZE_RUNS, mutation, async ({ file, ops, optimizer, seed }) => {
      const caseDir = newCaseDir();
      const { configDir, texts } = mutatedConfig(caseDir, file, ops);
      const out = join(caseDir, 'run');
      const args = ['optimize', '--config-dir', configDir, '--data', longCsv, '--family', 'sma_cross', '--optimizer', optimizer];
      args.push('--budget', '20', '--seed', String(seed), '--workers', '1', '--out', out);
      const r = await runChecked('config/optimize', caseDir, args, texts);
      expect(existsSync(join(out, 'summary.json')), r.stderr).toBe(r.code === 0);
    });
  });
});
