/**
 * Named errors. The CLI maps every `InputError` (bad config, bad data, bad arguments) to exit
 * code 2 and anything else to 1, so callers throw these at the boundary and nowhere else.
 */
import { escapeControl } from './terminal-text.js';

/**
 * Base of every error caused by what the user gave us; exit code 2. Its message quotes user text
 * (tickers, cells, names) and goes to a terminal, so control characters are escaped
 * (`escapeControl`); the line breaks between its lines are kept.
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(message: string, options?: ErrorOptions) {
    super(escapeControl(message, true), options);
  }
}

/** A config file that does not match its schema: `file: dotted.path: message`. */
export class ConfigError extends InputError {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(issues.map((i) => `${file}: ${i.path === '' ? '(root)' : i.path}: ${i.message}`).join('\n'));
  }
}

/**
 * One problem found in a data file, located by 1-based row (header = row 1) and column name (`*`
 * for a whole row; for bytes that are not UTF-8, the character in the line, from 1).
 */
export interface DataViolation {
  file: string;
  row: number;
  column: string;
  problem: string;
}

/** How many violations a `DataError` spells out before it only counts the rest. */
export const MAX_REPORTED_VIOLATIONS = 20;

/** A data file that failed validation; the message lists the first violations as `file:row:column: problem`. */
export class DataError extends InputError {
  override name = 'DataError';
  constructor(readonly violations: readonly DataViolation[]) {
    const shown = violations.slice(0, MAX_REPORTED_VIOLATIONS).map(formatViolation);
    const rest = violations.length - shown.length;
    super(rest > 0 ? [...shown, `... and ${rest} more violation(s)`].join('\n') : shown.join('\n'));
  }
}

/** `file:row:column: problem`, on one line: a line break in the quoted text is escaped too. */
export function formatViolation(v: DataViolation): string {
  return escapeControl(`${v.file}:${v.row}:${v.column}: ${v.problem}`);
}

/** A bad command-line argument or parameter value. */
export class UsageError extends InputError {
  override name = 'UsageError';
}

/** Thrown when work stopped because the run was interrupted (SIGINT / SIGTERM); what finished is stored. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
/** Interrupted by SIGINT (128 + 2) or SIGTERM (128 + 15), as shells report a signal's death. */
export const EXIT_INTERRUPTED = 130;
export const EXIT_TERMINATED = 143;
/** `optimize --fail-if-not-adopted`: the run completed but adopted nothing. */
export const EXIT_NOT_ADOPTED = 3;
/** The reader of standard output went away (`pnlopt export ID --out - | head`): 128 + SIGPIPE, as a shell reports it. */
export const EXIT_READER_CLOSED = 141;

/** Thrown when the reader of an output pipe closed it (EPIPE): the command stops quietly. */
export class ReaderClosedError extends Error {
  override name = 'ReaderClosedError';
}
