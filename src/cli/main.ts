import { Command, CommanderError } from 'commander';
import { Exit, EXIT, type Io } from './io.js';
import { useColor } from './render.js';
import { registerCheck } from './commands/check.js';
import { registerCompile } from './commands/compile.js';
import { registerIr } from './commands/ir.js';
import { registerFmt } from './commands/fmt.js';
import { registerExplain } from './commands/explain.js';
import { registerDiff } from './commands/diff.js';

const processIo = (): Io => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  color: useColor(process.stderr),
});

/** The command line. Wiring only: each action calls the library and prints its result. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof Exit) return e.status;
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr(`msgrfw: internal error: ${(e as Error).message}\n  this is a bug in msgrfw, not in your policy; please report it with the policy that triggers it\n`);
    if (process.env.MSGRFW_DEBUG) io.stderr(`${(e as Error).stack}\n`);
    return EXIT.usage;
  }
}

function buildProgram(io: Io): Command {
  const program = new Command('msgrfw')
    .description('Compile Windows Messenger / Office Communicator firewall policy (.msgr) into nftables, iptables, netsh and pf rules')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run msgrfw help for usage)');

  // One module per command: each wires options to the library and prints the result.
  registerCheck(program, io);
  registerCompile(program, io);
  registerIr(program, io);
  registerFmt(program, io);
  registerExplain(program, io);
  registerDiff(program, io);
  return program;
}
