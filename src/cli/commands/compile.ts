import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { diagnostic } from '../../diagnostics/codes.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { TARGETS, type TargetName } from '../../resolve/model.js';
import { compiledOrExit, requireFirewall, Exit, EXIT, formatOption, usage, writeOrFail, type Io } from '../io.js';
import { formatDiagnostics, type DiagnosticFormat } from '../render.js';

export function registerCompile(program: Command, io: Io): void {
  program
    .command('compile')
    .description('write the rules of every firewall for its targets')
    .argument('<file>', 'policy file, or - for stdin')
    .addOption(new Option('-t, --target <target>', 'only this target, for every selected firewall').choices([...TARGETS]))
    .option('-f, --firewall <name>', 'only this firewall')
    .option('-o, --output <file>', 'write the single selected artefact here (- for stdout)')
    .option('--out-dir <dir>', 'write every artefact into this directory (default: out)')
    .addOption(formatOption())
    .action(async (file: string, opts: { target?: TargetName; firewall?: string; output?: string; outDir?: string; format: DiagnosticFormat }) => {
      if (opts.output !== undefined && opts.outDir !== undefined) usage(io, 'give either -o or --out-dir, not both');
      const { ir, diagnostics, text } = compiledOrExit(file, io, opts.format);
      requireFirewall(ir, opts.firewall, io);
      const selection = { ...(opts.firewall ? { firewall: opts.firewall } : {}), ...(opts.target ? { target: opts.target } : {}) };
      // The targets (and their template engine) load only for a command that writes rules.
      const { emitTargets } = await import('../../../targets/emit.js');
      const { files, problems, approximations } = emitTargets(ir, selection);
      const all: Diagnostic[] = [
        ...diagnostics,
        ...problems.map((p) => diagnostic('MSGR060', file, p.firewall.origin, `target ${p.target}, firewall ${p.firewall.name}: ${p.message}`, `remove ${p.target} from the targets of firewall ${p.firewall.name}`)),
        ...approximations.map((p) => diagnostic('MSGR061', file, p.firewall.origin, `target ${p.target}, firewall ${p.firewall.name}: ${p.message}`, `if that matters here, use another target for firewall ${p.firewall.name}`)),
      ];
      const sorted = sortDiagnostics(all);
      // A machine format always gets its document (an empty one too), so a CI step can rely on it.
      if (sorted.length || opts.format !== 'text') io.stderr(formatDiagnostics(sorted, opts.format, text, io.color));
      if (hasErrors(sorted)) throw new Exit(EXIT.policy);

      if (opts.output !== undefined) {
        if (files.length !== 1) {
          usage(io, `-o needs exactly one artefact, but this selection has ${files.length}: ${files.map((f) => f.artefact.name).join(', ')}; narrow it with -t and -f, or use --out-dir`);
        }
        const only = files[0]!;
        if (opts.output === '-') io.stdout(only.artefact.content);
        else await writeOrFail(io, [{ path: opts.output, content: only.artefact.content }]);
        return;
      }
      const dir = opts.outDir ?? 'out';
      const outputs = files.map((f) => ({ path: join(dir, f.artefact.name), content: f.artefact.content, owner: { firewall: f.firewall.name, target: f.target } }));
      // The directory's manifest: stale files of this deployment, within the selection, are removed.
      await writeOrFail(io, outputs, { listAs: 'wrote', manifest: { dir, deployment: ir.deployment, ...selection, firewalls: ir.firewalls } });
    });
}
