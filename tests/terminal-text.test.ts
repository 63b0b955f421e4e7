/** Control characters in user text are escaped before they reach a terminal. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControl } from '../src/terminal-text.js';

describe('escapeControl', () => {
  it('writes C0, DEL and C1 controls as escapes, short forms for line breaks and tabs', () => {
    expect(escapeControl('AB\x1b[2JC')).toBe('AB\\x1b[2JC');
    expect(escapeControl('\x1b]0;title\x07')).toBe('\\x1b]0;title\\x07');
    expect(escapeControl('a\nb\r\tc\x00\x7f\x9b2J\x85')).toBe('a\\nb\\r\\tc\\x00\\x7f\\x9b2J\\x85');
  });

  it('keeps line breaks when asked, and leaves printable text, backslashes and non-Latin text alone', () => {
    expect(escapeControl('one\ntwo\x1b', true)).toBe('one\ntwo\\x1b');
    for (const text of ['CAFÉ', 'C:\\data\\x.csv', '€ 𝄞 \u00a0 ÿ', '']) expect(escapeControl(text)).toBe(text);
  });

  it('leaves no control character and changes nothing the second time (property)', () => {
    fc.assert(
      // Code units up to U+02FF (every control and the Latin range around them), and a few beyond.
      fc.property(fc.string({ unit: fc.oneof(fc.integer({ min: 0, max: 0x2ff }).map((c) => String.fromCharCode(c)), fc.constantFrom('€', '𝄞', '\u2028')), maxLength: 40 }), (text) => {
        const once = escapeControl(text);
        expect(once).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(escapeControl(once)).toBe(once);
      }),
    );
  });
});
