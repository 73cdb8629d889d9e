import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { hasErrors, sortDiagnostics } from '../../diagnostics/diagnostic.js';
import { targetDiagnostics } from '../../../targets/judge.js';
import { ARTEFACT_KINDS, GROUP_POLICY, type ArtefactKind, type Selection } from '../../../targets/selection.js';
import { compiledOrExit, requireFirewall, Exit, EXIT, formatOption, usage, writeOrFail, type Io } from '../io.js';
import { formatDiagnostics, type DiagnosticFormat } from '../render.js';

export function registerCompile(program: Command, io: Io): void {
  program
    .command('compile')
    .description("write the rules of every firewall for its targets, and the clients' Group Policy files")
    .argument('<file>', 'policy file, or - for stdin')
    .addOption(
      new Option('-t, --target <target>', `only this target, for every selected firewall; ${GROUP_POLICY}: only the clients' Group Policy files`).choices([...ARTEFACT_KINDS]),
    )
    .option('-f, --firewall <name>', 'only this firewall')
    .option('-o, --output <file>', 'write the single selected artefact here (- for stdout)')
    .option('--out-dir <dir>', 'write every artefact into this directory (default: out)')
    .addOption(formatOption())
    .action(async (file: string, opts: { target?: ArtefactKind; firewall?: string; output?: string; outDir?: string; format: DiagnosticFormat }) => {
      if (opts.output !== undefined && opts.outDir !== undefined) usage(io, 'give either -o or --out-dir, not both');
      if (opts.target === GROUP_POLICY && opts.firewall !== undefined) {
        usage(io, `-t ${GROUP_POLICY} writes the clients' Group Policy files, which belong to no firewall: leave out -f`);
      }
      const compiled = compiledOrExit(file, io, opts.format);
      const { ir, text } = compiled;
      requireFirewall(ir, opts.firewall, io);
      const selection: Selection = { ...(opts.firewall ? { firewall: opts.firewall } : {}), ...(opts.target ? { target: opts.target } : {}) };
      // What the selected targets refuse or approximate, decided from the IR as `check` does.
      const sorted = sortDiagnostics([...compiled.diagnostics, ...targetDiagnostics(ir, compiled.file, selection)]);
      // A machine format always gets its document (an empty one too), so a CI step can rely on it.
      if (sorted.length || opts.format !== 'text') io.stderr(formatDiagnostics(sorted, opts.format, text, io.color));
      if (hasErrors(sorted)) throw new Exit(EXIT.policy);

      // The targets (and their template engine) load only for a command that writes rules.
      const { emitTargets } = await import('../../../targets/emit.js');
      const emitted = emitTargets(ir, selection);
      const artefacts = [...emitted.files.map((f) => f.artefact), ...emitted.groupPolicy];
      if (opts.output !== undefined) {
        if (artefacts.length !== 1) {
          usage(io, `-o needs exactly one artefact, but this selection has ${artefacts.length}: ${artefacts.map((a) => a.name).join(', ')}; narrow it with -t and -f, or use --out-dir`);
        }
        const only = artefacts[0]!;
        if (opts.output === '-') io.stdout(only.content);
        else writeOrFail(io, [{ path: opts.output, content: only.content }]);
        return;
      }
      const dir = opts.outDir ?? 'out';
      const outputs = artefacts.map((a) => ({ path: join(dir, a.name), content: a.content }));
      writeOrFail(io, outputs);
      for (const o of outputs) io.stdout(`wrote ${o.path}\n`);
    });
}
