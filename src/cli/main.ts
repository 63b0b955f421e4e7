/**
 * The `pnlopt` command: one commander program, one module per subcommand under `commands/`.
 * Exit codes: 0 ok, 1 failure, 2 bad input (any `InputError`), 3 nothing adopted under
 * `optimize --fail-if-not-adopted`, 130 interrupted by SIGINT, 143 by SIGTERM, 141 when the reader
 * of standard output closed it. Errors print one
 * line without a stack (an `InputError` is the user's to fix; anything else is a bug to report),
 * unless the global `--debug` flag asks for the stack.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, EXIT_READER_CLOSED, InputError, ReaderClosedError } from '../errors.js';
import { codeVersion } from '../paths.js';
import { escapeControl } from '../terminal-text.js';
import { registerCommands, type CliDeps } from './commands/index.js';

/** Build the program; exported so tests can inspect it. */
export function buildProgram(deps: CliDeps = {}): Command {
  const program = new Command('pnlopt')
    .description('Stochastic search over trading-strategy configurations with a parallel typed-array backtester')
    .option('-V, --version', 'print the version: the package version and a hash of the code, as runs record it')
    .option('--debug', 'print the stack trace of any error')
    .showHelpAfterError()
    // commander's messages quote what the user typed: escape control characters before a terminal sees them.
    .configureOutput({ outputError: (text, write) => write(escapeControl(text, true)) })
    .exitOverride();
  registerCommands(program, deps);
  return program;
}

/**
 * Run the CLI with `argv` (without node and script) and return the exit code. `deps` replaces
 * what the commands are wired to (the composition root); bin/pnlopt.js passes none.
 */
export async function main(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    // Computed only when asked: the code hash reads every source file.
    process.stdout.write(`pnlopt ${codeVersion()}\n`);
    return EXIT_OK;
  }
  const program = buildProgram(deps);
  handleClosedReader();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    return reportError(err, program.opts<{ debug?: boolean }>().debug === true);
  }
}

let closedReaderHandled = false;

/**
 * A reader that closes standard output early (`| head`) ends the command quietly, as SIGPIPE would.
 * Installed once per process: `main` may run many times in one (tests), and must not add listeners each time.
 */
function handleClosedReader(): void {
  if (closedReaderHandled) return;
  closedReaderHandled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(EXIT_READER_CLOSED);
      throw err;
    });
  }
}

function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Help and version exit 0; commander has already printed its usage message otherwise.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
    return EXIT_BAD_INPUT;
  }
  if (err instanceof ReaderClosedError) return EXIT_READER_CLOSED;
  const stack = debug && err instanceof Error && err.stack !== undefined ? `\n${err.stack}` : '';
  if (err instanceof InputError) {
    process.stderr.write(`pnlopt: ${err.message}${stack}\n`);
    return EXIT_BAD_INPUT;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(escapeControl(`pnlopt: internal error: ${message}${debug ? stack : ' (run with --debug for the stack)'}`, true) + '\n');
  return EXIT_FAILURE;
}
