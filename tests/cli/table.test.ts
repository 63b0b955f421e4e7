/** Terminal tables and lists: user text in cells is escaped, so a ticker cannot drive the terminal. */
import { describe, expect, it } from 'vitest';
import { renderTable, wrapList } from '../../src/cli/table.js';

describe('renderTable', () => {
  it('escapes control characters in text cells and aligns on the escaped text', () => {
    const table = renderTable(['ticker', 'rows'], [['AB\x1b[2JC', 3], ['X', 10]]);
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table.split('\n')).toEqual(['ticker      rows', '----------  ----', 'AB\\x1b[2JC     3', 'X             10']);
  });
});

describe('wrapList', () => {
  it('escapes control characters in items', () => {
    expect(wrapList('on ', ['A\x9b2J', 'B\nC'])).toBe('on A\\x9b2J, B\\nC');
  });
});
