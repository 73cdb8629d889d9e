import { Command, CommanderError } from 'commander';
import { endQuietlyWhenReaderCloses } from './closedPipe.js';
import { Exit, EXIT } from './exit.js';
import type { Io } from './io.js';
import { useColor } from './render.js';
import { toolVersion } from './version.js';

type Register = (program: Command, io: Io) => void;

/**
 * One module per command, in help order, each loaded only when it may run: a command's
 * dependencies (the targets and their templates, the explainer, the formatter) are most of the
 * start-up time, and a run needs one command's.
 */
const COMMANDS: readonly [string, () => Promise<Register>][] = [
  ['check', async () => (await import('./commands/check.js')).registerCheck],
  ['compile', async () => (await import('./commands/compile.js')).registerCompile],
  ['ir', async () => (await import('./commands/ir.js')).registerIr],
  ['fmt', async () => (await import('./commands/fmt.js')).registerFmt],
  ['explain', async () => (await import('./commands/explain.js')).registerExplain],
  ['diff', async () => (await import('./commands/diff.js')).registerDiff],
  ['graph', async () => (await import('./commands/graph.js')).registerGraph],
  ['verify', async () => (await import('./commands/verify.js')).registerVerify],
  ['apply', async () => (await import('./commands/apply.js')).registerApply],
  ['__watchdog', async () => (await import('./commands/apply.js')).registerWatchdog],
  ['lsp', async () => (await import('./commands/lsp.js')).registerLsp],
];

const VERSION_FLAGS = ['-V', '--version'];

function processIo(): Io {
  endQuietlyWhenReaderCloses(process.stdout, 'stdout');
  endQuietlyWhenReaderCloses(process.stderr, 'stderr');
  return {
    stdout: (s) => void (s && process.stdout.write(s)),
    stderr: (s) => void (s && process.stderr.write(s)),
    color: useColor(process.stderr),
  };
}

/** The command line. Wiring only: each action calls the library and prints its result. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = await buildProgram(io, argv[2]);
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

/**
 * The program with the command `name` names, or with every command when it names none of them
 * (help, a typo, an option): what commander prints and does is the same either way.
 */
async function buildProgram(io: Io, name: string | undefined): Promise<Command> {
  const program = new Command('msgrfw')
    .description('Compile Windows Messenger / Office Communicator firewall policy (.msgr) into nftables, iptables, netsh and pf rules')
    .version(`msgrfw ${toolVersion() || '(unknown version)'}`, '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run msgrfw help for usage)')
    // A file given beyond what a command takes is refused, never silently ignored (inherited by each command).
    .allowExcessArguments(false);

  // One module per command: each wires options to the library and prints the result.
  const named = COMMANDS.filter(([command]) => command === name);
  const wanted = VERSION_FLAGS.includes(name ?? '') ? [] : named.length ? named : COMMANDS;
  for (const [, load] of wanted) (await load())(program, io);
  return program;
}
