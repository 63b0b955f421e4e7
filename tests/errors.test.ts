/** Error messages quote user text: control characters in it are escaped, the lines of the message kept. */
import { describe, expect, it } from 'vitest';
import { DataError, formatViolation, UsageError } from '../src/errors.js';

describe('input error messages', () => {
  it('escape control characters in a usage error, keeping its line breaks', () => {
    expect(new UsageError('no ticker AB\x1b[2JC\nknown: X').message).toBe('no ticker AB\\x1b[2JC\nknown: X');
  });

  it('put each violation on one line, a line break in the quoted text escaped', () => {
    const v = { file: 'f.csv', row: 3, column: 'close', problem: "cannot parse 'a\nb\x1b]0;x\x07' as a number" };
    expect(formatViolation(v)).toBe("f.csv:3:close: cannot parse 'a\\nb\\x1b]0;x\\x07' as a number");
    const err = new DataError([v, { ...v, row: 4 }]);
    expect(err.message.split('\n')).toHaveLength(2);
    // The violations keep the text as read, for JSON and for callers.
    expect(err.violations[0].problem).toContain('\x1b');
  });
});
