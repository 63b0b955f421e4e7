/**
 * One subcommand run in this process from the sources (no build): the command registered in a
 * program of its own, with the exit-code rules of src/cli/main.ts (an `InputError` or a commander
 * usage error: 2), on the frozen test config.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT, EXIT_OK, InputError } from '../../src/errors.js';
import { TEST_CONFIG_DIR } from './config.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pnlopt <name> --config-dir <test config> ...args` with the command `register` declares. */
export async function runCommand(register: (program: Command) => void, name: string, args: readonly string[]): Promise<CommandResult> {
  const program = new Command('pnlopt').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program);
  const out: string[] = [];
  const err: string[] = [];
  const [stdoutWrite, stderrWrite] = [process.stdout.write, process.stderr.write];
  const capture = (into: string[]) => ((chunk: string | Uint8Array) => (into.push(String(chunk)), true)) as typeof process.stdout.write;
  let code: number = EXIT_OK;
  try {
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    await program.parseAsync([name, '--config-dir', TEST_CONFIG_DIR, ...args], { from: 'user' });
  } catch (e) {
    if (!(e instanceof InputError || e instanceof CommanderError)) throw e;
    err.push(e.message);
    code = EXIT_BAD_INPUT;
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}
