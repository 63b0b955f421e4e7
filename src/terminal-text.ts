/**
 * Text from files and arguments, made safe to print on a terminal. A ticker or a cell may hold
 * control characters (a CSV field can hold anything); printed raw, an ESC or OSC sequence would
 * clear the screen or set the window title. JSON output needs none of this: JSON escapes them.
 */

/** C0 controls, DEL and C1 controls (U+0080..U+009F, which include the one-character CSI U+009B). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  return SHORT[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * `text` with every control character written as an escape: `\n`, `\r`, `\t`, else `\xHH`
 * (`AB<ESC>[2JC` prints as `AB\x1b[2JC`). Backslashes are left alone, so escaping twice changes
 * nothing and paths stay readable.
 * @param keepLineBreaks leave `\n` as is (a message of several lines)
 */
export function escapeControl(text: string, keepLineBreaks = false): string {
  const re = keepLineBreaks ? CONTROL_BUT_LF : CONTROL;
  re.lastIndex = 0;
  return re.test(text) ? text.replace(re, escapeOne) : text;
}
