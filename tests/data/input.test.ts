/** Input files: strict UTF-8 with located errors, whole (`decodeUtf8`) and in chunks (`forEachTextChunk`). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeUtf8, forEachTextChunk, readDataFile } from '../../src/data/input.js';
import { DataError, formatViolation, InputError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pnlopt-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The one violation of the `DataError` that `fn` throws, formatted. */
function violation(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    expect(err.violations).toHaveLength(1);
    return formatViolation(err.violations[0]);
  }
  throw new Error('expected a DataError');
}

const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('decodeUtf8', () => {
  it('decodes UTF-8 and drops a byte-order mark', () => {
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], 'CAFÉ,€,𝄞\n'), 'f.csv')).toBe('CAFÉ,€,𝄞\n');
  });

  it('refuses Latin-1 at its line, character and byte: CAFÉ and CAFÈ never become one ticker', () => {
    const latin1 = Buffer.from('ticker,close\nCAFÉ,1\nCAFÈ,2\n', 'latin1');
    expect(violation(() => decodeUtf8(latin1, 'f.csv'))).toBe('f.csv:2:4: invalid UTF-8 (byte 0xc9); the file must be UTF-8 text');
  });

  // Each case: bytes after 'ab\n€x', where the bad sequence starts at line 2, character 3 (the BOM and € count as one).
  it.each([
    ['a lone continuation byte', [0x80], 0x80],
    ['a lead byte without its continuation', [0xc3, 0x41], 0xc3],
    ['an overlong encoding', [0xc0, 0x80], 0xc0],
    ['an overlong 3-byte form', [0xe0, 0x80, 0x80], 0xe0],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80], 0xed],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0xf4],
    ['a byte never in UTF-8', [0xff], 0xff],
    ['a character cut short by the end of the file', [0xf0, 0x9d, 0x84], 0xf0],
  ])('refuses %s, as TextDecoder does, and locates it', (_, bad, lead) => {
    const b = bytes([0xef, 0xbb, 0xbf], 'ab\n€x', bad);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(b)).toThrow();
    expect(violation(() => decodeUtf8(b, 'f.csv'))).toBe(`f.csv:2:3: invalid UTF-8 (byte 0x${lead.toString(16)}); the file must be UTF-8 text`);
  });
});

describe('forEachTextChunk', () => {
  const fileOf = (b: Buffer): string => {
    const path = join(dir, `t${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(path, b);
    return path;
  };
  const pieces = (path: string, chunkBytes: number): string[] => {
    const out: string[] = [];
    forEachTextChunk(path, 'f.txt', (text) => (out.push(text), 0), chunkBytes);
    return out;
  };

  it('cuts no character: the pieces join to the decoded file at any chunk size (property)', () => {
    const text = fc.array(fc.constantFrom('a', '\n', 'é', '€', '𝄞', '\ufeff'), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 9 }), (t, chunkBytes) => {
        const got = pieces(fileOf(Buffer.from(t, 'utf8')), chunkBytes);
        expect(got.join('')).toBe(t);
        // A piece is whole characters: re-encoding it gives valid UTF-8 of the same length.
        for (const p of got) expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
      }),
      { numRuns: 300 },
    );
  });

  it('hands the unused end of a piece back at the start of the next one', () => {
    const text = 'one\ntwo€€\nthree 𝄞\n\nfour\n';
    // Use each piece up to its last line break: the used parts are whole lines and join to the text.
    for (const chunkBytes of [1, 3, 5, 64]) {
      const used: string[] = [];
      const onText = (t: string, final: boolean): number => {
        const keep = final ? 0 : t.length - (t.lastIndexOf('\n') + 1);
        used.push(t.slice(0, t.length - keep));
        return keep;
      };
      forEachTextChunk(fileOf(Buffer.from(text)), 'f.txt', onText, chunkBytes);
      expect(used.join('')).toBe(text);
      expect(used.every((u) => u === '' || u.endsWith('\n'))).toBe(true);
    }
  });

  it('refuses invalid UTF-8 in any chunk at its line and character', () => {
    const path = fileOf(bytes('x\ny\n€€', [0xe2, 0x82], '\n'));
    for (const chunkBytes of [1, 2, 3, 7, 1024]) {
      expect(violation(() => pieces(path, chunkBytes))).toBe('f.txt:3:3: invalid UTF-8 (byte 0xe2); the file must be UTF-8 text');
    }
  });

  it('names an unreadable path as an input error', () => {
    const sub = join(dir, 'a-folder');
    mkdirSync(sub);
    expect(() => pieces(join(dir, 'missing.txt'), 8)).toThrow(InputError);
    expect(() => pieces(sub, 8)).toThrow(/cannot read data file/);
    expect(() => readDataFile(sub)).toThrow(/cannot read data file/);
  });
});
