/**
 * Input files as bytes and as text. Text is strict UTF-8: a byte sequence that is not UTF-8 (a
 * Latin-1 `É`, a truncated character) is a `DataError` at `file:line:character`, never a U+FFFD
 * that would merge `CAFÉ` and `CAFÈ` into one ticker. A leading byte-order mark is dropped. One
 * decoder serves every reader: whole files (`decodeUtf8`) and files read in chunks
 * (`forEachTextChunk`, for files longer than V8's longest string).
 */
import { constants } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { DataError, InputError } from '../errors.js';

/** The longest string V8 holds (2^29 - 24 UTF-16 units on 64-bit Node); `decodeUtf8` refuses more bytes. */
const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

/** Bytes `forEachTextChunk` reads at a time. */
export const TEXT_CHUNK_BYTES = 16 << 20;

/** The bytes of a data file; an unreadable path is an `InputError`. */
export function readDataFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw cannotRead(path, err);
  }
}

function cannotRead(path: string, err: unknown): InputError {
  return new InputError(`cannot read data file ${path}: ${(err as Error).message}`);
}

/**
 * `bytes` as text, strictly UTF-8 (see the file header).
 * @param file name used in messages
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_STRING_LENGTH) {
    throw new InputError(`${file}: ${bytes.length} bytes is more than one string can hold (${MAX_STRING_LENGTH} characters); split the file`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidUtf8([bytes], file);
  }
}

/**
 * Read the file at `path` in chunks of `chunkBytes`, handing the text to `onText` piece by piece;
 * the last call has `final` set (its text may be empty). `onText` returns how many characters at
 * the end of its text it has not used (a record the piece cuts): they come again at the start of
 * the next piece. A piece never ends inside a character, and each is decoded from one run of
 * bytes, so it is a flat string that V8 reads at full speed.
 * @param file name used in messages
 */
export function forEachTextChunk(path: string, file: string, onText: (text: string, final: boolean) => number, chunkBytes = TEXT_CHUNK_BYTES): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw cannotRead(path, err);
  }
  try {
    // No BOM handling here: a U+FEFF at the start of a later piece is text (the CSV tokenizer skips the file's BOM).
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let buf: Buffer = Buffer.allocUnsafe(chunkBytes);
    // Bytes at the start of buf carried over from the previous piece.
    let kept = 0;
    // A regular file ends at its size: its last piece is decoded as final at once, so a cut
    // character at the end is found before the text is parsed, as when the whole file is decoded.
    const stat = fstatSync(fd);
    const size = stat.isFile() ? stat.size : Infinity;
    let total = 0;
    for (;;) {
      if (buf.length - kept < chunkBytes) buf = copyInto(buf, kept, Buffer.allocUnsafe(kept + chunkBytes));
      let n: number;
      try {
        n = readSync(fd, buf, kept, chunkBytes, null);
      } catch (err) {
        throw cannotRead(path, err);
      }
      const filled = kept + n;
      total += n;
      const final = n === 0 || total >= size;
      const end = final ? filled : wholeCharacters(buf, filled);
      let text: string;
      try {
        text = decoder.decode(buf.subarray(0, end));
      } catch {
        throw invalidUtf8(chunksOf(openSync(path, 'r'), chunkBytes, true), file);
      }
      const unused = onText(text, final);
      if (final) return;
      const from = end - (unused === 0 ? 0 : Buffer.byteLength(text.slice(text.length - unused)));
      buf.copy(buf, 0, from, filled);
      kept = filled - from;
    }
  } finally {
    closeSync(fd);
  }
}

/** `to` holding the first `n` bytes of `from`. */
function copyInto(from: Buffer, n: number, to: Buffer): Buffer {
  from.copy(to, 0, 0, n);
  return to;
}

/** The end of the last whole UTF-8 character in bytes[0, filled): a character cut by the end waits for the next read. */
function wholeCharacters(bytes: Uint8Array, filled: number): number {
  for (let i = filled - 1; i >= Math.max(0, filled - 4); i--) {
    const b = bytes[i];
    if (b < 0x80) return filled;
    if (b >= 0xc0) return filled - i >= (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) ? filled : i;
  }
  // Only continuation bytes: the decoder rejects them.
  return filled;
}

/** The file's bytes from its current position, `chunkBytes` at a time, in one reused buffer; `closeAfter` closes `fd` at the end. */
function* chunksOf(fd: number, chunkBytes: number, closeAfter = false): Generator<Uint8Array, void, undefined> {
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    for (let n; (n = readSync(fd, buf, 0, chunkBytes, null)) > 0; ) yield buf.subarray(0, n);
  } finally {
    if (closeAfter) closeSync(fd);
  }
}

/**
 * The `DataError` for the first sequence of `chunks` (a file's bytes in order) that is not UTF-8:
 * its line (counted like CSV rows: 1 + line feeds before it), character in the line (1-based,
 * counting code points) and first byte. The bounds are the WHATWG decoder's, so this finds what
 * `TextDecoder` with `fatal` rejects.
 */
function invalidUtf8(chunks: Iterable<Uint8Array>, file: string): DataError {
  let line = 1, column = 1;
  let need = 0, lo = 0x80, hi = 0xbf;
  let lead = 0, leadLine = 1, leadColumn = 1;
  let first = true;
  const at = (row: number, character: number, byte: number): DataError =>
    new DataError([{ file, row, column: String(character), problem: `invalid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')}); the file must be UTF-8 text` }]);
  for (const bytes of chunks) {
    // A byte-order mark is no character of the line.
    let i = first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    first = false;
    for (; i < bytes.length; i++) {
      const b = bytes[i];
      if (need > 0) {
        if (b < lo || b > hi) return at(leadLine, leadColumn, lead);
        lo = 0x80;
        hi = 0xbf;
        if (--need === 0) column++;
        continue;
      }
      if (b < 0x80) {
        if (b === 0x0a) {
          line++;
          column = 1;
        } else column++;
        continue;
      }
      lead = b;
      leadLine = line;
      leadColumn = column;
      // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        if (b === 0xe0) lo = 0xa0;
        if (b === 0xed) hi = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        if (b === 0xf0) lo = 0x90;
        if (b === 0xf4) hi = 0x8f;
      } else {
        return at(line, column, b);
      }
    }
  }
  // Only a character cut short by the end of the file is left.
  return at(leadLine, leadColumn, lead);
}
