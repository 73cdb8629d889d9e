import { Command, CommanderError, Option } from 'commander';
import { join } from 'node:path';
import { compilePolicy } from '../compile.js';
import { diagnostic } from '../diagnostics/codes.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { TARGETS, type TargetName } from '../resolve/model.js';
import { emitTargets } from '../../targets/emit.js';
import { readPolicy } from './input.js';
import { writeAllOrNothing } from './output.js';
import { formatDiagnostics, useColor, type DiagnosticFormat } from './render.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
}

const processIo = (): Io => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  color: useColor(process.stderr),
});

/** Exit statuses: 0 ok, 1 the policy has errors, 2 usage or I/O trouble. */
export const EXIT = { ok: 0, policy: 1, usage: 2 } as const;

class Exit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

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

  const format = () => new Option('--format <format>', 'diagnostics as text or json').choices(['text', 'json']).default('text');

  program
    .command('check')
    .description('report every error and warning in a policy')
    .argument('<file>', 'policy file, or - for stdin')
    .addOption(format())
    .action((file: string, opts: { format: DiagnosticFormat }) => {
      const { diagnostics, text } = compileFile(file, io, opts.format);
      io.stdout(formatDiagnostics(diagnostics, opts.format, text, io.color));
      if (opts.format === 'text' && diagnostics.length === 0) io.stdout(`${file}: ok\n`);
      if (hasErrors(diagnostics)) throw new Exit(EXIT.policy);
    });

  program
    .command('compile')
    .description('write the rules of every firewall for its targets')
    .argument('<file>', 'policy file, or - for stdin')
    .addOption(new Option('-t, --target <target>', 'only this target, for every selected firewall').choices([...TARGETS]))
    .option('-f, --firewall <name>', 'only this firewall')
    .option('-o, --output <file>', 'write the single selected artefact here (- for stdout)')
    .option('--out-dir <dir>', 'write every artefact into this directory (default: out)')
    .addOption(format())
    .action((file: string, opts: { target?: TargetName; firewall?: string; output?: string; outDir?: string; format: DiagnosticFormat }) => {
      if (opts.output !== undefined && opts.outDir !== undefined) usage(io, 'give either -o or --out-dir, not both');
      const { ir, diagnostics, text } = compileFile(file, io, opts.format);
      if (!ir) {
        io.stderr(formatDiagnostics(diagnostics, opts.format, text, io.color));
        throw new Exit(EXIT.policy);
      }
      if (opts.firewall !== undefined && !ir.firewalls.some((f) => f.name === opts.firewall)) {
        usage(io, `no firewall named '${opts.firewall}' (the policy has: ${ir.firewalls.map((f) => f.name).join(', ')})`);
      }
      const selection = { ...(opts.firewall ? { firewall: opts.firewall } : {}), ...(opts.target ? { target: opts.target } : {}) };
      const { files, problems } = emitTargets(ir, selection);
      const all: Diagnostic[] = [
        ...diagnostics,
        ...problems.map((p) => diagnostic('MSGR060', file, p.firewall.origin, `target ${p.target}, firewall ${p.firewall.name}: ${p.message}`, `remove ${p.target} from the targets of firewall ${p.firewall.name}`)),
      ];
      const sorted = sortDiagnostics(all);
      if (sorted.length) io.stderr(formatDiagnostics(sorted, opts.format, text, io.color));
      if (hasErrors(sorted)) throw new Exit(EXIT.policy);

      if (opts.output !== undefined) {
        if (files.length !== 1) {
          usage(io, `-o needs exactly one artefact, but this selection has ${files.length}: ${files.map((f) => f.artefact.name).join(', ')}; narrow it with -t and -f, or use --out-dir`);
        }
        const only = files[0]!;
        if (opts.output === '-') io.stdout(only.artefact.content);
        else writeOrFail(io, [{ path: opts.output, content: only.artefact.content }]);
        return;
      }
      const dir = opts.outDir ?? 'out';
      const outputs = files.map((f) => ({ path: join(dir, f.artefact.name), content: f.artefact.content }));
      writeOrFail(io, outputs);
      for (const o of outputs) io.stdout(`wrote ${o.path}\n`);
    });

  program
    .command('ir')
    .description('print the intermediate representation (JSON) the targets are built from')
    .argument('<file>', 'policy file, or - for stdin')
    .option('-o, --output <file>', 'write it here instead of stdout')
    .action((file: string, opts: { output?: string }) => {
      const { ir, diagnostics, text } = compileFile(file, io, 'text');
      if (diagnostics.length) io.stderr(formatDiagnostics(diagnostics, 'text', text, io.color));
      if (!ir) throw new Exit(EXIT.policy);
      const json = `${JSON.stringify(ir, null, 2)}\n`;
      if (opts.output === undefined || opts.output === '-') io.stdout(json);
      else writeOrFail(io, [{ path: opts.output, content: json }]);
    });

  return program;
}

function compileFile(file: string, io: Io, format: DiagnosticFormat) {
  const input = readPolicy(file);
  if (!input.ok) {
    if (format === 'json' && input.problem === 'content') {
      io.stdout(`${JSON.stringify({ ok: false, diagnostics: [], error: input.message }, null, 2)}\n`);
    } else {
      io.stderr(`${input.problem === 'usage' ? 'msgrfw: ' : ''}${input.message}\n`);
    }
    throw new Exit(input.problem === 'usage' ? EXIT.usage : EXIT.policy);
  }
  const text = input.text.replace(/^\uFEFF/, '');
  return { ...compilePolicy(text, input.file), text };
}

function writeOrFail(io: Io, files: { path: string; content: string }[]): void {
  try {
    writeAllOrNothing(files);
  } catch (e) {
    io.stderr(`msgrfw: cannot write output: ${(e as Error).message}\n  no file was changed\n`);
    throw new Exit(EXIT.usage);
  }
}

function usage(io: Io, message: string): never {
  io.stderr(`msgrfw: ${message}\n`);
  throw new Exit(EXIT.usage);
}
